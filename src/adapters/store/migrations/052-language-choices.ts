// Each web account's chosen language (English or Welsh), so a shared till tablet shows each person their own.
import type { Migration } from './index.js';

export const languageChoices: Migration = {
  version: 52,
  name: 'language-choices',
  sql: `
CREATE TABLE web_language_choices (
  username TEXT PRIMARY KEY,
  lang TEXT NOT NULL
);
`,
};
