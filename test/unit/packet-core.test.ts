// Pure packet helpers: JPEG header reading and BCRP retention dates.
import { describe, expect, it } from 'vitest';
import { readJpegInfo } from '../../src/core/packet/jpeg.js';
import { addMonths, retentionDates, retentionPhase } from '../../src/core/packet/retention.js';
import { testJpeg } from '../support/packets.js';

describe('readJpegInfo', () => {
  it('reads the size of a JPEG and finds no metadata in a clean re-encode', async () => {
    expect(readJpegInfo(await testJpeg(123, 45))).toEqual({ width: 123, height: 45, metadata: [] });
  });

  it('names EXIF, ICC and comment segments, and refuses what is not a JPEG', async () => {
    const j = await testJpeg(16, 16);
    const seg = (marker: number, body: Buffer) =>
      Buffer.concat([Buffer.from([0xff, marker, 0, body.length + 2]), body]);
    const withMeta = Buffer.concat([
      j.subarray(0, 2),
      seg(0xe1, Buffer.from('Exif\0\0xx')),
      seg(0xe2, Buffer.from('ICC_PROFILE\0..')),
      seg(0xfe, Buffer.from('shop camera 3')),
      j.subarray(2),
    ]);
    expect(readJpegInfo(withMeta)?.metadata).toEqual(['EXIF', 'ICC', 'COM']);
    expect(readJpegInfo(Buffer.from('GIF89a'))).toBeUndefined();
    expect(readJpegInfo(j.subarray(0, 20))).toBeUndefined();
  });
});

describe('retention', () => {
  it('adds calendar months, clamping to the end of a shorter month', () => {
    expect(addMonths('2026-01-31T12:00:00Z', 1).toISOString()).toBe('2026-02-28T12:00:00.000Z');
    expect(addMonths('2028-01-31T00:00:00Z', 1).toISOString()).toBe('2028-02-29T00:00:00.000Z');
    expect(addMonths('2026-03-15T08:00:00Z', 12).toISOString()).toBe('2027-03-15T08:00:00.000Z');
  });

  it('gives the share end and deletion date for each class and for a withdrawal', () => {
    const r = retentionDates('shared-12m', '2026-03-01T00:00:00Z');
    expect([r.shareUntil.toISOString(), r.deleteAt.toISOString()]).toEqual([
      '2027-03-01T00:00:00.000Z',
      '2028-03-01T00:00:00.000Z',
    ]);
    const s = retentionDates('shared-24m-second-report', '2026-03-01T00:00:00Z');
    expect(s.deleteAt.toISOString()).toBe('2029-03-01T00:00:00.000Z');
    const wd = retentionDates('shared-24m-second-report', '2026-03-01T00:00:00Z', '2026-06-01T00:00:00Z');
    expect(wd.deleteAt.toISOString()).toBe('2027-06-01T00:00:00.000Z');
    expect(retentionPhase('shared-12m', '2026-03-01T00:00:00Z', new Date('2027-02-28T23:59:59Z'))).toBe('shared');
    expect(retentionPhase('shared-12m', '2026-03-01T00:00:00Z', new Date('2027-03-01T00:00:00Z'))).toBe('admin-only');
    expect(retentionPhase('shared-12m', '2026-03-01T00:00:00Z', new Date('2028-03-01T00:00:00Z'))).toBe('delete');
  });
});
