// Review drafts in the review_drafts table.
import type { Clock } from '../../core/ports/clock.js';
import type { DraftStore, StoredDraft } from '../../core/ports/review-service.js';
import type { Db } from './sqlite-store.js';

export class SqliteDrafts implements DraftStore {
  readonly #db: Db;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  get(incidentId: string): StoredDraft | undefined {
    const row = this.#db.prepare('SELECT draft FROM review_drafts WHERE incident_id = ?').get(incidentId) as
      | { draft: string }
      | undefined;
    return row ? (JSON.parse(row.draft) as StoredDraft) : undefined;
  }

  set(incidentId: string, draft: StoredDraft, actor: string): void {
    this.#db
      .prepare(
        `INSERT INTO review_drafts (incident_id, draft, updated_by, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(incident_id) DO UPDATE SET draft = excluded.draft, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      )
      .run(incidentId, JSON.stringify(draft), actor, this.#clock.now().toISOString());
  }
}
