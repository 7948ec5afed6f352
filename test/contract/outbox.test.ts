// Contract for the Outbox port, run against the SQLite outbox and the in-memory fake (as MQTT.js runs one store
// suite against each of its stores). Incident statuses move only through the repository's transition().
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeIncidents } from '../../src/adapters/store/fake-incidents.js';
import { FakeOutbox } from '../../src/adapters/store/fake-outbox.js';
import { SqliteAuditLog } from '../../src/adapters/store/sqlite-audit-log.js';
import { SqliteOutbox } from '../../src/adapters/store/sqlite-outbox.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import type { AuditEvent } from '../../src/core/audit-chain.js';
import type { IncidentStatus } from '../../src/core/incident.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { counterIds } from '../../src/core/ports/ids.js';
import type { Outbox } from '../../src/core/ports/outbox.js';
import { insertIncident } from '../support/packets.js';
import { tempDir } from '../support/tmp.js';

interface Harness {
  outbox: Outbox;
  clock: FixedClock;
  incidentStatus(id: string): string | undefined;
  auditActions(): string[];
  addIncident(id: string, status?: string): void;
}

function outboxContract(name: string, make: () => Harness) {
  describe(`Outbox contract: ${name}`, () => {
    const row = (id: string, incidentId: string | null) => ({
      id,
      incidentId,
      kind: 'incident' as const,
      topic: `bcrp/shop-001/incidents/${id}`,
      payload: Buffer.from(`packet ${id}`),
    });
    const audit = (subject: string) => ({ actor: 'sam', action: 'packet-queue' as const, subject });

    it('queues the row, the incident status and the audit entry together', () => {
      const h = make();
      h.addIncident('inc-1');
      h.outbox.enqueue(row('p1', 'inc-1'), audit('inc-1'));
      expect(h.outbox.get('p1')).toMatchObject({ state: 'queued', attempts: 0, incidentId: 'inc-1' });
      expect(h.outbox.get('p1')!.payload.toString()).toBe('packet p1');
      expect(h.incidentStatus('inc-1')).toBe('queued');
      expect(h.auditActions()).toEqual(['packet-queue']);
      expect(h.outbox.depth()).toBe(1);
    });

    it('writes nothing when the incident is missing or already sent', () => {
      const h = make();
      expect(() => h.outbox.enqueue(row('p1', 'nope'), audit('nope'))).toThrow(/does not exist/);
      h.addIncident('inc-2', 'acked');
      expect(() => h.outbox.enqueue(row('p2', 'inc-2'), audit('inc-2'))).toThrow(/is acked/);
      expect(h.outbox.get('p1')).toBeUndefined();
      expect(h.outbox.get('p2')).toBeUndefined();
      expect(h.auditActions()).toEqual([]);
      expect(h.incidentStatus('inc-2')).toBe('acked');
    });

    it('a failed insert rolls back the status change and the audit entry', () => {
      const h = make();
      h.addIncident('inc-3');
      h.addIncident('inc-4');
      h.outbox.enqueue(row('dup', 'inc-3'), audit('inc-3'));
      expect(() => h.outbox.enqueue(row('dup', 'inc-4'), audit('inc-4'))).toThrow();
      expect(h.incidentStatus('inc-4')).toBe('in-review');
      expect(h.auditActions()).toEqual(['packet-queue']);
    });

    it('moves queued → sent → acked, resending a sent row only after its time', () => {
      const h = make();
      h.addIncident('inc-5');
      h.outbox.enqueue(row('p5', 'inc-5'), audit('inc-5'));
      expect(h.outbox.due(h.clock.now(), 10).map((r) => r.id)).toEqual(['p5']);
      h.outbox.markSent('p5', h.clock.now(), new Date(h.clock.now().getTime() + 60_000), {
        actor: 'system',
        action: 'send',
        subject: 'inc-5',
      });
      expect(h.outbox.get('p5')).toMatchObject({ state: 'sent', attempts: 1 });
      expect(h.incidentStatus('inc-5')).toBe('sent');
      expect(h.outbox.due(h.clock.now(), 10)).toEqual([]);
      h.clock.advance(60_000);
      expect(h.outbox.due(h.clock.now(), 10).map((r) => r.id)).toEqual(['p5']);
      expect(h.outbox.markAcked('p5', h.clock.now(), { actor: 'hub', action: 'ack', subject: 'inc-5' })).toBe(true);
      expect(h.outbox.get('p5')).toMatchObject({ state: 'acked' });
      expect(h.incidentStatus('inc-5')).toBe('acked');
      expect(h.outbox.markAcked('p5', h.clock.now(), { actor: 'hub', action: 'ack', subject: 'inc-5' })).toBe(false);
      expect(h.outbox.markAcked('unknown', h.clock.now(), { actor: 'hub', action: 'ack', subject: 'x' })).toBe(false);
      expect(h.auditActions()).toEqual(['packet-queue', 'send', 'ack']);
      expect(h.outbox.depth()).toBe(0);
    });

    it('a retry waits for its time; a failure closes the row with the reason', () => {
      const h = make();
      h.addIncident('inc-6');
      h.outbox.enqueue(row('p6', 'inc-6'), audit('inc-6'));
      h.outbox.markRetry('p6', 'offline', new Date(h.clock.now().getTime() + 5000));
      expect(h.outbox.due(h.clock.now(), 10)).toEqual([]);
      expect(h.outbox.get('p6')).toMatchObject({ state: 'queued', attempts: 1, lastError: 'offline' });
      h.clock.advance(5000);
      expect(h.outbox.due(h.clock.now(), 10)).toHaveLength(1);
      expect(h.outbox.markFailed('p6', 'schema', { actor: 'hub', action: 'packet-failed', subject: 'inc-6' })).toBe(
        true,
      );
      expect(h.incidentStatus('inc-6')).toBe('failed');
      expect(h.outbox.due(h.clock.now(), 10)).toEqual([]);
    });

    it('writes one send row per incident however often its packet is published', () => {
      const h = make();
      h.addIncident('inc-7');
      h.outbox.enqueue(row('p7', 'inc-7'), audit('inc-7'));
      const send = { actor: 'system', action: 'send' as const, subject: 'inc-7', details: { packetId: 'p7' } };
      expect(h.outbox.markSent('p7', h.clock.now(), h.clock.now(), send)).toBe(true);
      expect(h.outbox.markSent('p7', h.clock.now(), h.clock.now(), send)).toBe(false);
      expect(h.outbox.markSent('p7', h.clock.now(), h.clock.now())).toBe(false);
      expect(h.outbox.get('p7')).toMatchObject({ state: 'sent', attempts: 3 });
      expect(h.auditActions()).toEqual(['packet-queue', 'send']);
      expect(h.incidentStatus('inc-7')).toBe('sent');
    });

    it('a resend of a packet without an incident writes no second send row; a closed row is not sent again', () => {
      const h = make();
      h.outbox.enqueue(row('p8', null), { actor: 'bench', action: 'packet-queue', subject: 'p8' });
      const send = { actor: 'system', action: 'send' as const, subject: 'p8' };
      expect(h.outbox.markSent('p8', h.clock.now(), h.clock.now(), send)).toBe(true);
      expect(h.outbox.markSent('p8', h.clock.now(), h.clock.now(), send)).toBe(false);
      expect(h.auditActions()).toEqual(['packet-queue', 'send']);
      expect(h.outbox.markAcked('p8', h.clock.now(), { actor: 'hub', action: 'ack', subject: 'p8' })).toBe(true);
      expect(h.outbox.markSent('p8', h.clock.now(), h.clock.now(), send)).toBe(false);
      expect(h.outbox.get('p8')).toMatchObject({ state: 'acked', attempts: 2 });
      expect(h.auditActions()).toEqual(['packet-queue', 'send', 'ack']);
      expect(h.outbox.markSent('unknown', h.clock.now(), h.clock.now(), send)).toBe(false);
    });

    it('a checkpoint row has no incident: its audit rows are written as given', () => {
      const h = make();
      h.outbox.enqueue(
        { ...row('c1', null), kind: 'checkpoint' },
        { actor: 'system', action: 'packet-queue', subject: 'audit-log' },
      );
      h.outbox.markAcked('c1', h.clock.now(), { actor: 'hub', action: 'ack', subject: 'audit-log' });
      expect(h.auditActions()).toEqual(['packet-queue', 'ack']);
    });

    it('returns due rows oldest first, at most the limit', () => {
      const h = make();
      for (let i = 0; i < 5; i++) {
        h.addIncident(`i${i}`);
        h.outbox.enqueue(row(`p${i}`, `i${i}`), audit(`i${i}`));
        h.clock.advance(1000);
      }
      expect(h.outbox.due(h.clock.now(), 3).map((r) => r.id)).toEqual(['p0', 'p1', 'p2']);
    });
  });
}

