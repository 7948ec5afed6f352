// Everything the web layer needs, as ports. The lead wires real services in app/; tests and the dev fixtures
// pass fakes. Nothing here opens a socket or a file.
import type { Accounts, LanguageChoices, LoginThrottle } from '../core/ports/accounts.js';
import type { ApprovalService } from '../core/ports/approval-service.js';
import type { AuditLog } from '../core/ports/audit-log.js';
import type { AuditQueries } from '../core/ports/audit-queries.js';
import type { ClipReview } from '../core/ports/clips.js';
import type { Clock } from '../core/ports/clock.js';
import type { MasterStatusService, PoliceExportService } from '../core/ports/evidence-desk.js';
import type { IncidentService } from '../core/ports/incident-service.js';
import type { InstallerChecks } from '../core/ports/installer-checks.js';
import type { ReviewService } from '../core/ports/review-service.js';
import type { StatusService } from '../core/ports/status-service.js';
import type { SubjectAccessService } from '../core/ports/subject-access.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { HoldService } from '../services/holds/holds.js';

/** The session store @fastify/session calls (callback style). */
export interface WebSessionStore {
  set(id: string, session: object, callback: (err?: Error | null) => void): void;
  get(id: string, callback: (err: Error | null | undefined, session?: unknown) => void): void;
  destroy(id: string, callback: (err?: Error | null) => void): void;
  /** Removes expired sessions; called hourly by the web module when present. */
  prune?(): number;
}

export interface WebDeps {
  site: { id: string; name: string };
  clock: Clock;
  log: Logger;
  audit: AuditLog;
  accounts: Accounts;
  throttle: LoginThrottle;
  sessionStore: WebSessionStore;
  /** At least 32 characters; signs the session cookie. */
  sessionSecret: string;
  sessionHours: number;
  /** A manager must approve each send. */
  fourEyes: boolean;
  incidents: IncidentService;
  review: ReviewService;
  approvals: ApprovalService;
  holds: HoldService;
  sar: SubjectAccessService;
  status: StatusService;
  installer: InstallerChecks;
  auditQueries: AuditQueries;
  metrics: Metrics;
  /** Bearer token for /metrics; when absent /metrics answers 404. */
  metricsToken: string | undefined;
  /** Each account's chosen language; without it a choice lasts for the session and the browser (a cookie). */
  languages?: LanguageChoices;
  /** Redacted clips on the review page; absent when the clips feature is off. */
  clips?: ClipReview;
  /** The police master on the incident page; absent when masters are not acquired (evidence off, no ISAPI). */
  masters?: MasterStatusService;
  /** Police exports from the incident page (managers). */
  policeExports?: PoliceExportService;
  /** Login attempts per client address per minute before 429 (on top of the per-account lockout). */
  loginRateLimit?: { max: number; timeWindowMs: number };
}
