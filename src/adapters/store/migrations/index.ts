// Numbered schema migrations, applied in order at start-up and recorded in schema_migrations.
// Numbers are reserved per capability so parallel work does not collide: 1–9 foundation, 10–19 capture,
// 20–29 packets/outbox, 30–39 retention/SAR, 40–49 operations, 50–59 web.
import { initial } from './001-initial.js';
import { capture } from './010-capture.js';
import { recorderClock } from './011-recorder-clock.js';
import { stillChecks } from './012-still-checks.js';
import { retention } from './030-retention.js';
import { checkpointsSent } from './031-checkpoints-sent.js';
import { webSessions } from './050-web-sessions.js';
import { reviewDrafts } from './051-review-drafts.js';
import { languageChoices } from './052-language-choices.js';
import { evidenceMasters } from './070-evidence-masters.js';
import { evidenceProgress } from './071-evidence-progress.js';
import { clips } from './080-clips.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  initial,
  capture,
  recorderClock,
  stillChecks,
  retention,
  checkpointsSent,
  webSessions,
  reviewDrafts,
  languageChoices,
  evidenceMasters,
  evidenceProgress,
  clips,
];
