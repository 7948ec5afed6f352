// What retention reads and deletes in SQLite (the RetentionStore port): incidents with their live stills and outbox
// rows, holds, the retention_runs record, and one transaction per deletion.

import {
  IncidentStillReferenced,
  type LastSweep,
  type RetentionStore,
  type StoredInventory,
  type StoredMaster,
  type StoredStill,
  type SweepRun,
} from '../../core/ports/retention-store.js';
import type { HoldFacts, IncidentFacts, OutboxFacts } from '../../core/retention/policy.js';
import type { Db } from './sqlite-store.js';

interface StillRow {
  id: string;
  incident_id: string;
  kind: StoredStill['kind'];
  captured_at: string;
  created_at: string;
  file: string;
  key_id: string | null;
  sha256: string;
  bytes: number;
}

/** Tables with a foreign key to incidents and the rule that removes their rows; a test holds it complete. */
export const INCIDENT_CHILD_TABLES = {
  stills: 'retention policy (per still)',
  outbox: 'retention policy (per outbox row)',
  holds: 'removed with the incident once released or expired',
  review_drafts: 'removed with the incident',
  recorder_clock: 'removed with the incident',
  evidence_masters: 'retention policy (the police master follows the originals)',
  clips: 'removed with the incident, its encrypted MP4 shredded',
} as const;

