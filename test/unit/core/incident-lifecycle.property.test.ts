// The incident lifecycle under random event sequences: capture done/failed/interrupted, face check, review submit,
// approval, queue, publish, ack, hub or manager rejection, evidence hold and retention, driven through the real
// SQLite incidents repository and outbox. Whatever the order, the status only ever follows the table, each move
// writes exactly the audit row the table names, final statuses stay final, a packet is sent (audited) at most once,
// and nothing is written for an incident retention has deleted.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SqliteIncidents } from '../../../src/adapters/store/incidents.js';
import { SqliteAuditLog } from '../../../src/adapters/store/sqlite-audit-log.js';
import { SqliteOutbox } from '../../../src/adapters/store/sqlite-outbox.js';
import { openDatabase } from '../../../src/adapters/store/sqlite-store.js';
import { INCIDENT_STATUSES, type IncidentStatus } from '../../../src/core/incident.js';
import {
  FINAL_STATUSES,
  findTransition,
  INCIDENT_TRANSITIONS,
  nextStatuses,
} from '../../../src/core/incident-lifecycle.js';
import { FixedClock } from '../../../src/core/ports/clock.js';
import { counterIds } from '../../../src/core/ports/ids.js';
import { tempDir } from '../../support/tmp.js';

const EVENTS = [
  'capture-done',
  'capture-failed',
  'capture-interrupted',
  'faces-checked',
  'faces-unchecked',
  'review-submit',
  'approval',
  'manager-reject',
  'queue',
  'publish',
  'ack',
  'hub-reject',
  'hold',
  'retention',
] as const;
type Event = (typeof EVENTS)[number];

// The steps of the happy path come up more often, so that long sequences get far along the lifecycle.
const COMMON: readonly Event[] = ['capture-done', 'faces-checked', 'queue', 'publish', 'ack'];
const eventArb = fc.oneof(
  { arbitrary: fc.constantFrom(...COMMON), weight: 3 },
  { arbitrary: fc.constantFrom(...EVENTS), weight: 2 },
);

const LIFECYCLE_ACTIONS = new Set<string>(INCIDENT_TRANSITIONS.flatMap((t) => (t.audit ? [t.audit] : [])));

describe('the transition table', () => {
  it('reaches every status from triggered, lets nothing leave a final status, and names each move once', () => {
    const seen = new Set<IncidentStatus>(['triggered']);
    const todo: IncidentStatus[] = ['triggered'];
    while (todo.length) for (const n of nextStatuses(todo.pop()!)) if (!seen.has(n) && seen.add(n)) todo.push(n);
    expect([...seen].sort()).toEqual([...INCIDENT_STATUSES].sort());
    for (const f of FINAL_STATUSES) expect(nextStatuses(f)).toEqual([]);
    const pairs = INCIDENT_TRANSITIONS.map((t) => `${t.from}>${t.to}`);
    expect(new Set(pairs).size).toBe(pairs.length);
    // Nothing goes back once the packet left: no move from sent or acked to queued, review or capture.
    for (const from of ['sent', 'acked'] as const)
      expect(nextStatuses(from).filter((s) => !['acked', 'failed'].includes(s))).toEqual([]);
  });
});

function world() {
  const clock = new FixedClock('2026-11-23T10:00:00Z');
  const db = openDatabase(tempDir('bcrp-lifecycle-'), { clock });
  const audit = new SqliteAuditLog(db, clock);
  const incidents = new SqliteIncidents(db, { clock, ids: counterIds('inc'), audit });
  const outbox = new SqliteOutbox(db, clock, audit, incidents);
  return { clock, db, audit, incidents, outbox };
}

