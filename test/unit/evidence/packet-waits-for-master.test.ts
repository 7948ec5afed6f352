// A packet sent while the incident's police master is still on its way waits for it (through the bus's master-*
// events, up to evidence.packetWaitSeconds), so it carries the master's SHA-256; when the bound passes first, or the
// master fails, it goes without; a packet for an incident whose master is settled does not wait at all.
import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/app/event-bus.js';
import type { MasterRecord } from '../../../src/core/evidence.js';
import type { Clock } from '../../../src/core/ports/clock.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { MasterStatusDesk } from '../../../src/services/evidence/master-status.js';
import { OutboxDispatcher } from '../../../src/services/publish/outbox-dispatcher.js';
import type { QueuePacketRequest } from '../../../src/services/publish/queue-packet.js';

const TRIGGER = '2026-11-23T10:00:00.000Z';

function setup() {
  let now = new Date('2026-11-23T10:00:20.000Z');
  // The bound's sleep ends only when the test says the time has passed.
  const sleepers: (() => void)[] = [];
  const clock: Clock = { now: () => now, sleep: () => new Promise<void>((r) => sleepers.push(r)) };
  const bus = new EventBus(silentLogger());
  let master: Partial<MasterRecord> | undefined;
  const desk = new MasterStatusDesk({
    masters: { forIncident: () => master as MasterRecord | undefined },
    incident: (id) => (id === 'inc-1' ? { triggerTime: TRIGGER } : undefined),
    settings: { clipPreSeconds: 30, clipPostSeconds: 30, settleSeconds: 2 },
    events: bus,
    clock,
  });
  const queued: QueuePacketRequest[] = [];
  const sealed = {
    sha256: 'c'.repeat(64),
    windowFrom: '2026-11-23T09:59:30.000Z',
    windowTo: '2026-11-23T10:00:30.000Z',
  };
  const dispatcher = new OutboxDispatcher(async (r) => void queued.push(r), {
    evidenceMaster: () => (master?.state === 'sealed' ? sealed : undefined),
    masterSettled: (id) => desk.settled(id, 90_000),
  });
  const packet = { incidentId: 'inc-1', category: 'theft' as const, description: '', triggerTime: TRIGGER, images: [] };
  const base = { windowFrom: sealed.windowFrom, windowTo: sealed.windowTo, attempts: 1, progressBytes: null };
  return {
    bus,
    queued,
    sealed,
    send: () => dispatcher.dispatch(packet, 'sam'),
    setMaster: (m: Partial<MasterRecord> | undefined) => {
      master = m ? { ...base, ...m } : undefined;
    },
    passBound: () => {
      now = new Date(now.getTime() + 90_000);
      for (const s of sleepers.splice(0)) s();
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('a packet queued while its master is on its way', () => {
  it('waits for the seal and carries its hash', async () => {
    const t = setup();
    const sending = t.send();
    await tick();
    expect(t.queued).toHaveLength(0);
    t.setMaster({ state: 'acquiring' });
    t.bus.emit('master-started', { incidentId: 'inc-1', masterId: 'm1', attempt: 1 });
    await tick();
    expect(t.queued).toHaveLength(0);
    t.setMaster({ state: 'sealed', complete: true, sha256: t.sealed.sha256, bytes: 10 });
    t.bus.emit('master-sealed', {
      incidentId: 'inc-1',
      masterId: 'm1',
      sha256: t.sealed.sha256,
      bytes: 10,
      method: 'isapi-download',
    });
    await sending;
    expect(t.queued[0]?.evidenceMaster).toEqual(t.sealed);
  });

  it('goes without it when the bound passes first, or when the master fails', async () => {
    const t = setup();
    const sending = t.send();
    await tick();
    t.passBound();
    await sending;
    expect(t.queued[0]).not.toHaveProperty('evidenceMaster');
    t.setMaster({ state: 'acquiring' });
    const again = t.send();
    await tick();
    t.setMaster({ state: 'failed', lastError: 'recorder unreachable', nextAttemptAt: null });
    t.bus.emit('master-failed', { incidentId: 'inc-1', reason: 'recorder unreachable', nextTry: null });
    await again;
    expect(t.queued[1]).not.toHaveProperty('evidenceMaster');
  });

  it('does not wait when the master is already sealed', async () => {
    const t = setup();
    t.setMaster({ state: 'sealed', complete: true, sha256: t.sealed.sha256, bytes: 10 });
    await t.send();
    expect(t.queued[0]?.evidenceMaster).toEqual(t.sealed);
  });
});