const root = tempDir();
outboxContract('sqlite', () => {
  const clock = new FixedClock('2026-11-23T10:00:00Z');
  const db = openDatabase(mkdtempSync(join(root, 'case-')), { clock });
  const log = new SqliteAuditLog(db, clock);
  return {
    outbox: new SqliteOutbox(db, clock, log),
    clock,
    incidentStatus: (id) =>
      (db.prepare('SELECT status FROM incidents WHERE id = ?').get(id) as { status: string } | undefined)?.status,
    auditActions: () => [...log.entries()].map((e) => e.action),
    addIncident: (id, status) => insertIncident(db, id, 'shop-001', status),
  };
});

outboxContract('in-memory fake', () => {
  const clock = new FixedClock('2026-11-23T10:00:00Z');
  const log: AuditEvent[] = [];
  const audit = {
    append: (e: AuditEvent) => {
      log.push(e);
      return { ...e, seq: log.length, time: '', details: e.details ?? {}, prevHash: '', hash: '' };
    },
  };
  const incidents = new FakeIncidents({ clock, ids: counterIds('inc'), audit });
  return {
    outbox: new FakeOutbox({ clock, incidents, audit }),
    clock,
    incidentStatus: (id) => incidents.get(id)?.status,
    auditActions: () => log.map((e) => e.action),
    addIncident: (id, status) =>
      incidents.put({
        id,
        siteId: 'shop-001',
        camera: 1,
        triggerTime: '2026-11-23T10:00:00.000Z',
        source: 'button',
        status: (status ?? 'in-review') as IncidentStatus,
        statusReason: null,
        category: 'theft',
        createdAt: '2026-11-23T10:00:00.000Z',
        updatedAt: '2026-11-23T10:00:00.000Z',
      }),
  };
});
