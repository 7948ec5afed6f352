// Contract for the HubStore port, run against SQLite and against a real PostgreSQL (a throwaway cluster; skipped
// with a message where PostgreSQL is not installed).
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevPostgres } from '../../src/adapters/hub-store/dev-postgres.js';
import { PgHubStore } from '../../src/adapters/hub-store/pg-hub-store.js';
import { HUB_MIGRATIONS, SqliteHubStore } from '../../src/adapters/hub-store/sqlite-hub-store.js';
import { migrate } from '../../src/adapters/store/sqlite-store.js';
import { GENESIS_HASH, verifyChain } from '../../src/core/audit-chain.js';
import type { PacketManifest } from '../../src/core/packet/manifest.js';
import { addMonths, hubRetention } from '../../src/core/packet/retention.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import type { HubStore, HubUser, NewStoredPacket } from '../../src/core/ports/hub-store.js';
import { freshDatabase, POSTGRES_PRESENT, startTestPostgres } from '../support/postgres.js';
import { tempDir } from '../support/tmp.js';

// Fixtures are built from the test's clock: T0 is its time, `at(T0, months, days)` a later moment.
const clock = new FixedClock('2026-01-10T09:00:00Z');
const T0 = clock.now();
const iso = (d: Date) => d.toISOString();
const at = (from: Date, months: number, days = 0) =>
  new Date(addMonths(from.toISOString(), months).getTime() + days * 86_400_000);
const report = (id: string, months: number) => packet(id, { receivedAt: iso(at(T0, months)) });

function packet(
  id: string,
  overrides: Partial<NewStoredPacket> = {},
  cls: PacketManifest['retentionClass'] = 'shared-12m',
): NewStoredPacket {
  return {
    id,
    siteId: 'shop-001',
    deviceId: 'd'.repeat(64),
    receivedAt: '2026-01-31T12:00:00.000Z',
    digest: `digest-${id}`,
    encrypted: false,
    manifest: { id, retentionClass: cls, category: 'theft', images: [] } as unknown as PacketManifest,
    raw: Buffer.from(`raw ${id}`),
    ...overrides,
  };
}

const device = (id: string, siteId = 'shop-001') => ({
  deviceId: id.repeat(64),
  siteId,
  publicKeyPem: 'PEM',
  enrolledAt: '2026-01-01T00:00:00Z',
});

