// Online enrolment between a device and the hub over the in-memory broker: the request is kept pending and answered,
// asking again changes nothing, the operator's approval reaches the waiting device (and is registered), a rejection
// and a silent hub end the wait with the reason, and malformed or conflicting requests are recorded, never kept.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SqliteHubStore } from '../../src/adapters/hub-store/sqlite-hub-store.js';
import { FakeBrokerNetwork } from '../../src/adapters/mqtt/fake-broker.js';
import { makeClientCsr, makeSigningKey } from '../../src/adapters/pki/openssl.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import {
  approveRequest,
  EnrolmentListener,
  type HubEnrolmentKeys,
  publishStatus,
  receiveEnrolmentRequest,
  rejectRequest,
} from '../../src/hub/enrolment.js';
import { HubAudit } from '../../src/hub/hub-audit.js';
import { enrolOnline, enrolTopics, parseStatus } from '../../src/services/enrolment-online.js';
import { codeProof, type EnrolmentRequest, REQUEST_FORMAT } from '../../src/services/provisioning.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir();
const clock = new FixedClock('2026-11-23T10:00:00Z');
const quiet = { info: () => {}, warn: () => {} };
let keys: HubEnrolmentKeys;
let n = 0;

beforeAll(() => {
  const ca = (f: string) => join(dir, f);
  execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', ca('ca.key')]);
  execFileSync('openssl', [
    'req',
    '-x509',
    '-new',
    '-key',
    ca('ca.key'),
    '-subj',
    '/CN=test CA',
    '-days',
    '2',
    '-out',
    ca('ca.crt'),
  ]);
  execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', ca('hub.key')]);
  execFileSync('openssl', ['pkey', '-in', ca('hub.key'), '-pubout', '-out', ca('hub.pub')]);
  keys = {
    caCertFile: ca('ca.crt'),
    caKeyFile: ca('ca.key'),
    days: 30,
    hubSigningKeys: [readFileSync(ca('hub.pub'), 'utf8')],
  };
});

async function deviceRequest(code: string | null = 'ABCD-1234', siteId = 'shop-042'): Promise<EnrolmentRequest> {
  const i = ++n;
  const deviceId = `01900000-0000-7000-8000-${String(i).padStart(12, '0')}`;
  await makeClientCsr({ keyFile: join(dir, `m${i}.key`), csrFile: join(dir, `m${i}.csr`), siteId, deviceId });
  const signingPublicKey = makeSigningKey({ keyFile: join(dir, `s${i}.key`), publicFile: join(dir, `s${i}.pub`) });
  const r: EnrolmentRequest = {
    format: REQUEST_FORMAT,
    siteId,
    deviceId,
    createdAt: clock.now().toISOString(),
    csr: readFileSync(join(dir, `m${i}.csr`), 'utf8'),
    signingPublicKey,
    codeProof: null,
  };
  if (code) r.codeProof = codeProof(code, r);
  return r;
}

const stores: SqliteHubStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function setUp() {
  const net = new FakeBrokerNetwork();
  const store = new SqliteHubStore(':memory:', clock);
  stores.push(store);
  const hubBroker = net.client();
  const listener = new EnrolmentListener({
    broker: hubBroker,
    store,
    clock,
    topicPrefix: 'bcrp',
    group: 'hub',
    log: quiet,
  });
  await listener.start();
  return { net, store, hubBroker, deps: { broker: hubBroker, store, clock, topicPrefix: 'bcrp', log: quiet } };
}