/** Runs one event the way the service that owns it does; returns whether it did anything. */
function apply(w: ReturnType<typeof world>, id: string, state: { packets: string[]; held: boolean }, e: Event) {
  const { incidents, outbox, clock } = w;
  const status = incidents.get(id)?.status;
  const move = (to: IncidentStatus, reason: string | null = null) => {
    if (status === undefined) return incidents.transition(id, 'triggered', to, { actor: 'system' });
    return incidents.transition(id, status, to, { actor: 'system', details: { event: e } }, reason);
  };
  const packet = state.packets.at(-1) ?? 'none';
  switch (e) {
    case 'capture-done':
      return move('captured');
    case 'capture-failed':
      return move('capture-failed', 'NVR down');
    case 'capture-interrupted':
      return status === 'triggered' ? move('capture-failed', 'interrupted by a restart') : undefined;
    case 'faces-checked':
      return move('in-review');
    case 'faces-unchecked':
      return move('captured', 'faces could not be checked');
    case 'review-submit':
      return move('awaiting-approval');
    case 'manager-reject':
      return move('rejected', 'not clear enough');
    case 'approval':
      if (status !== 'awaiting-approval') throw new Error('not waiting for approval');
      return queue();
    case 'queue':
      return queue();
    case 'publish':
      return outbox.markSent(packet, clock.now(), clock.now(), {
        actor: 'system',
        action: 'send',
        subject: id,
        details: { packetId: packet },
      });
    case 'ack':
      return outbox.markAcked(packet, clock.now(), { actor: 'hub', action: 'ack', subject: id });
    case 'hub-reject':
      return outbox.markFailed(packet, 'schema', { actor: 'hub', action: 'packet-failed', subject: id });
    case 'hold':
      state.held = true;
      return;
    case 'retention':
      // The sweeper's rule for an incident record: never while held, never while its packet is still in flight.
      if (state.held || status === 'queued' || status === 'sent' || status === undefined) return;
      w.db.prepare('DELETE FROM outbox WHERE incident_id = ?').run(id);
      w.db.prepare('DELETE FROM incidents WHERE id = ?').run(id);
      return;
  }
  function queue() {
    const p = `pkt-${state.packets.length + 1}`;
    outbox.enqueue(
      { id: p, incidentId: id, kind: 'incident', topic: `bcrp/s/incidents/${p}`, payload: Buffer.from(p) },
      { actor: 'staff', action: 'packet-queue', subject: id, details: { packetId: p } },
    );
    state.packets.push(p);
  }
}

describe('incident lifecycle under random event sequences', () => {
  it('keeps the table’s invariants whatever happens in whatever order', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 30 }), (events) => {
        const w = world();
        const id = w.incidents.create({ siteId: 's', camera: 1, triggerTime: w.clock.now(), source: 'button' }).id;
        const state = { packets: [] as string[], held: false };
        const statuses: (IncidentStatus | undefined)[] = ['triggered'];
        const expected: string[] = [];
        for (const e of events) {
          w.clock.advance(1000);
          const was = w.incidents.get(id);
          const before = was?.status;
          const rowsBefore = [...w.audit.entries()].length;
          try {
            apply(w, id, state, e);
          } catch {
            // Refused: nothing may have been written.
            expect([...w.audit.entries()].length).toBe(rowsBefore);
          }
          const now = w.incidents.get(id);
          const after = now?.status;
          statuses.push(after);
          if (before === undefined) {
            // Deleted by retention: it stays gone and nothing is written for it.
            expect(after).toBeUndefined();
            expect([...w.audit.entries()].length).toBe(rowsBefore);
            continue;
          }
          if (after === undefined) {
            expect(state.held).toBe(false);
            continue;
          }
          // Every transition stamps updatedAt, and the clock moves on each step: a new stamp is a move.
          if (now!.updatedAt !== was!.updatedAt) {
            const t = findTransition(before, after);
            expect(t, `${e}: ${before} → ${after} is not in the table`).toBeDefined();
            if (t?.audit) expected.push(t.audit);
          }
          if (FINAL_STATUSES.includes(before)) expect(after).toBe(before);
        }
        const rows = [...w.audit.entries()].filter((r) => r.subject === id).map((r) => r.action);
        // Each move wrote exactly the row the table names for it, in order, and no other lifecycle row.
        expect(rows.filter((a) => LIFECYCLE_ACTIONS.has(a))).toEqual(expected);
        // At most one send per packet queued, and never a send before its packet was queued.
        let open = 0;
        for (const a of rows) {
          if (a === 'packet-queue') open = 1;
          if (a === 'send') {
            expect(open).toBe(1);
            open = 0;
          }
        }
        // Review opens only after a face check, and nothing is queued before a capture.
        const first = (s: IncidentStatus) => statuses.indexOf(s);
        if (first('in-review') >= 0) expect(rows).toContain('redact');
        if (first('queued') >= 0) expect(rows).toContain('capture');
        w.db.close();
      }),
      { numRuns: 120 },
    );
  });
});
