// The original stills disclosures read, from the stills and incidents tables (the StoredOriginals port).
import type { StoredOriginal, StoredOriginals } from '../../core/ports/stored-originals.js';
import type { Db } from './sqlite-store.js';

interface OriginalRow {
  id: string;
  incident_id: string;
  captured_at: string;
  file: string;
  key_id: string | null;
  sha256: string;
  camera: number;
  trigger_time: string;
}

export class SqliteOriginals implements StoredOriginals {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  incidentExists(incidentId: string): boolean {
    return this.#db.prepare('SELECT 1 FROM incidents WHERE id = ?').get(incidentId) !== undefined;
  }

  ofIncident(incidentId: string): StoredOriginal[] {
    return this.#originals('s.incident_id = ?', [incidentId]);
  }

  ofCamera(camera: number, from: string, to: string): StoredOriginal[] {
    return this.#originals('i.camera = ? AND i.trigger_time >= ? AND i.trigger_time <= ?', [camera, from, to]);
  }

  #originals(where: string, params: unknown[]): StoredOriginal[] {
    return (
      this.#db
        .prepare(
          `SELECT s.id, s.incident_id, s.captured_at, s.file, s.key_id, s.sha256, i.camera, i.trigger_time
           FROM stills s JOIN incidents i ON i.id = s.incident_id
           WHERE s.kind = 'original' AND s.deleted_at IS NULL AND ${where} ORDER BY i.trigger_time, s.captured_at, s.id`,
        )
        .all(...params) as OriginalRow[]
    ).map((r) => ({
      id: r.id,
      incidentId: r.incident_id,
      capturedAt: r.captured_at,
      file: r.file,
      keyId: r.key_id,
      sha256: r.sha256,
      camera: r.camera,
      triggerTime: r.trigger_time,
    }));
  }
}
