// The last recorded configuration, read from the newest `config-change` entry of the audit chain.
import type { FlatConfig } from '../../core/config-diff.js';
import type { ConfigHistory } from '../../core/ports/config-history.js';
import type { Db } from './sqlite-store.js';

export class SqliteConfigHistory implements ConfigHistory {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  lastRecorded(): FlatConfig | undefined {
    const r = this.#db
      .prepare("SELECT details FROM audit_log WHERE action = 'config-change' ORDER BY seq DESC LIMIT 1")
      .get() as { details: string } | undefined;
    return r ? (JSON.parse(r.details) as { config?: FlatConfig }).config : undefined;
  }
}