function hubStoreContract(name: string, make: () => Promise<HubStore>, skip = false) {
  describe.skipIf(skip)(`HubStore contract: ${name}`, () => {
    const opened: HubStore[] = [];
    const open = async () => {
      const s = await make();
      opened.push(s);
      return s;
    };
    afterAll(async () => {
      for (const s of opened) await s.close();
    });

    it('enrols devices and finds them by fingerprint', async () => {
      const s = await open();
      await s.enrol(device('a'));
      expect((await s.device('a'.repeat(64)))?.siteId).toBe('shop-001');
      expect(await s.device('b'.repeat(64))).toBeUndefined();
      expect(await s.devices()).toHaveLength(1);
      expect((await s.device('a'.repeat(64)))?.state).toBe('enrolled');
    });

    it('revokes a device; re-enrolment does not lift it, reinstate does', async () => {
      const s = await open();
      await s.enrol(device('a'));
      await s.enrol(device('b', 'shop-002'));
      expect(await s.revoke('a'.repeat(64), new Date('2026-02-01T00:00:00Z'), 'stolen')).toBe(true);
      expect(await s.revoke('a'.repeat(64), new Date('2026-02-02T00:00:00Z'), 'again')).toBe(false);
      expect(await s.revoke('c'.repeat(64), new Date('2026-02-02T00:00:00Z'), 'unknown')).toBe(false);
      expect(await s.device('a'.repeat(64))).toMatchObject({
        state: 'revoked',
        revokedAt: '2026-02-01T00:00:00.000Z',
        revokedReason: 'stolen',
      });
      await s.enrol(device('a'));
      expect((await s.device('a'.repeat(64)))?.state).toBe('revoked');
      expect((await s.devices()).map((d) => d.state)).toEqual(['revoked', 'enrolled']);
      expect(await s.reinstate('a'.repeat(64))).toBe(true);
      expect(await s.reinstate('a'.repeat(64))).toBe(false);
      expect(await s.device('a'.repeat(64))).toMatchObject({ state: 'enrolled', revokedAt: null });
    });

    it('stores a packet once: same content is a counted duplicate, other content a conflict', async () => {
      const s = await open();
      expect(await s.put(packet('p1'))).toBe('stored');
      expect(await s.put(packet('p1'))).toBe('duplicate');
      expect(await s.put(packet('p1', { digest: 'other', raw: Buffer.from('forged') }))).toBe('conflict');
      expect(await s.count()).toBe(1);
      expect(await s.get('p1')).toMatchObject({ duplicates: 1, digest: 'digest-p1', phase: 'shared' });
      expect((await s.get('p1'))!.raw.toString()).toBe('raw p1');
      expect((await s.get('p1'))!.manifest).toEqual(packet('p1').manifest);
    });

    it('stores a packet delivered many times at once exactly once', async () => {
      const s = await open();
      const results = await Promise.all(Array.from({ length: 8 }, () => s.put(packet('p9'))));
      expect(results.filter((r) => r === 'stored')).toHaveLength(1);
      expect(results.filter((r) => r === 'duplicate')).toHaveLength(7);
      expect((await s.get('p9'))!.duplicates).toBe(7);
    });

    it('answers many calls made at once each for itself: packets, resends, device reads; then a changed copy', async () => {
      const s = await open();
      await s.enrol(device('a'));
      await s.enrol(device('b', 'shop-002'));
      const puts = Array.from({ length: 40 }, (_, i) => s.put(packet(`m${i % 20}`)));
      const reads = Array.from({ length: 10 }, (_, i) => s.device((i % 3 === 0 ? 'c' : i % 2 ? 'a' : 'b').repeat(64)));
      const results = await Promise.all(puts);
      // Which copy of an id wins is the database's choice; that exactly one does is the contract.
      for (let i = 0; i < 20; i++) expect([results[i], results[i + 20]].sort()).toEqual(['duplicate', 'stored']);
      const again = await Promise.all([
        s.put(packet('m3', { digest: 'other', raw: Buffer.from('forged') })),
        s.put(packet('m4')),
      ]);
      expect(again).toEqual(['conflict', 'duplicate']);
      expect(await s.count()).toBe(20);
      expect((await s.get('m3'))!.raw.toString()).toBe('raw m3');
      expect((await Promise.all(reads)).map((d) => d?.siteId ?? null)).toEqual(
        Array.from({ length: 10 }, (_, i) => (i % 3 === 0 ? null : i % 2 ? 'shop-001' : 'shop-002')),
      );
      // A read made after a revocation sees it, however many reads are still in flight.
      const inFlight = Array.from({ length: 5 }, () => s.device('b'.repeat(64)));
      await s.revoke('a'.repeat(64), new Date('2026-02-01T00:00:00Z'), 'stolen');
      expect((await s.device('a'.repeat(64)))?.state).toBe('revoked');
      await Promise.all(inFlight);
    });

    it('records rejections, newest first', async () => {
      const s = await open();
      for (const reason of ['unknown-device', 'oversize'])
        await s.recordRejection({
          at: '2026-01-01T00:00:00Z',
          topic: 't',
          siteId: null,
          packetId: null,
          deviceId: null,
          reason,
          message: reason,
        });
      expect((await s.rejections()).map((r) => r.reason)).toEqual(['oversize', 'unknown-device']);
    });

    it('lists by site, newest first', async () => {
      const s = await open();
      await s.put(packet('p1', { receivedAt: '2026-01-01T00:00:00.000Z' }));
      await s.put(packet('p2', { receivedAt: '2026-01-02T00:00:00.000Z' }));
      await s.put(packet('p3', { siteId: 'shop-002' }));
      expect((await s.list({ siteId: 'shop-001' })).map((p) => p.id)).toEqual(['p2', 'p1']);
      expect((await s.list({ limit: 1 })).map((p) => p.id)).toEqual(['p3']);
    });

    it('applies shared-12m: shared, then admin-only for 12 months, then deleted with a tombstone', async () => {
      const s = await open();
      await s.put(packet('p1'));
      expect(await s.sweep(new Date('2027-01-30T12:00:00Z'))).toEqual({ adminOnly: 0, deleted: 0, subjectsDeleted: 0 });
      expect((await s.list()).map((p) => p.id)).toEqual(['p1']);
      expect(await s.sweep(new Date('2027-01-31T12:00:00Z'))).toEqual({ adminOnly: 1, deleted: 0, subjectsDeleted: 0 });
      expect(await s.list()).toEqual([]);
      expect((await s.list({ includeRestricted: true })).map((p) => p.phase)).toEqual(['admin-only']);
      expect((await s.get('p1'))!.adminOnlyAt).toBe('2027-01-31T12:00:00.000Z');
      expect(await s.sweep(new Date('2028-01-31T11:59:59Z'))).toEqual({ adminOnly: 0, deleted: 0, subjectsDeleted: 0 });
      expect(await s.sweep(new Date('2028-01-31T12:00:00Z'))).toEqual({ adminOnly: 0, deleted: 1, subjectsDeleted: 0 });
      const tomb = (await s.get('p1'))!;
      expect(tomb.phase).toBe('deleted');
      expect(tomb.raw.length).toBe(0);
      expect(tomb.manifest).toBeNull();
      // A late resend of a deleted packet is recognised, not stored again.
      expect(await s.put(packet('p1'))).toBe('duplicate');
      expect((await s.get('p1'))!.raw.length).toBe(0);
    });

    it('keeps audit checkpoints per device and refuses a contradicting or rolled-back one', async () => {
      const s = await open();
      const cp = (seq: number, hash: string) => ({
        siteId: 'shop-001',
        deviceId: 'd1',
        seq,
        hash,
        at: 't',
        receivedAt: 't',
        jws: `header.${hash}.signature`,
      });
      expect(await s.putCheckpoint(cp(10, 'a'))).toBe('stored');
      expect(await s.putCheckpoint(cp(10, 'a'))).toBe('duplicate');
      expect(await s.putCheckpoint(cp(10, 'b'))).toBe('conflict');
      expect(await s.putCheckpoint(cp(20, 'c'))).toBe('stored');
      expect(await s.putCheckpoint(cp(15, 'd'))).toBe('conflict');
      expect((await s.checkpoints('d1')).map((c) => [c.seq, c.hash, c.jws])).toEqual([
        [10, 'a', 'header.a.signature'],
        [20, 'c', 'header.c.signature'],
      ]);
      expect(await s.checkpoints('other')).toEqual([]);
    });

    it('keeps enrolment requests pending until one decision; a changed request under a known id changes nothing', async () => {
      const s = await open();
      const req = (proof: string) => ({
        format: 'bcrp-edge/enrolment-request/1',
        siteId: 'shop-001',
        codeProof: proof,
      });
      const put = (id: string, proof: string, at = '2026-01-02T00:00:00.000Z') =>
        s.putEnrolmentRequest({ requestId: id, siteId: 'shop-001', receivedAt: at, request: req(proof) });
      expect(await put('r1', 'a')).toBe('stored');
      expect(await put('r1', 'a')).toBe('duplicate');
      expect(await put('r1', 'forged')).toBe('conflict');
      expect(await put('r0', 'b', '2026-01-01T00:00:00.000Z')).toBe('stored');
      expect((await s.enrolmentRequests()).map((r) => r.requestId)).toEqual(['r0', 'r1']);
      expect(await s.enrolmentRequest('r1')).toMatchObject({
        siteId: 'shop-001',
        state: 'pending',
        request: req('a'),
        decidedAt: null,
        response: null,
      });
      expect(await s.enrolmentRequest('nope')).toBeUndefined();
      const response = { format: 'bcrp-edge/enrolment-response/1', certificate: 'PEM' };
      expect(await s.decideEnrolment('r1', { state: 'approved', at: '2026-01-03T00:00:00.000Z', response })).toBe(true);
      // Decided once: a second operator (or worker) gets false and changes nothing.
      expect(await s.decideEnrolment('r1', { state: 'rejected', at: '2026-01-04T00:00:00.000Z', reason: 'late' })).toBe(
        false,
      );
      expect(await s.decideEnrolment('nope', { state: 'rejected', at: '2026-01-04T00:00:00.000Z' })).toBe(false);
      expect(await s.enrolmentRequest('r1')).toMatchObject({
        state: 'approved',
        decidedAt: '2026-01-03T00:00:00.000Z',
        reason: null,
        response,
      });
      expect(
        await s.decideEnrolment('r0', { state: 'rejected', at: '2026-01-04T00:00:00.000Z', reason: 'unknown' }),
      ).toBe(true);
      expect((await s.enrolmentRequests({ state: 'pending' })).map((r) => r.requestId)).toEqual([]);
      expect((await s.enrolmentRequests({ state: 'rejected' }))[0]).toMatchObject({
        requestId: 'r0',
        reason: 'unknown',
      });
      // A request already decided is a duplicate when it arrives again, never pending anew.
      expect(await put('r1', 'a')).toBe('duplicate');
      expect((await s.enrolmentRequest('r1'))?.state).toBe('approved');
    });

    it('treats the device class as advisory: an unlinked packet follows the single-report rule; withdrawal ends sharing at once', async () => {
      const s = await open();
      // The device asserts 24 months; the hub holds one report about nobody in particular, so 12 months.
      await s.put(packet('p2', { receivedAt: iso(T0) }, 'shared-24m-second-report'));
      await s.put(packet('p3', { receivedAt: iso(T0) }));
      expect((await s.retentionRows()).find((r) => r.id === 'p2')?.deviceClass).toBe('shared-24m-second-report');
      expect(await s.sweep(at(T0, 11))).toMatchObject({ adminOnly: 0 });
      expect(await s.withdraw('p3', at(T0, 11))).toBe(true);
      expect(await s.withdraw('p3', at(T0, 11, 1))).toBe(false);
      // Withdrawn is not shared, before any sweep records it.
      expect((await s.list()).map((p) => p.id)).toEqual(['p2']);
      expect((await s.list({ includeRestricted: true })).map((p) => p.id).sort()).toEqual(['p2', 'p3']);
      expect((await s.sweep(at(T0, 11, 1))).adminOnly).toBe(1);
      expect((await s.get('p3'))!.phase).toBe('admin-only');
      expect((await s.sweep(at(T0, 12))).adminOnly).toBe(1);
      expect((await s.get('p2'))!.phase).toBe('admin-only');
      expect((await s.sweep(at(T0, 24))).deleted).toBe(2);
    });

    it('keeps subjects: a hub reference once, administrator fields, newest first, edits answer the previous values', async () => {
      const s = await open();
      const subj = (ref: string, createdAt: string) => ({ ref, createdAt, createdBy: 'ann' });
      expect(await s.createSubject({ ...subj('S-1', '2026-01-01T00:00:00.000Z'), alias: 'red coat' })).toBe(true);
      expect(await s.createSubject(subj('S-1', '2026-01-02T00:00:00.000Z'))).toBe(false);
      expect(await s.createSubject(subj('S-2', '2026-01-03T00:00:00.000Z'))).toBe(true);
      expect(await s.subject('S-1')).toEqual({
        ref: 'S-1',
        createdAt: '2026-01-01T00:00:00.000Z',
        createdBy: 'ann',
        name: null,
        alias: 'red coat',
        notes: null,
        status: 'active',
        deletedAt: null,
        packetIds: [],
      });
      expect((await s.subjects()).map((x) => x.ref)).toEqual(['S-2', 'S-1']);
      expect(await s.updateSubject('S-1', { name: 'J. Doe', alias: 'blue coat' })).toEqual({
        name: null,
        alias: 'red coat',
      });
      expect(await s.subject('S-1')).toMatchObject({ name: 'J. Doe', alias: 'blue coat', notes: null });
      expect(await s.updateSubject('nope', { name: 'x' })).toBeUndefined();
      expect(await s.subject('nope')).toBeUndefined();
    });

    it('links a packet to one subject only; unlinking relates it to nobody; images are never merged', async () => {
      const s = await open();
      await s.createSubject({ ref: 'S-1', createdAt: iso(T0), createdBy: 'ann' });
      await s.createSubject({ ref: 'S-2', createdAt: iso(T0), createdBy: 'ann' });
      await s.put(report('a', 0));
      await s.put(report('b', 2));
      const link = (packetId: string, subjectRef: string) =>
        s.linkPacket({ packetId, subjectRef, at: iso(T0), by: 'ann' });
      expect(await link('b', 'S-1')).toBe('linked');
      expect(await link('a', 'S-1')).toBe('linked');
      expect(await link('a', 'S-1')).toBe('already-linked');
      expect(await link('a', 'S-2')).toBe('linked-elsewhere');
      expect(await link('zzz', 'S-1')).toBe('no-packet');
      expect(await link('a', 'S-9')).toBe('no-subject');
      expect((await s.subject('S-1'))!.packetIds).toEqual(['a', 'b']);
      expect((await s.get('a'))!.subjectRef).toBe('S-1');
      expect((await s.list()).map((p) => [p.id, p.subjectRef])).toEqual([
        ['b', 'S-1'],
        ['a', 'S-1'],
      ]);
      // Each packet keeps its own images.
      expect((await s.get('a'))!.raw.toString()).toBe('raw a');
      expect((await s.retentionRows({ subjectRef: 'S-1' })).map((r) => r.id).sort()).toEqual(['a', 'b']);
      expect(await s.unlinkPacket('a', 'S-2')).toBe(false);
      expect(await s.unlinkPacket('a', 'S-1')).toBe(true);
      expect((await s.get('a'))!.subjectRef).toBeNull();
      expect(await link('a', 'S-2')).toBe('linked');
      expect((await s.subject('S-1'))!.packetIds).toEqual(['b']);
    });

    it('retention from linked reports: a second report while shared shares the subject 24 months from it', async () => {
      const s = await open();
      await s.createSubject({ ref: 'S-1', createdAt: iso(T0), createdBy: 'ann' });
      await s.put(report('a', 0));
      await s.put(report('b', 6));
      for (const id of ['a', 'b']) await s.linkPacket({ packetId: id, subjectRef: 'S-1', at: iso(T0), by: 'ann' });
      await s.addExclusion({
        id: 'e1',
        subjectRef: 'S-1',
        scope: 'scheme',
        premises: null,
        startsAt: iso(at(T0, 6)),
        endsAt: iso(at(T0, 30)),
        grounds: 'two reports of theft',
        appealRoute: 'write to the administrator',
        recordedAt: iso(at(T0, 6)),
        recordedBy: 'ann',
      });
      const r = hubRetention(await s.retentionRows());
      expect(r.get('a')).toMatchObject({
        shareUntil: at(T0, 30),
        deleteAt: at(T0, 42),
        rule: 'further-report',
        reports: 2,
      });
      expect(r.get('b')).toMatchObject({ shareUntil: at(T0, 30), deleteAt: at(T0, 42) });
      // Past the first report's own 12 months, both are still shared.
      expect(await s.sweep(at(T0, 12))).toEqual({ adminOnly: 0, deleted: 0, subjectsDeleted: 0 });
      expect((await s.list()).map((p) => p.id)).toEqual(['b', 'a']);
      expect(await s.sweep(at(T0, 30))).toEqual({ adminOnly: 2, deleted: 0, subjectsDeleted: 0 });
      expect((await s.exclusions({ subjectRef: 'S-1' })).map((e) => e.id)).toEqual(['e1']);
      expect(await s.list()).toEqual([]);
      expect(await s.sweep(at(T0, 42))).toEqual({ adminOnly: 0, deleted: 2, subjectsDeleted: 1 });
      expect(await s.subject('S-1')).toMatchObject({ status: 'deleted', deletedAt: iso(at(T0, 42)), name: null });
      // The exclusion (its grounds are about the person) goes with the subject.
      expect(await s.exclusions({ subjectRef: 'S-1' })).toEqual([]);
      expect((await s.subject('S-1'))!.packetIds).toEqual(['a', 'b']);
      expect(await s.linkPacket({ packetId: 'a', subjectRef: 'S-1', at: iso(T0), by: 'ann' })).toBe('deleted-packet');
    });

    it('retention from linked reports: a second report after sharing ended starts its own 12 months and revives nothing', async () => {
      const s = await open();
      await s.createSubject({ ref: 'S-1', createdAt: iso(T0), createdBy: 'ann', name: 'J. Doe' });
      await s.put(report('a', 0));
      await s.linkPacket({ packetId: 'a', subjectRef: 'S-1', at: iso(T0), by: 'ann' });
      expect((await s.sweep(at(T0, 12))).adminOnly).toBe(1);
      await s.put(report('b', 13));
      await s.linkPacket({ packetId: 'b', subjectRef: 'S-1', at: iso(at(T0, 13)), by: 'ann' });
      const r = hubRetention(await s.retentionRows());
      expect(r.get('a')).toMatchObject({ shareUntil: at(T0, 12), deleteAt: at(T0, 24) });
      expect(r.get('b')).toMatchObject({ shareUntil: at(T0, 25), deleteAt: at(T0, 37), rule: 'first-report' });
      expect((await s.list()).map((p) => p.id)).toEqual(['b']);
      expect(await s.sweep(at(T0, 24))).toEqual({ adminOnly: 0, deleted: 1, subjectsDeleted: 0 });
      expect((await s.subject('S-1'))!.name).toBe('J. Doe');
      expect(await s.sweep(at(T0, 25))).toEqual({ adminOnly: 1, deleted: 0, subjectsDeleted: 0 });
      expect(await s.sweep(at(T0, 37))).toEqual({ adminOnly: 0, deleted: 1, subjectsDeleted: 1 });
      expect((await s.subject('S-1'))!.name).toBeNull();
    });

    it('retention from linked reports: a third report while shared extends again; unlinking shortens; a late link revives nothing', async () => {
      const s = await open();
      await s.createSubject({ ref: 'S-1', createdAt: iso(T0), createdBy: 'ann' });
      await s.put(report('a', 0));
      await s.put(report('b', 6));
      await s.put(report('c', 20));
      for (const id of ['a', 'b', 'c']) await s.linkPacket({ packetId: id, subjectRef: 'S-1', at: iso(T0), by: 'ann' });
      let r = hubRetention(await s.retentionRows());
      for (const id of ['a', 'b', 'c']) expect(r.get(id)).toMatchObject({ shareUntil: at(T0, 44), reports: 3 });
      expect(r.get('a')!.why).toMatch(/further report c .* while shared: shared 24 months from it/);
      // The third report was linked in error: without it the subject is shared 24 months from the second.
      expect(await s.unlinkPacket('c', 'S-1')).toBe(true);
      r = hubRetention(await s.retentionRows());
      expect(r.get('a')!.shareUntil).toEqual(at(T0, 30));
      expect(r.get('c')).toMatchObject({ shareUntil: at(T0, 32), rule: 'first-report', subjectRef: null });
      // And without the second, the first is past its 12 months: the sweep withdraws it.
      expect(await s.unlinkPacket('b', 'S-1')).toBe(true);
      expect(await s.sweep(at(T0, 12, 1))).toMatchObject({ adminOnly: 1 });
      expect((await s.get('a'))!.phase).toBe('admin-only');
      // Linking the second report again does not share the first again, nor keep it longer.
      await s.linkPacket({ packetId: 'b', subjectRef: 'S-1', at: iso(at(T0, 12, 2)), by: 'ann' });
      r = hubRetention(await s.retentionRows());
      expect(r.get('a')).toMatchObject({ rule: 'admin-only-kept', deleteAt: at(T0, 24, 1) });
      expect(r.get('b')!.shareUntil).toEqual(at(T0, 30));
      expect((await s.list()).map((p) => p.id)).toEqual(['c', 'b']);
      expect((await s.sweep(at(T0, 24, 1))).deleted).toBe(1);
      expect((await s.get('a'))!.phase).toBe('deleted');
    });

    it('keeps exclusions for an active subject: active only between start and end, served once', async () => {
      const s = await open();
      await s.createSubject({ ref: 'S-1', createdAt: iso(T0), createdBy: 'ann' });
      const excl = (id: string, from: Date, to: Date, scope: 'scheme' | 'premises' = 'scheme') => ({
        id,
        subjectRef: 'S-1',
        scope,
        premises: scope === 'premises' ? 'shop-001' : null,
        startsAt: iso(from),
        endsAt: iso(to),
        grounds: 'two reports of theft',
        appealRoute: 'write to the administrator',
        recordedAt: iso(T0),
        recordedBy: 'ann',
      });
      expect(await s.addExclusion(excl('e1', T0, at(T0, 24)))).toBe(true);
      expect(await s.addExclusion(excl('e1', T0, at(T0, 24)))).toBe(false);
      expect(await s.addExclusion(excl('e2', at(T0, 1), at(T0, 3), 'premises'))).toBe(true);
      expect(await s.addExclusion({ ...excl('e3', T0, at(T0, 1)), subjectRef: 'S-9' })).toBe(false);
      expect(await s.exclusion('e2')).toEqual({
        ...excl('e2', at(T0, 1), at(T0, 3), 'premises'),
        servedAt: null,
        servedBy: null,
      });
      expect((await s.exclusions({ subjectRef: 'S-1' })).map((e) => e.id)).toEqual(['e2', 'e1']);
      expect((await s.exclusions({ activeAt: at(T0, 2) })).map((e) => e.id)).toEqual(['e2', 'e1']);
      // Expired ones drop off by themselves; the end is exclusive.
      expect((await s.exclusions({ activeAt: at(T0, 3) })).map((e) => e.id)).toEqual(['e1']);
      expect(await s.exclusions({ activeAt: at(T0, 24) })).toEqual([]);
      expect(await s.markExclusionServed('e1', iso(at(T0, 0, 1)), 'ann')).toBe(true);
      expect(await s.markExclusionServed('e1', iso(at(T0, 0, 2)), 'bob')).toBe(false);
      expect(await s.markExclusionServed('nope', iso(T0), 'ann')).toBe(false);
      expect(await s.exclusion('e1')).toMatchObject({ servedAt: iso(at(T0, 0, 1)), servedBy: 'ann' });
    });

    it('keeps hub page accounts: a name once, listed by name, removal ends that user’s sessions only', async () => {
      const s = await open();
      const user = (username: string, role: HubUser['role']) => ({
        username,
        role,
        passwordHash: `$scrypt$hash-of-${username}`,
        createdAt: '2026-01-01T00:00:00.000Z',
      });
      expect(await s.addUser(user('zoe', 'member'))).toBe(true);
      expect(await s.addUser(user('ann', 'administrator'))).toBe(true);
      expect(await s.addUser(user('zoe', 'administrator'))).toBe(false);
      expect(await s.user('zoe')).toEqual(user('zoe', 'member'));
      expect((await s.users()).map((u) => u.username)).toEqual(['ann', 'zoe']);
      const later = '2026-01-02T00:00:00.000Z';
      await s.putSession('s-zoe', JSON.stringify({ user: { username: 'zoe', role: 'member' } }), later);
      await s.putSession('s-ann', JSON.stringify({ user: { username: 'ann', role: 'administrator' } }), later);
      expect(await s.removeUser('zoe')).toBe(true);
      expect(await s.removeUser('zoe')).toBe(false);
      expect(await s.user('zoe')).toBeUndefined();
      const now = new Date('2026-01-01T12:00:00Z');
      expect(await s.getSession('s-zoe', now)).toBeUndefined();
      expect(await s.getSession('s-ann', now)).toContain('"ann"');
    });

    it('keeps sessions until they expire, replaces them on save and prunes the expired', async () => {
      const s = await open();
      await s.putSession('a', '{"n":1}', '2026-01-01T10:00:00.000Z');
      await s.putSession('a', '{"n":2}', '2026-01-01T11:00:00.000Z');
      await s.putSession('b', '{}', '2026-01-01T09:00:00.000Z');
      expect(await s.getSession('a', new Date('2026-01-01T10:30:00Z'))).toBe('{"n":2}');
      expect(await s.getSession('a', new Date('2026-01-01T11:00:00Z'))).toBeUndefined();
      expect(await s.getSession('nope', new Date('2026-01-01T00:00:00Z'))).toBeUndefined();
      expect(await s.pruneSessions(new Date('2026-01-01T10:30:00Z'))).toBe(1);
      await s.deleteSession('a');
      expect(await s.getSession('a', new Date('2026-01-01T00:00:00Z'))).toBeUndefined();
    });

    it('keeps the hub audit chain: linked entries, a recorded head, pages in order, one chain under concurrent appends', async () => {
      const s = await open();
      expect(await s.auditHead()).toBeUndefined();
      const at = new Date('2026-03-01T10:00:00Z');
      const first = await s.appendAudit({ actor: 'ann', action: 'login', subject: 'hub-web', details: { a: 1 } }, at);
      expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH, time: '2026-03-01T10:00:00.000Z' });
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          s.appendAudit({ actor: 'zoe', action: 'view', subject: `packet-${i}`, details: { i } }, at),
        ),
      );
      const head = await s.auditHead();
      expect(head?.seq).toBe(13);
      const all = await s.auditEntries();
      expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
      expect(all[0]).toEqual(first);
      expect(verifyChain(all, { expectedHead: head! }).ok).toBe(true);
      expect((await s.auditEntries({ afterSeq: 10, limit: 2 })).map((e) => e.seq)).toEqual([11, 12]);
    });
  });
}

