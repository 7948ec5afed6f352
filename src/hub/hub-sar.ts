// Subject access at the hub (seed 001: a copy of all data the scheme holds about the person, answered within 30
// days). `bcrp-edge hub subject export` writes, for an administrator to check and send: every image of the linked
// reports still held (re-verified against the device signature; other people's faces were hidden at the shop before
// the packet was signed, and the manifest's redaction counts say so), the reports' minimised fields, the subject
// record, exclusions, link dates, and the processing and retention explanation; the deadline from the request date;
// and a `sar-export` entry in the hub audit chain, which is the hub's disclosure register.
import type { KeyObject } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../core/errors.js';
import { HUB_RETENTION_STATEMENTS, subjectRetention } from '../core/packet/retention.js';
import type { Clock } from '../core/ports/clock.js';
import type { HubStore } from '../core/ports/hub-store.js';
import { HubAudit } from './hub-audit.js';
import type { SchemeRules } from './hub-exclusions.js';
import { openStoredPacket } from './hub-packets.js';

/** The scheme's own promise (seed 001). */
export const SAR_DAYS = 30;

export interface SarExport {
  dir: string;
  deadline: string;
  images: number;
  reports: number;
}

export async function exportSubjectAccess(o: {
  store: HubStore;
  clock: Clock;
  rules: SchemeRules;
  encryptionKey: KeyObject | undefined;
  maxPacketBytes?: number | undefined;
  actor: string;
  ref: string;
  /** When the request arrived: the 30 days run from it. */
  requestDate: Date;
  outDir: string;
}): Promise<SarExport> {
  const s = await o.store.subject(o.ref);
  if (!s) throw new AppError('not-found', `no subject ${o.ref} (see hub subject list)`);
  mkdirSync(o.outDir, { recursive: true, mode: 0o700 });
  if (readdirSync(o.outDir).length > 0)
    throw new AppError('not-empty', `${o.outDir} is not empty: give a new folder for the answer`);
  const now = o.clock.now();
  const deadline = new Date(o.requestDate.getTime() + SAR_DAYS * 86_400_000);
  const retention = new Map(
    subjectRetention(await o.store.retentionRows({ subjectRef: o.ref })).map((r) => [r.id, r] as const),
  );
  const reports = [];
  let images = 0;
  mkdirSync(join(o.outDir, 'images'), { mode: 0o700 });
  for (const id of s.packetIds) {
    const p = await o.store.get(id);
    if (!p) continue;
    if (p.phase === 'deleted' || !p.manifest) {
      reports.push({ packetId: id, receivedAt: p.receivedAt, deletedAt: p.deletedAt, held: 'deleted: nothing kept' });
      continue;
    }
    const opened = await openStoredPacket(p, o);
    if (!opened.ok || !opened.files || opened.digest !== p.digest)
      throw new AppError(
        'verify-failed',
        `packet ${id} no longer verifies (${opened.checks.find((c) => !c.ok)?.message ?? 'digest differs'}); nothing was disclosed`,
      );
    const files = [];
    for (const f of opened.files) {
      const name = `${id}-${f.name}`;
      writeFileSync(join(o.outDir, 'images', name), f.bytes, { mode: 0o600 });
      files.push(name);
      images++;
    }
    const m = p.manifest;
    const r = retention.get(id);
    reports.push({
      packetId: id,
      site: p.siteId,
      receivedAt: p.receivedAt,
      incidentTime: m.incidentTime,
      category: m.category,
      description: m.description ?? null,
      images: files,
      otherPeople: m.redaction
        ? `${m.redaction.facesRedacted} other face(s) were hidden at the shop before this report was signed`
        : 'no other faces were found',
      retention: r
        ? { shareUntil: r.shareUntil.toISOString(), deleteAt: r.deleteAt.toISOString(), why: r.why }
        : { state: p.phase },
    });
  }
  const exclusions = (await o.store.exclusions({ subjectRef: o.ref })).map((e) => ({
    scope: e.scope === 'scheme' ? 'all members’ premises' : `site ${e.premises}`,
    from: e.startsAt,
    until: e.endsAt,
    grounds: e.grounds,
    appealRoute: e.appealRoute,
    noticeServed: e.servedAt,
  }));
  const answer = {
    scheme: o.rules.name,
    subjectReference: s.ref,
    requestReceived: o.requestDate.toISOString(),
    answerDue: deadline.toISOString(),
    preparedAt: now.toISOString(),
    record: { name: s.name, alias: s.alias, notes: s.notes, createdAt: s.createdAt, status: s.status },
    reports,
    exclusions,
    processing: {
      privacyNotice: o.rules.privacyNotice,
      retention: Object.values(HUB_RETENTION_STATEMENTS),
      correction:
        'If any of this is incorrect, unnecessary or disproportionate, you can require the scheme to correct it; corrections are recorded with the previous value.',
    },
  };
  writeFileSync(join(o.outDir, 'answer.json'), `${JSON.stringify(answer, null, 2)}\n`, { mode: 0o600 });
  await new HubAudit(o.store, o.clock).append({
    actor: o.actor,
    action: 'sar-export',
    subject: s.ref,
    details: {
      requestReceived: answer.requestReceived,
      answerDue: answer.answerDue,
      reports: reports.length,
      images,
      to: o.outDir,
    },
  });
  return { dir: o.outDir, deadline: answer.answerDue, images, reports: reports.length };
}
