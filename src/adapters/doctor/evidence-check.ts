// doctor's police-master line: the disk the sealed masters use against evidence.maxBytes (and how much of it is
// under evidence holds, which are never deleted for room), and the recorder's clock offset at the last acquisition.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { LoadedConfig } from '../../config/load.js';
import { CLOCK_WARN_MS } from '../../core/evidence.js';
import type { DoctorCheck } from '../../core/ports/doctor-check.js';
import { DB_FILE } from '../store/sqlite-store.js';

const GB = 1e9;
const gb = (bytes: number) => `${(bytes / GB).toFixed(2)} GB`;

export const evidenceCheck: DoctorCheck<LoadedConfig> = {
  id: 'evidence',
  title: 'police masters',
  needsConfig: true,
  async run(ctx) {
    const e = ctx.loaded!.config.evidence;
    if (!e.enabled) return { status: 'skip', detail: 'evidence.enabled is off: no police masters are acquired' };
    const file = join(ctx.dataDir, DB_FILE);
    if (!existsSync(file)) return { status: 'skip', detail: `no store at ${file} yet` };
    const db = new Database(file, { readonly: true, fileMustExist: true });
    let rows: { bytes: number | null; held: number; clock_offset_ms: number | null; sealed_at: string }[];
    try {
      const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'evidence_masters'").get();
      if (!table) return { status: 'skip', detail: 'no police master acquired yet' };
      rows = db
        .prepare(
          `SELECT m.bytes, m.clock_offset_ms, m.sealed_at,
             EXISTS (SELECT 1 FROM holds h WHERE h.incident_id = m.incident_id AND h.released_at IS NULL
                     AND (h.expires_at IS NULL OR h.expires_at > ?)) AS held
           FROM evidence_masters m WHERE m.state = 'sealed' ORDER BY m.sealed_at`,
        )
        .all(ctx.clock.now().toISOString()) as typeof rows;
    } finally {
      db.close();
    }
    const used = rows.reduce((n, r) => n + (r.bytes ?? 0), 0);
    const held = rows.filter((r) => r.held === 1);
    const heldBytes = held.reduce((n, r) => n + (r.bytes ?? 0), 0);
    const pct = Math.round((used / e.maxBytes) * 100);
    const last = rows.at(-1);
    const offset = last?.clock_offset_ms ?? null;
    const clock =
      offset === null ? '' : `; recorder clock ${offset > 0 ? '+' : ''}${(offset / 1000).toFixed(1)} s at the last one`;
    const detail = `${rows.length} sealed master(s) use ${gb(used)} of evidence.maxBytes ${gb(e.maxBytes)} (${pct}%), ${held.length} under a hold (${gb(heldBytes)})${clock}`;
    if (heldBytes > 0.9 * e.maxBytes)
      return {
        status: 'warn',
        detail,
        fix: 'held masters are never deleted for room and fill most of the limit: new masters will be refused. Release holds the police no longer need, or raise evidence.maxBytes',
      };
    if (offset !== null && Math.abs(offset) > CLOCK_WARN_MS)
      return {
        status: 'warn',
        detail,
        fix: "the recorder's clock is more than 2 s out: set it (or point it at the same NTP server) so the footage's times are right",
      };
    return { status: 'ok', detail };
  },
};