export class SqliteRetentionStore implements RetentionStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  incidentFacts(): IncidentFacts[] {
    const db = this.#db;
    const incidents = db.prepare('SELECT id, status, created_at FROM incidents ORDER BY created_at').all() as {
      id: string;
      status: string;
      created_at: string;
    }[];
    const stills = db
      .prepare('SELECT id, incident_id, kind, captured_at, created_at FROM stills WHERE deleted_at IS NULL')
      .all() as StillRow[];
    const outbox = db
      .prepare('SELECT id, incident_id, state, created_at, acked_at FROM outbox WHERE incident_id IS NOT NULL')
      .all() as {
      id: string;
      incident_id: string;
      state: OutboxFacts['state'];
      created_at: string;
      acked_at: string | null;
    }[];
    const masters = db.prepare('SELECT id, incident_id, window_from FROM evidence_masters').all() as {
      id: string;
      incident_id: string;
      window_from: string;
    }[];
    const byIncident = new Map<string, IncidentFacts>();
    for (const i of incidents)
      byIncident.set(i.id, { id: i.id, status: i.status, createdAt: i.created_at, stills: [], outbox: [] });
    for (const s of stills) {
      byIncident
        .get(s.incident_id)
        ?.stills.push({ id: s.id, kind: s.kind, capturedAt: s.captured_at, createdAt: s.created_at });
    }
    for (const o of outbox) {
      byIncident
        .get(o.incident_id)
        ?.outbox.push({ id: o.id, state: o.state, createdAt: o.created_at, ackedAt: o.acked_at });
    }
    for (const m of masters) {
      const inc = byIncident.get(m.incident_id);
      if (!inc) continue;
      inc.masters = [...(inc.masters ?? []), { id: m.id, windowFrom: m.window_from }];
    }
    return [...byIncident.values()];
  }

  holdFacts(): HoldFacts[] {
    return (
      this.#db.prepare('SELECT id, incident_id, reference, expires_at, released_at FROM holds').all() as {
        id: string;
        incident_id: string;
        reference: string | null;
        expires_at: string | null;
        released_at: string | null;
      }[]
    ).map((h) => ({
      id: h.id,
      incidentId: h.incident_id,
      reference: h.reference,
      expiresAt: h.expires_at,
      releasedAt: h.released_at,
    }));
  }

  inventory(): StoredInventory {
    const stored = this.#db
      .prepare(
        "SELECT COUNT(*) AS originals, MIN(captured_at) AS oldest FROM stills WHERE kind = 'original' AND deleted_at IS NULL",
      )
      .get() as { originals: number; oldest: string | null };
    const incidents = (this.#db.prepare('SELECT COUNT(*) AS c FROM incidents').get() as { c: number }).c;
    return { incidents, originals: stored.originals, oldestOriginal: stored.oldest };
  }

  lastSweep(): LastSweep | undefined {
    const r = this.#db
      .prepare(
        'SELECT clock_at, outcome, deleted, held, failures, message FROM retention_runs WHERE dry_run = 0 ORDER BY id DESC LIMIT 1',
      )
      .get() as
      | { clock_at: string; outcome: string; deleted: number; held: number; failures: number; message: string | null }
      | undefined;
    return (
      r && {
        clockAt: r.clock_at,
        outcome: r.outcome,
        deleted: r.deleted,
        held: r.held,
        failures: r.failures,
        message: r.message,
      }
    );
  }

  lastSweepClock(): string | null {
    const r = this.#db
      .prepare("SELECT MAX(clock_at) AS at FROM retention_runs WHERE dry_run = 0 AND outcome != 'refused'")
      .get() as { at: string | null };
    return r.at;
  }

  recordSweep(run: SweepRun): void {
    this.#db
      .prepare(
        'INSERT INTO retention_runs (clock_at, dry_run, outcome, deleted, held, failures, message) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(run.clockAt, run.dryRun ? 1 : 0, run.outcome, run.deleted, run.held, run.failures, run.message);
  }

  removeStill(id: string, alongside: (still: StoredStill) => void): boolean {
    return this.#db.transaction((): boolean => {
      const s = this.#db.prepare('SELECT * FROM stills WHERE id = ?').get(id) as StillRow | undefined;
      if (!s) return false;
      this.#db.prepare('DELETE FROM stills WHERE id = ?').run(id);
      alongside({
        id: s.id,
        incidentId: s.incident_id,
        kind: s.kind,
        file: s.file,
        keyId: s.key_id,
        sha256: s.sha256,
        bytes: s.bytes,
      });
      return true;
    })();
  }

  removeMaster(id: string, alongside: (master: StoredMaster) => void): boolean {
    return this.#db.transaction((): boolean => {
      const m = this.#db
        .prepare('SELECT id, incident_id, file, key_id, sha256, bytes, method FROM evidence_masters WHERE id = ?')
        .get(id) as
        | {
            id: string;
            incident_id: string;
            file: string | null;
            key_id: string | null;
            sha256: string | null;
            bytes: number | null;
            method: string | null;
          }
        | undefined;
      if (!m) return false;
      this.#db.prepare('DELETE FROM evidence_masters WHERE id = ?').run(id);
      alongside({
        id: m.id,
        incidentId: m.incident_id,
        file: m.file,
        keyId: m.key_id,
        sha256: m.sha256,
        bytes: m.bytes,
        method: m.method,
      });
      return true;
    })();
  }

  removeOutboxRow(id: string, alongside: () => void): boolean {
    return this.#db.transaction((): boolean => {
      if (this.#db.prepare('DELETE FROM outbox WHERE id = ?').run(id).changes === 0) return false;
      alongside();
      return true;
    })();
  }

  removeIncident(
    id: string,
    shred: (file: { file: string; keyId: string | null }) => void,
    alongside: (removed: Record<string, number>) => void,
  ): boolean {
    try {
      return this.#db.transaction((): boolean => {
        const removed: Record<string, number> = {};
        const count = (table: string, n: number) => {
          if (n > 0) removed[table] = n;
        };
        count('holds', this.#db.prepare('DELETE FROM holds WHERE incident_id = ?').run(id).changes);
        // The review draft (subject, boxes, category, description) goes with the record it belongs to.
        count('review_drafts', this.#db.prepare('DELETE FROM review_drafts WHERE incident_id = ?').run(id).changes);
        // The recorder's clock offset measured for its capture.
        count('recorder_clock', this.#db.prepare('DELETE FROM recorder_clock WHERE incident_id = ?').run(id).changes);
        // The redacted clip (clips feature): its record goes, its encrypted MP4 is shredded.
        const clip = this.#db.prepare('SELECT clip FROM clips WHERE incident_id = ?').get(id) as
          | { clip: string }
          | undefined;
        if (clip) {
          count('clips', this.#db.prepare('DELETE FROM clips WHERE incident_id = ?').run(id).changes);
          const c = JSON.parse(clip.clip) as { file: string | null; keyId: string | null };
          if (c.file) shred({ file: c.file, keyId: c.keyId });
        }
        // Stills another module marked deleted (deleted_at) but left as rows: shred what may remain, drop the rows.
        const leftovers = this.#db
          .prepare('SELECT id, file, key_id FROM stills WHERE incident_id = ? AND deleted_at IS NOT NULL')
          .all(id) as Pick<StillRow, 'id' | 'file' | 'key_id'>[];
        for (const s of leftovers) {
          this.#db.prepare('DELETE FROM stills WHERE id = ?').run(s.id);
          shred({ file: s.file, keyId: s.key_id });
        }
        if (this.#db.prepare('DELETE FROM incidents WHERE id = ?').run(id).changes === 0) return false;
        alongside(removed);
        return true;
      })();
    } catch (e) {
      if ((e as { code?: string }).code !== 'SQLITE_CONSTRAINT_FOREIGNKEY') throw e;
      throw new IncidentStillReferenced(id, this.#referencing(id));
    }
  }

  /** Tables with a row whose foreign key points at the incident (read after the failed transaction rolled back). */
  #referencing(incidentId: string): string[] {
    const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
    return (this.#db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[])
      .filter((t) =>
        (this.#db.prepare(`PRAGMA foreign_key_list(${quote(t.name)})`).all() as { table: string; from: string }[]).some(
          (fk) =>
            fk.table === 'incidents' &&
            this.#db.prepare(`SELECT 1 FROM ${quote(t.name)} WHERE ${quote(fk.from)} = ? LIMIT 1`).get(incidentId) !==
              undefined,
        ),
      )
      .map((t) => t.name);
  }
}
