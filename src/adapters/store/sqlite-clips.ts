// Redacted clips' records in the clips table (the MP4 itself is an encrypted file in EncryptedFiles).
import type { ClipStore, StoredClip } from '../../core/ports/clips.js';
import type { Db } from './sqlite-store.js';

export class SqliteClips implements ClipStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  save(clip: StoredClip, analysis: string): void {
    this.#db
      .prepare(
        `INSERT INTO clips (incident_id, clip, analysis, made_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(incident_id) DO UPDATE SET clip = excluded.clip, analysis = excluded.analysis, made_at = excluded.made_at`,
      )
      .run(clip.incidentId, JSON.stringify(clip), analysis, clip.madeAt);
  }

  get(incidentId: string): StoredClip | undefined {
    const row = this.#db.prepare('SELECT clip FROM clips WHERE incident_id = ?').get(incidentId) as
      | { clip: string }
      | undefined;
    return row ? (JSON.parse(row.clip) as StoredClip) : undefined;
  }

  analysis(incidentId: string): string | undefined {
    const row = this.#db.prepare('SELECT analysis FROM clips WHERE incident_id = ?').get(incidentId) as
      | { analysis: string }
      | undefined;
    return row?.analysis;
  }
}
