// Audits configuration changes: provisioning, enrolment and whatever the service finds at start-up (a file edited
// by hand, a model switched) each write one `config-change` entry with the non-secret keys that changed, when any.
import type { AuditEntry } from '../core/audit-chain.js';
import { configChanges, flattenConfig } from '../core/config-diff.js';
import type { AuditLog } from '../core/ports/audit-log.js';
import type { ConfigHistory } from '../core/ports/config-history.js';

export function auditConfigChange(
  deps: { audit: AuditLog; history: ConfigHistory },
  config: unknown,
  change: { actor: string; reason: string; subject: string },
): AuditEntry | undefined {
  const before = deps.history.lastRecorded();
  const after = flattenConfig(config);
  const changes = configChanges(before, after);
  if (Object.keys(changes).length === 0) return undefined;
  return deps.audit.append({
    actor: change.actor,
    action: 'config-change',
    subject: change.subject,
    details: {
      reason: change.reason,
      first: before === undefined,
      // The first record lists no changes (everything would be one); it keeps the whole configuration below.
      changes: before === undefined ? {} : { ...changes },
      config: after,
    },
  });
}
