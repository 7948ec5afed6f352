// The members' gallery: the subjects currently shared, each with a face image (the subject crop of its newest
// visible report: reports' images are never merged), first and last report dates, how many reports, an exclusion in
// force and the category. What a role may see is decided per report exactly as for the packet list (hub-packets.ts,
// judged at the time of the request), so a withdrawn report never shows, and a subject with nothing shared is not in
// the members' gallery. Names, aliases and notes reach members only when the scheme enables names.
import type { Clock } from '../core/ports/clock.js';
import type { ExclusionRecord, HubRole, HubStore, RetentionRow, StoredPacket } from '../core/ports/hub-store.js';
import { phaseAt, retentionOf, visibleTo } from './hub-packets.js';

export interface GalleryEntry {
  ref: string;
  face: { packetId: string; image: string } | null;
  firstReport: string;
  lastReport: string;
  reports: number;
  category: string | null;
  sites: string[];
  exclusion: Pick<ExclusionRecord, 'id' | 'scope' | 'premises' | 'startsAt' | 'endsAt'> | null;
  /** Only for administrators, or members when the scheme enables names. */
  name: string | null;
  alias: string | null;
}

export interface SubjectView extends GalleryEntry {
  packetIds: string[];
  /** Administrators only. */
  notes: string | null;
  exclusions: ExclusionRecord[];
}

export interface GalleryFilter {
  /** Reports on or after this day (YYYY-MM-DD). */
  from?: string | undefined;
  /** Reports on or before this day. */
  to?: string | undefined;
  site?: string | undefined;
  category?: string | undefined;
}

export class HubGallery {
  readonly #store: HubStore;
  readonly #clock: Clock;
  readonly #membersSeeNames: boolean;

  constructor(o: { store: HubStore; clock: Clock; membersSeeNames?: boolean }) {
    this.#store = o.store;
    this.#clock = o.clock;
    this.#membersSeeNames = o.membersSeeNames ?? false;
  }

  /** Newest last report first. */
  async list(role: HubRole, filter: GalleryFilter = {}): Promise<GalleryEntry[]> {
    const out: GalleryEntry[] = [];
    for (const s of await this.#store.subjects({ status: 'active', limit: 10_000 })) {
      const v = await this.#view(role, s.ref);
      if (!v) continue;
      const reports = await Promise.all(v.packetIds.map((id) => this.#store.get(id)));
      const matches = reports.some(
        (p) =>
          p &&
          (!filter.from || p.receivedAt.slice(0, 10) >= filter.from) &&
          (!filter.to || p.receivedAt.slice(0, 10) <= filter.to) &&
          (!filter.site || p.siteId === filter.site) &&
          (!filter.category || p.manifest?.category === filter.category),
      );
      if (matches) out.push(v);
    }
    return out.sort((a, b) => b.lastReport.localeCompare(a.lastReport) || a.ref.localeCompare(b.ref));
  }

  /** undefined when there is no such subject or nothing of it is visible to this role. */
  async subject(role: HubRole, ref: string): Promise<SubjectView | undefined> {
    return this.#view(role, ref);
  }

  async #view(role: HubRole, ref: string): Promise<SubjectView | undefined> {
    const s = await this.#store.subject(ref);
    if (!s || (s.status !== 'active' && role !== 'administrator')) return undefined;
    const now = this.#clock.now();
    const cache = new Map<string, Promise<RetentionRow[]>>();
    const visible: StoredPacket[] = [];
    for (const id of s.packetIds) {
      const p = await this.#store.get(id);
      if (!p) continue;
      const phase = phaseAt(p, now, await retentionOf(this.#store, p, cache));
      if (visibleTo(role, phase) && phase !== 'deleted') visible.push(p);
    }
    if (visible.length === 0 && role !== 'administrator') return undefined;
    const newest = visible.at(-1);
    const subjectImage = newest?.manifest?.images.find((i) => i.role === 'subject');
    const exclusions = await this.#store.exclusions({ subjectRef: ref });
    const active = exclusions.find((e) => e.startsAt <= now.toISOString() && e.endsAt > now.toISOString());
    const names = role === 'administrator' || this.#membersSeeNames;
    return {
      ref,
      face: newest && subjectImage ? { packetId: newest.id, image: subjectImage.name } : null,
      firstReport: visible[0]?.receivedAt ?? s.createdAt,
      lastReport: newest?.receivedAt ?? s.createdAt,
      reports: visible.length,
      category: newest?.manifest?.category ?? null,
      sites: [...new Set(visible.map((p) => p.siteId))].sort(),
      exclusion: active
        ? {
            id: active.id,
            scope: active.scope,
            premises: active.premises,
            startsAt: active.startsAt,
            endsAt: active.endsAt,
          }
        : null,
      name: names ? s.name : null,
      alias: names ? s.alias : null,
      notes: role === 'administrator' ? s.notes : null,
      packetIds: visible.map((p) => p.id),
      // Members see only the exclusion in force; administrators the whole history.
      exclusions: role === 'administrator' ? exclusions : active ? [active] : [],
    };
  }
}
