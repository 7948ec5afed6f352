// Where capture keeps the recorder's clock offset per incident (latest capture attempt wins) and where the packet
// step reads it back. One small table; deleting an incident removes its row.
import type Database from 'better-sqlite3';
import type { PacketRecorderClock } from '../../core/packet/manifest.js';
import type { RecorderClockReading } from '../../core/ports/frame-source.js';

export class SqliteRecorderClockLog {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  record(incidentId: string, r: RecorderClockReading): void {
    this.#db
      .prepare(
        `INSERT INTO recorder_clock (incident_id, offset_ms, source, measured_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(incident_id) DO UPDATE SET offset_ms = excluded.offset_ms, source = excluded.source,
           measured_at = excluded.measured_at`,
      )
      .run(incidentId, Math.round(r.offsetMs), r.source, r.readAt);
  }

  forIncident(incidentId: string): PacketRecorderClock | undefined {
    const row = this.#db
      .prepare('SELECT offset_ms, source, measured_at FROM recorder_clock WHERE incident_id = ?')
      .get(incidentId) as { offset_ms: number; source: 'isapi' | 'onvif'; measured_at: string } | undefined;
    return row ? { offsetMs: row.offset_ms, source: row.source, measuredAt: row.measured_at } : undefined;
  }
}
