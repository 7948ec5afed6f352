import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/app/event-bus.js';
import { Lifecycle, type Module } from '../../../src/app/lifecycle.js';
import { silentLogger } from '../../../src/observability/logger.js';

function recorder() {
  const calls: string[] = [];
  const mod = (name: string, opts: { failStart?: boolean; critical?: boolean; hangStop?: boolean } = {}): Module => ({
    name,
    ...(opts.critical ? { critical: true } : {}),
    start: async () => {
      calls.push(`start ${name}`);
      if (opts.failStart) throw new Error(`${name} broke`);
    },
    stop: async () => {
      calls.push(`stop ${name}`);
      if (opts.hangStop) await new Promise(() => {});
    },
  });
  return { calls, mod };
}

describe('lifecycle', () => {
  it('starts modules in order and stops them in reverse', async () => {
    const { calls, mod } = recorder();
    const lc = new Lifecycle(silentLogger()).add(mod('store')).add(mod('nvr')).add(mod('web'));
    await lc.start();
    await lc.stop();
    expect(calls).toEqual(['start store', 'start nvr', 'start web', 'stop web', 'stop nvr', 'stop store']);
  });

  it('keeps going when a non-critical module fails to start, and reports it', async () => {
    const { calls, mod } = recorder();
    const failures: string[] = [];
    const lc = new Lifecycle(silentLogger(), (name, e) => failures.push(`${name}: ${(e as Error).message}`))
      .add(mod('store'))
      .add(mod('broker', { failStart: true }))
      .add(mod('web'));
    await lc.start();
    expect(failures).toEqual(['broker: broker broke']);
    expect(lc.status().map((s) => s.state)).toEqual(['running', 'failed', 'running']);
    await lc.stop();
    expect(calls).toEqual(['start store', 'start broker', 'start web', 'stop web', 'stop store']);
  });

  it('stops what started and rethrows when a critical module fails', async () => {
    const { calls, mod } = recorder();
    const lc = new Lifecycle(silentLogger())
      .add(mod('logger'))
      .add(mod('store', { failStart: true, critical: true }))
      .add(mod('web'));
    await expect(lc.start()).rejects.toThrow('store broke');
    expect(calls).toEqual(['start logger', 'start store', 'stop logger']);
  });

  it('gives up on a module that will not stop, and still stops the others within the deadline', async () => {
    const { calls, mod } = recorder();
    const lc = new Lifecycle(silentLogger())
      .add(mod('store'))
      .add(mod('stuck', { hangStop: true }))
      .add(mod('web'));
    await lc.start();
    const t0 = Date.now();
    await lc.stop(300);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(calls.slice(3)).toEqual(['stop web', 'stop stuck', 'stop store']);
  });
});

describe('event bus', () => {
  it('isolates a throwing listener from the others', async () => {
    const bus = new EventBus(silentLogger());
    const got: string[] = [];
    bus.on('captured', () => {
      throw new Error('bad handler');
    });
    bus.on('captured', async () => {
      throw new Error('bad async handler');
    });
    bus.on('captured', (e) => {
      got.push(e.status);
    });
    expect(() => bus.emit('captured', { incidentId: 'i1', status: 'captured', stills: 1 })).not.toThrow();
    expect(got).toEqual(['captured']);
  });
});