const until = async (check: () => Promise<boolean>) => {
  for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('online enrolment', () => {
  it('pending, then approved: the waiting device gets its certificate and the hub registers its key', async () => {
    const { net, store, hubBroker } = await setUp();
    const request = await deviceRequest();
    const seen: string[] = [];
    const waiting = enrolOnline({
      broker: net.client(),
      topicPrefix: 'bcrp',
      request,
      timeoutMs: 5000,
      republishMs: 20,
      onStatus: (s) => seen.push(s.status),
    });
    await until(async () => seen.includes('pending'));
    // Asked again (and again): still one request, still pending.
    await until(async () => net.log.filter((m) => m.topic.endsWith('/request')).length >= 3);
    expect(await store.enrolmentRequests()).toHaveLength(1);
    const wrong = approveRequest(store, request.deviceId, {
      code: 'WXYZ-0000',
      keys,
      clock,
      actor: 'cli:test',
      via: 'mqtt',
    });
    await expect(wrong).rejects.toMatchObject({ details: [expect.stringMatching(/code does not match/)] });
    expect((await store.enrolmentRequest(request.deviceId))?.state).toBe('pending');
    const approved = await approveRequest(store, request.deviceId, {
      code: 'abcd-1234 ',
      keys,
      clock,
      actor: 'cli:test',
      via: 'mqtt',
    });
    await publishStatus(hubBroker, 'bcrp', approved.status);
    const response = await waiting;
    expect(response.siteId).toBe('shop-042');
    expect(response.certificate).toMatch(/BEGIN CERTIFICATE/);
    expect(await store.device(approved.deviceKeyId)).toMatchObject({ siteId: 'shop-042', state: 'enrolled' });
    // Approving again re-sends the stored answer; it does not sign a second certificate.
    const again = await approveRequest(store, request.deviceId, {
      code: 'ABCD-1234',
      keys,
      clock,
      actor: 'cli:test',
      via: 'mqtt',
    });
    expect(again.status.response?.certificate).toBe(response.certificate);
    // The decision is in the hub's own audit chain once (the re-send adds nothing), and the chain verifies.
    const audit = new HubAudit(store, clock);
    const enrols = (await store.auditEntries({ afterSeq: 0, limit: 100 })).filter((e) => e.action === 'enrol');
    expect(enrols).toEqual([
      expect.objectContaining({
        actor: 'cli:test',
        subject: approved.deviceKeyId,
        details: expect.objectContaining({ decision: 'approved', siteId: 'shop-042' }),
      }),
    ]);
    expect((await audit.verify()).ok).toBe(true);
  });

  it('a device that asks again after the decision gets it from the running hub', async () => {
    const { net, store } = await setUp();
    const request = await deviceRequest();
    const first = net.client();
    await first.publish(enrolTopics('bcrp', request.deviceId).request, Buffer.from(JSON.stringify(request)));
    await until(async () => (await store.enrolmentRequest(request.deviceId)) !== undefined);
    await approveRequest(store, request.deviceId, { code: 'ABCD-1234', keys, clock, actor: 'cli:test', via: 'mqtt' });
    // The CLI could not reach the broker; the retained "pending" is all there is until the device asks again.
    const response = await enrolOnline({
      broker: net.client(),
      topicPrefix: 'bcrp',
      request,
      timeoutMs: 5000,
      republishMs: 20,
    });
    expect(response.deviceId).toBe(request.deviceId);
  });

  it('a rejection ends the wait with the reason; a silent hub ends it with what to do', async () => {
    const { net, store, hubBroker } = await setUp();
    const request = await deviceRequest();
    const waiting = enrolOnline({
      broker: net.client(),
      topicPrefix: 'bcrp',
      request,
      timeoutMs: 5000,
      republishMs: 20,
    });
    await until(async () => (await store.enrolmentRequest(request.deviceId)) !== undefined);
    await publishStatus(
      hubBroker,
      'bcrp',
      await rejectRequest(store, request.deviceId, 'not a partnership member', clock, 'cli:test'),
    );
    await expect(waiting).rejects.toMatchObject({ code: 'enrolment-rejected', message: /not a partnership member/ });
    await expect(rejectRequest(store, request.deviceId, 'again', clock, 'cli:test')).rejects.toThrow(
      /rejected already/,
    );
    await expect(
      approveRequest(store, request.deviceId, { code: 'ABCD-1234', keys, clock, actor: 'cli:test', via: 'mqtt' }),
    ).rejects.toThrow(/was rejected/);

    const silent = new FakeBrokerNetwork();
    await expect(
      enrolOnline({ broker: silent.client(), topicPrefix: 'bcrp', request, timeoutMs: 100, republishMs: 20 }),
    ).rejects.toThrow(/no decision from the hub within 0 s \(the hub has not answered\); run the same command again/);
  });

  it('malformed, mismatched and conflicting requests are recorded and never kept', async () => {
    const { net, store, deps } = await setUp();
    const good = await deviceRequest();
    const topic = (id: string) => enrolTopics('bcrp', id).request;
    const msg = (t: string, body: unknown) => ({
      topic: t,
      payload: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
      retain: false,
    });
    expect(await receiveEnrolmentRequest(deps, msg('bcrp/_enrol/not-a-uuid/request', good))).toBe('malformed');
    expect(await receiveEnrolmentRequest(deps, msg(topic(good.deviceId), '{nope'))).toBe('malformed');
    const other = '01900000-0000-7000-8000-999999999999';
    expect(await receiveEnrolmentRequest(deps, msg(topic(other), good))).toBe('malformed');
    expect(await receiveEnrolmentRequest(deps, msg(topic(good.deviceId), { ...good, csr: 'x' }))).toBe('malformed');
    expect(await store.enrolmentRequests()).toEqual([]);
    // The device behind the mismatched one is told why.
    const told = net.log.find((m) => m.topic === enrolTopics('bcrp', other).response);
    expect(parseStatus(told!.payload)).toMatchObject({ status: 'rejected', reason: /deviceId differs from the topic/ });
    expect(await receiveEnrolmentRequest(deps, msg(topic(good.deviceId), good))).toBe('stored');
    expect(await receiveEnrolmentRequest(deps, msg(topic(good.deviceId), good))).toBe('duplicate');
    const forged = { ...good, codeProof: 'f'.repeat(64) };
    expect(await receiveEnrolmentRequest(deps, msg(topic(good.deviceId), forged))).toBe('conflict');
    expect((await store.enrolmentRequest(good.deviceId))?.request['codeProof']).toBe(good.codeProof);
    expect((await store.rejections()).map((r) => r.reason)).toEqual([
      'enrolment-conflict',
      'enrolment-malformed',
      'enrolment-malformed',
      'enrolment-malformed',
      'enrolment-malformed',
    ]);
  });

  it('a request without a code proof is kept but cannot be approved; the status document round-trips', async () => {
    const { store, deps } = await setUp();
    const r = await deviceRequest(null);
    const t = enrolTopics('bcrp', r.deviceId).request;
    expect(
      await receiveEnrolmentRequest(deps, { topic: t, payload: Buffer.from(JSON.stringify(r)), retain: false }),
    ).toBe('stored');
    await expect(
      approveRequest(store, r.deviceId, { code: 'ABCD-1234', keys, clock, actor: 'cli:test', via: 'mqtt' }),
    ).rejects.toMatchObject({
      details: [expect.stringMatching(/code does not match/)],
    });
    expect(parseStatus(Buffer.from('{"format":"bcrp-edge/enrolment-status/1","requestId":"x","status":"odd"}'))).toBe(
      undefined,
    );
    expect(parseStatus(Buffer.alloc(0))).toBeUndefined();
  });
});
