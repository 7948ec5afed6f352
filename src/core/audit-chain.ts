// The audit chain: an append-only list of actions where each entry's hash covers its own fields and the hash of
// the entry before it, so that editing, deleting, inserting or reordering any entry breaks the chain at that point.
// Pure: storage lives in adapters/store, this module only computes and checks.
import { createHash } from 'node:crypto';
import { canonicalJson, type JsonValue } from './canonical-json.js';

export const GENESIS_HASH = '0'.repeat(64);

/** What a caller supplies for one audited action. */
export interface AuditEvent {
  actor: string;
  action: AuditAction;
  subject: string;
  details?: { [key: string]: JsonValue };
}

/** One stored entry of the chain. `time` is ISO 8601 UTC with milliseconds. */
export interface AuditEntry {
  seq: number;
  time: string;
  actor: string;
  action: string;
  subject: string;
  details: { [key: string]: JsonValue };
  prevHash: string;
  hash: string;
}

/** The registers of the code of practice that are views over the audit chain (core/registers.ts). */
export type AuditRegister = 'media' | 'disclosure';

/** The actions the appliance records, each with the registers it appears in: the one list, so registers and
 * reports can rely on the names. */
const ACTIONS = {
  'service-start': [],
  'service-stop': [],
  'module-failed': [],
  'config-change': [],
  login: [],
  'login-failed': [],
  logout: [],
  trigger: [],
  capture: ['media'],
  'capture-failed': [],
  'nvr-login-refused': [],
  redact: ['media'],
  // A weaker face detector runs than the one configured (the model missing or its fetch failed), and a reviewer's
  // word that a context still shows no face left unhidden, which such a still needs before it is sent (issue 15).
  'detector-degraded': [],
  'confirm-still': ['media'],
  // The redaction certificate of one image: the checks run on the redacted output and what they found (no boxes).
  'redaction-verify': [],
  // A redacted clip made (or made again for a chosen subject) from the recorder's footage.
  clip: ['media'],
  view: ['media'],
  'view-denied': [],
  reveal: ['media'],
  review: ['media'],
  approve: [],
  reject: [],
  send: ['media', 'disclosure'],
  ack: ['media', 'disclosure'],
  export: ['media'],
  'sar-export': ['media', 'disclosure'],
  // An export asked for and not made: the 30-day duty is still open, and the log shows that someone tried.
  'sar-export-failed': [],
  'police-export': ['media', 'disclosure'],
  // A police export asked for from the web and not made (the folder is not claimed; the log shows the attempt).
  'police-export-failed': [],
  delete: ['media'],
  'hold-place': ['media'],
  'hold-release': ['media'],
  'retention-sweep': [],
  checkpoint: [],
  provision: [],
  enrol: [],
  'user-change': [],
  // The hub's collation: a subject created, a report linked or unlinked, an administrator field corrected (the
  // previous value kept in the entry).
  'subject-change': [],
  // A packet taken in by `hub ingest` (the receive path without MQTT).
  ingest: ['media'],
  note: [],
  'packet-queue': [],
  'packet-failed': [],
  // The police master of an incident: the recorder's native footage sealed (hash, method, clock offset), or not.
  'evidence-acquire': ['media'],
  'evidence-acquire-failed': [],
} as const satisfies Record<string, readonly AuditRegister[]>;

export type AuditAction = keyof typeof ACTIONS;
export const AUDIT_ACTIONS: readonly AuditAction[] = Object.keys(ACTIONS) as AuditAction[];

/** Whether entries of `action` belong in `register`. */
export function inRegister(action: string, register: AuditRegister): boolean {
  return isAuditAction(action) && (ACTIONS[action] as readonly AuditRegister[]).includes(register);
}

export function isAuditAction(s: string): s is AuditAction {
  return Object.hasOwn(ACTIONS, s);
}

/** The exact bytes hashed for an entry: canonical JSON of the array [seq, time, actor, action, subject, details, prevHash]. */
export function canonicalEntry(e: Omit<AuditEntry, 'hash'>): string {
  return canonicalJson([e.seq, e.time, e.actor, e.action, e.subject, e.details, e.prevHash]);
}

