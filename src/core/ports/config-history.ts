// Port: the configuration as the last `config-change` audit entry recorded it, so the next change can be audited
// as a difference.
import type { FlatConfig } from '../config-diff.js';

export interface ConfigHistory {
  lastRecorded(): FlatConfig | undefined;
}