hubStoreContract('sqlite', async () => new SqliteHubStore(':memory:', clock));

let pg: DevPostgres | undefined;
let n = 0;
beforeAll(async () => {
  if (POSTGRES_PRESENT) pg = await startTestPostgres();
}, 60_000);
afterAll(async () => {
  await pg?.stop();
});
hubStoreContract(
  'postgres',
  async () => PgHubStore.open({ connectionString: await freshDatabase(pg!, `contract_${++n}`), poolSize: 4 }, clock),
  !POSTGRES_PRESENT,
);

describe('SqliteHubStore', () => {
  it('applies a migration numbered below one already applied (changes numbered in parallel, merged later)', async () => {
    const file = join(tempDir(), 'hub.sqlite');
    const db = new Database(file);
    // As it happened: the hub page (3) and enrolment requests (4) were numbered in parallel; 4 was applied first.
    migrate(
      db,
      HUB_MIGRATIONS.filter((m) => m.version !== 3),
      clock,
    );
    expect(migrate(db, HUB_MIGRATIONS, clock)).toEqual([3]);
    expect(migrate(db, HUB_MIGRATIONS, clock)).toEqual([]);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'hub_users'").get()).toBeTruthy();
    db.close();
  });

  it('upgrades a store written before revocation existed: its devices are enrolled and can be revoked', async () => {
    const file = join(tempDir(), 'hub.sqlite');
    const old = new Database(file);
    migrate(old, HUB_MIGRATIONS.slice(0, 1), clock);
    old
      .prepare('INSERT INTO devices (device_id, site_id, public_key_pem, enrolled_at) VALUES (?, ?, ?, ?)')
      .run('a'.repeat(64), 'shop-001', 'PEM', '2026-01-01T00:00:00Z');
    old.close();
    const s = new SqliteHubStore(file, clock);
    expect((await s.device('a'.repeat(64)))?.state).toBe('enrolled');
    expect(await s.revoke('a'.repeat(64), new Date('2026-02-01T00:00:00Z'), 'lost')).toBe(true);
    expect((await s.device('a'.repeat(64)))?.state).toBe('revoked');
    await s.close();
  });
});

