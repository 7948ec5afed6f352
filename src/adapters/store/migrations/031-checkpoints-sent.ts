// Which signed checkpoints went to the hub: the publisher's checkpoints are kept beside the local ones, so the
// compliance report lists what the hub was sent and never calls a local-only checkpoint "for the hub".
import type { Migration } from './index.js';

export const checkpointsSent: Migration = {
  version: 31,
  name: 'checkpoints-sent-to',
  sql: `
ALTER TABLE audit_checkpoints ADD COLUMN sent_to TEXT;
`,
};
