// Contract for the HubStore port (SQLite today; a PostgreSQL adapter must pass the same suite).
import { describe, expect, it } from 'vitest';
import { SqliteHubStore } from '../../src/adapters/hub-store/sqlite-hub-store.js';
import type { PacketManifest } from '../../src/core/packet/manifest.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import type { HubStore, NewStoredPacket } from '../../src/core/ports/hub-store.js';

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

function hubStoreContract(name: string, make: () => HubStore) {
  describe(`HubStore contract: ${name}`, () => {
    it('enrols devices and finds them by fingerprint', () => {
      const s = make();
      s.enrol({
        deviceId: 'a'.repeat(64),
        siteId: 'shop-001',
        publicKeyPem: 'PEM',
        enrolledAt: '2026-01-01T00:00:00Z',
      });
      expect(s.device('a'.repeat(64))?.siteId).toBe('shop-001');
      expect(s.device('b'.repeat(64))).toBeUndefined();
      expect(s.devices()).toHaveLength(1);
    });

    it('stores a packet once: same content is a counted duplicate, other content a conflict', () => {
      const s = make();
      expect(s.put(packet('p1'))).toBe('stored');
      expect(s.put(packet('p1'))).toBe('duplicate');
      expect(s.put(packet('p1', { digest: 'other', raw: Buffer.from('forged') }))).toBe('conflict');
      expect(s.count()).toBe(1);
      expect(s.get('p1')).toMatchObject({ duplicates: 1, digest: 'digest-p1', phase: 'shared' });
      expect(s.get('p1')!.raw.toString()).toBe('raw p1');
    });

    it('records rejections, newest first', () => {
      const s = make();
      for (const reason of ['unknown-device', 'oversize'])
        s.recordRejection({
          at: '2026-01-01T00:00:00Z',
          topic: 't',
          siteId: null,
          packetId: null,
          deviceId: null,
          reason,
          message: reason,
        });
      expect(s.rejections().map((r) => r.reason)).toEqual(['oversize', 'unknown-device']);
    });

    it('applies shared-12m: shared, then admin-only for 12 months, then deleted with a tombstone', () => {
      const s = make();
      s.put(packet('p1'));
      expect(s.sweep(new Date('2027-01-30T12:00:00Z'))).toEqual({ adminOnly: 0, deleted: 0 });
      expect(s.list().map((p) => p.id)).toEqual(['p1']);
      expect(s.sweep(new Date('2027-01-31T12:00:00Z'))).toEqual({ adminOnly: 1, deleted: 0 });
      expect(s.list()).toEqual([]);
      expect(s.list({ includeRestricted: true }).map((p) => p.phase)).toEqual(['admin-only']);
      expect(s.sweep(new Date('2028-01-31T11:59:59Z'))).toEqual({ adminOnly: 0, deleted: 0 });
      expect(s.sweep(new Date('2028-01-31T12:00:00Z'))).toEqual({ adminOnly: 0, deleted: 1 });
      const tomb = s.get('p1')!;
      expect(tomb.phase).toBe('deleted');
      expect(tomb.raw.length).toBe(0);
      // A late resend of a deleted packet is recognised, not stored again.
      expect(s.put(packet('p1'))).toBe('duplicate');
      expect(s.get('p1')!.raw.length).toBe(0);
    });

    it('keeps audit checkpoints per device and refuses a contradicting or rolled-back one', () => {
      const s = make();
      const cp = (seq: number, hash: string) => ({
        siteId: 'shop-001',
        deviceId: 'd1',
        seq,
        hash,
        at: 't',
        receivedAt: 't',
      });
      expect(s.putCheckpoint(cp(10, 'a'))).toBe('stored');
      expect(s.putCheckpoint(cp(10, 'a'))).toBe('duplicate');
      expect(s.putCheckpoint(cp(10, 'b'))).toBe('conflict');
      expect(s.putCheckpoint(cp(20, 'c'))).toBe('stored');
      expect(s.putCheckpoint(cp(15, 'd'))).toBe('conflict');
      expect(s.checkpoints('d1').map((c) => [c.seq, c.hash])).toEqual([
        [10, 'a'],
        [20, 'c'],
      ]);
      expect(s.checkpoints('other')).toEqual([]);
    });

    it('applies shared-24m-second-report and withdrawal', () => {
      const s = make();
      s.put(packet('p2', {}, 'shared-24m-second-report'));
      s.put(packet('p3'));
      expect(s.sweep(new Date('2027-06-01T00:00:00Z')).adminOnly).toBe(1);
      expect(s.get('p2')!.phase).toBe('shared');
      expect(s.withdraw('p2', new Date('2027-06-01T00:00:00Z'))).toBe(true);
      expect(s.sweep(new Date('2027-06-01T00:00:01Z')).adminOnly).toBe(1);
      expect(s.get('p2')!.phase).toBe('admin-only');
      expect(s.sweep(new Date('2028-06-01T00:00:00Z')).deleted).toBe(2);
    });
  });
}

hubStoreContract('sqlite', () => new SqliteHubStore(':memory:', new FixedClock('2026-01-01T00:00:00Z')));