export function entryHash(e: Omit<AuditEntry, 'hash'>): string {
  return createHash('sha256').update(canonicalEntry(e), 'utf8').digest('hex');
}

/** Builds the next entry after `prev` (or the first entry when `prev` is undefined). */
export function nextEntry(
  prev: Pick<AuditEntry, 'seq' | 'hash'> | undefined,
  time: Date,
  event: AuditEvent,
): AuditEntry {
  const body = {
    seq: prev ? prev.seq + 1 : 1,
    time: time.toISOString(),
    actor: event.actor,
    action: event.action,
    subject: event.subject,
    details: event.details ?? {},
    prevHash: prev ? prev.hash : GENESIS_HASH,
  };
  return { ...body, hash: entryHash(body) };
}

export type ChainFault = 'edited' | 'bad-link' | 'missing' | 'inserted' | 'reordered' | 'truncated' | 'unreadable';

export interface ChainReport {
  ok: boolean;
  entries: number;
  firstSeq: number | null;
  lastSeq: number | null;
  headHash: string | null;
  /** The first entry at which the chain breaks, and why. */
  failure?: { seq: number; fault: ChainFault; message: string };
}

/**
 * Walks entries in storage order and reports the first break. `startAfter` lets a verifier start from a known
 * good entry (an acknowledged checkpoint) instead of genesis. `expectedHead` is the head the store recorded
 * separately; a chain shorter than it was truncated.
 */
export function verifyChain(
  entries: Iterable<AuditEntry>,
  options: { startAfter?: Pick<AuditEntry, 'seq' | 'hash'>; expectedHead?: Pick<AuditEntry, 'seq' | 'hash'> } = {},
): ChainReport {
  let prev: Pick<AuditEntry, 'seq' | 'hash'> | undefined = options.startAfter;
  let count = 0;
  let firstSeq: number | null = null;
  const fail = (seq: number, fault: ChainFault, message: string): ChainReport => ({
    ok: false,
    entries: count,
    firstSeq,
    lastSeq: prev?.seq ?? null,
    headHash: prev?.hash ?? null,
    failure: { seq, fault, message },
  });
  for (const e of entries) {
    const expectedSeq = prev ? prev.seq + 1 : 1;
    const expectedPrev = prev ? prev.hash : GENESIS_HASH;
    const recomputed = entryHash(e);
    if (e.seq !== expectedSeq) {
      if (e.seq > expectedSeq) {
        return fail(expectedSeq, 'missing', `entry ${expectedSeq} is missing: the next stored entry is ${e.seq}`);
      }
      return fail(
        e.seq,
        'reordered',
        `entry ${e.seq} appears after entry ${expectedSeq - 1}: entries were reordered or duplicated`,
      );
    }
    if (recomputed !== e.hash) {
      if (e.prevHash !== expectedPrev) {
        return fail(
          e.seq,
          'inserted',
          `entry ${e.seq} does not belong to this chain (its link and its hash are both wrong): it was inserted or replaced`,
        );
      }
      return fail(
        e.seq,
        'edited',
        `entry ${e.seq} was changed after it was written: its hash does not match its contents`,
      );
    }
    if (e.prevHash !== expectedPrev) {
      return fail(
        e.seq,
        'bad-link',
        `entry ${e.seq} does not link to entry ${expectedSeq - 1}: an entry before it was changed, removed or replaced`,
      );
    }
    if (firstSeq === null) firstSeq = e.seq;
    prev = e;
    count++;
  }
  if (options.expectedHead && (prev?.seq ?? 0) < options.expectedHead.seq) {
    const at = (prev?.seq ?? 0) + 1;
    return fail(
      at,
      'truncated',
      `the chain ends at entry ${prev?.seq ?? 0} but the store recorded ${options.expectedHead.seq} entries: entries from ${at} on were removed`,
    );
  }
  if (
    options.expectedHead &&
    prev &&
    prev.seq === options.expectedHead.seq &&
    prev.hash !== options.expectedHead.hash
  ) {
    return fail(prev.seq, 'edited', `entry ${prev.seq} differs from the head the store recorded when it was written`);
  }
  return { ok: true, entries: count, firstSeq, lastSeq: prev?.seq ?? null, headHash: prev?.hash ?? null };
}
