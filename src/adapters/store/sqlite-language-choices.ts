// Each web account's chosen language, in web_language_choices (migration 052).
import type { LanguageChoices } from '../../core/ports/accounts.js';
import type { Db } from './sqlite-store.js';

export class SqliteLanguageChoices implements LanguageChoices {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  get(username: string): string | undefined {
    const row = this.#db.prepare('SELECT lang FROM web_language_choices WHERE username = ?').get(username) as
      | { lang: string }
      | undefined;
    return row?.lang;
  }

  set(username: string, lang: string): void {
    this.#db
      .prepare(
        'INSERT INTO web_language_choices (username, lang) VALUES (?, ?) ON CONFLICT(username) DO UPDATE SET lang = excluded.lang',
      )
      .run(username, lang);
  }
}