describe.skipIf(!POSTGRES_PRESENT)('PgHubStore', () => {
  it('refuses a database written by a newer version, changing nothing', async () => {
    const url = await freshDatabase(pg!, 'too_new');
    await (await PgHubStore.open({ connectionString: url }, clock)).close();
    const { default: pgLib } = await import('pg');
    const c = new pgLib.Client({ connectionString: url });
    await c.connect();
    await c.query("INSERT INTO hub_schema_migrations VALUES (99, 'future', 'x')");
    await c.end();
    await expect(PgHubStore.open({ connectionString: url }, clock)).rejects.toThrow(/newer bcrp-edge.*version 99/);
  });

  it('records its migrations and opens an already-migrated database (several workers starting at once)', async () => {
    const url = await freshDatabase(pg!, 'migrations');
    const stores = await Promise.all([1, 2, 3].map(() => PgHubStore.open({ connectionString: url }, clock)));
    await stores[0]!.put(packet('p1'));
    expect(await stores[2]!.count()).toBe(1);
    for (const s of stores) await s.close();
    const { default: pgLib } = await import('pg');
    const c = new pgLib.Client({ connectionString: url });
    await c.connect();
    const rows = (await c.query('SELECT version, name FROM hub_schema_migrations ORDER BY version')).rows;
    await c.end();
    expect(rows).toEqual([
      { version: 1, name: 'hub-initial' },
      { version: 3, name: 'hub-page' },
      { version: 4, name: 'hub-enrolment-requests' },
      { version: 5, name: 'hub-checkpoint-jws' },
      { version: 6, name: 'hub-subjects' },
      { version: 7, name: 'hub-exclusions' },
    ]);
  });

  it('names the problem, without the password, when the server cannot be reached', async () => {
    const bad = `postgresql://bcrp:s3cret-pw@/postgres?host=${encodeURIComponent(`${pg!.dir}/nowhere`)}`;
    const e = await PgHubStore.open({ connectionString: bad }, clock).catch((err: Error) => err);
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message).toMatch(/cannot open the PostgreSQL hub store/);
    expect((e as Error).message).not.toContain('s3cret-pw');
  });
});
