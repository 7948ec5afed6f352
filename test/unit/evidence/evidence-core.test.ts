// The police master's pure rules and small parts: the window and its cap, the recorder-time window in whole
// seconds, the packet's evidenceMaster field (schema and the dispatcher's hand-over), the chunked encryption at rest
// (round trip of a multi-record stream; a changed, reordered or cut-off record is refused), and the statement's
// wording of the clock offset and of a short recording.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EncryptedFiles } from '../../../src/adapters/store/encrypted-files.js';
import { openDatabase } from '../../../src/adapters/store/sqlite-store.js';
import { MAX_MASTER_SECONDS, type MasterRecord, masterWindow, recorderWindow } from '../../../src/core/evidence.js';
import { manifestProblems } from '../../../src/core/packet/manifest.js';
import { FixedClock } from '../../../src/core/ports/clock.js';
import { counterIds } from '../../../src/core/ports/ids.js';
import { witnessStatementText } from '../../../src/services/evidence/witness-statement.js';
import { OutboxDispatcher } from '../../../src/services/publish/outbox-dispatcher.js';
import type { QueuePacketRequest } from '../../../src/services/publish/queue-packet.js';
import { tempDir } from '../../support/tmp.js';

const T = new Date('2026-11-23T10:00:00.400Z');

describe('the master window', () => {
  it('spans pre and post seconds around the trigger, capped at five minutes with the post part giving way', () => {
    expect(masterWindow(T, 30, 30)).toEqual({
      from: new Date('2026-11-23T09:59:30.400Z'),
      to: new Date('2026-11-23T10:00:30.400Z'),
    });
    const capped = masterWindow(T, 240, 240);
    expect((capped.to.getTime() - capped.from.getTime()) / 1000).toBe(MAX_MASTER_SECONDS);
    expect(capped.from).toEqual(new Date(T.getTime() - 240_000));
  });

  it('is asked of the recorder in its own time, widened to whole seconds so nothing is cut short', () => {
    const w = recorderWindow(masterWindow(T, 30, 30), 2350);
    expect(w.from.toISOString()).toBe('2026-11-23T09:59:32.000Z');
    expect(w.to.toISOString()).toBe('2026-11-23T10:00:33.000Z');
  });
});

describe("the packet's evidenceMaster", () => {
  it('the dispatcher hands the sealed master hash to the queue; the schema takes it and refuses a bad hash', async () => {
    const seen: QueuePacketRequest[] = [];
    const master = {
      sha256: 'a'.repeat(64),
      windowFrom: '2026-11-23T09:59:30.400Z',
      windowTo: '2026-11-23T10:00:30.400Z',
    };
    const d = new OutboxDispatcher(
      async (r) => {
        seen.push(r);
      },
      { evidenceMaster: (id) => (id === 'inc-1' ? master : undefined) },
    );
    const packet = { category: 'theft' as const, description: '', triggerTime: T.toISOString(), images: [] };
    await d.dispatch({ ...packet, incidentId: 'inc-1' }, 'sam');
    await d.dispatch({ ...packet, incidentId: 'inc-2' }, 'sam');
    expect(seen[0]?.evidenceMaster).toEqual(master);
    expect(seen[1]).not.toHaveProperty('evidenceMaster');
    const vector = JSON.parse(
      readFileSync(join(import.meta.dirname, '../../../docs/packet-vector/manifest.json'), 'utf8'),
    );
    expect(manifestProblems({ ...vector, evidenceMaster: master })).toEqual([]);
    expect(manifestProblems({ ...vector, evidenceMaster: { ...master, sha256: 'not-a-hash' } }).join('\n')).toMatch(
      /\/evidenceMaster\/sha256/,
    );
  });
});

describe('footage encrypted at rest in records', () => {
  const dir = tempDir();
  const clock = new FixedClock(T);
  const db = openDatabase(dir, { clock });
  const files = new EncryptedFiles(db, dir, { clock, ids: counterIds('k') });
  const plain = Buffer.alloc(3 * 1024 * 1024 + 12345);
  for (let i = 0; i < plain.length; i++) plain[i] = (i * 31 + (i >> 10)) & 0xff;
  async function* pieces() {
    for (let i = 0; i < plain.length; i += 65536) yield plain.subarray(i, i + 65536);
  }
  const read = async (file: string, keyId: string) => {
    const parts: Buffer[] = [];
    for await (const b of files.openStream(file, keyId)) parts.push(b);
    return Buffer.concat(parts);
  };

  it('gives back exactly the bytes written, with their SHA-256, and holds no plain text on disk', async () => {
    const stored = await files.putStream('masters/inc-1', 'm1', pieces());
    expect(stored.bytes).toBe(plain.length);
    expect((await read(stored.file, stored.keyId)).equals(plain)).toBe(true);
    const onDisk = readFileSync(join(dir, stored.file));
    expect(onDisk.includes(plain.subarray(1000, 1064))).toBe(false);
  });

  it('refuses a changed byte, a record moved and a file cut after a whole record', async () => {
    const stored = await files.putStream('masters/inc-2', 'm2', pieces());
    const path = join(dir, stored.file);
    const good = readFileSync(path);
    const record = 4 + (1 << 20) + 16;
    const header = 11;
    const flipped = Buffer.from(good);
    flipped[header + 100] = (flipped[header + 100] ?? 0) ^ 1;
    writeFileSync(path, flipped);
    await expect(read(stored.file, stored.keyId)).rejects.toMatchObject({ code: 'file-corrupt' });
    const swapped = Buffer.concat([
      good.subarray(0, header),
      good.subarray(header + record, header + 2 * record),
      good.subarray(header, header + record),
      good.subarray(header + 2 * record),
    ]);
    writeFileSync(path, swapped);
    await expect(read(stored.file, stored.keyId)).rejects.toMatchObject({ code: 'file-corrupt' });
    writeFileSync(path, good.subarray(0, header + 3 * record));
    await expect(read(stored.file, stored.keyId)).rejects.toThrow(/cut short/);
    writeFileSync(path, good);
    expect((await read(stored.file, stored.keyId)).equals(plain)).toBe(true);
  });

  it('leaves no file behind when the stream fails part way', async () => {
    async function* broken() {
      yield plain.subarray(0, 2_000_000);
      throw new Error('connection reset by the recorder');
    }
    await expect(files.putStream('masters/inc-3', 'm3', broken())).rejects.toThrow('connection reset');
    expect(() => readFileSync(join(dir, 'files/masters/inc-3/m3.enc'))).toThrow();
    expect(() => readFileSync(join(dir, 'files/masters/inc-3/m3.enc.tmp'))).toThrow();
  });

  it('clears the temporary files a killed process left, and nothing else', async () => {
    const kept = await files.putStream('masters/inc-4', 'm4', pieces());
    mkdirSync(join(dir, 'files/masters/inc-5'), { recursive: true });
    writeFileSync(join(dir, 'files/masters/inc-5/m5.enc.tmp'), 'half a master');
    expect(files.removeLeftovers('masters')).toEqual(['files/masters/inc-5/m5.enc.tmp']);
    expect(existsSync(join(dir, 'files/masters/inc-5/m5.enc.tmp'))).toBe(false);
    expect((await read(kept.file, kept.keyId)).equals(plain)).toBe(true);
    expect(files.removeLeftovers('masters')).toEqual([]);
  });
});

describe('the witness statement wording', () => {
  const master = {
    id: 'm',
    incidentId: 'inc',
    camera: 1,
    state: 'sealed',
    windowFrom: '2026-06-23T09:59:30.000Z',
    windowTo: '2026-06-23T10:00:30.000Z',
    recorderFrom: '2026-06-23T09:59:28.000Z',
    recorderTo: '2026-06-23T10:00:29.000Z',
    recorderEnd: '2026-06-23T10:00:10.000Z',
    complete: false,
    method: 'rtsp-copy',
    recorderName: 'ch01_x_rtsp.ts',
    container: 'mpegts',
    sha256: 'b'.repeat(64),
    bytes: 10,
    file: 'f',
    keyId: 'k',
    clockOffsetMs: -1500,
    clockSource: 'isapi',
    clockReadAt: '2026-06-23T10:00:32.000Z',
    recorderMake: 'Hikvision',
    recorderModel: 'DS-7608NI',
    recorderFirmware: 'V4',
    recorderSerial: 'S1',
    startedAt: '2026-06-23T10:00:31.000Z',
    sealedAt: '2026-06-23T10:01:35.000Z',
    attempts: 1,
    nextAttemptAt: null,
    lastError: null,
    auditSeq: 9,
    progressBytes: 3_000_000,
    progressSeconds: 64,
  } satisfies MasterRecord;

  it('says a slow recorder clock is behind, in UK summer time, and that the recording fell short', () => {
    const text = witnessStatementText({
      siteId: 'shop-001',
      siteName: null,
      incidentId: 'inc',
      camera: 1,
      cameraName: null,
      triggerTime: '2026-06-23T10:00:00.000Z',
      master,
      exhibit: 'SHOP-001-X-M1',
      masterFile: 'master/ch01_x_rtsp.ts',
      working: null,
      stills: 0,
      description: null,
      officer: 'PC 1',
      reference: 'CR/1',
      exportedBy: 'mina',
      exportedAt: '2026-06-24T09:00:00.000Z',
      continuitySha256: 'c'.repeat(64),
    });
    expect(text).toContain("the recorder's clock was 1.5 s behind the appliance's NTP-synchronised clock");
    expect(text).toContain('23 June 2026 at 11:00:00 UK time (2026-06-23T10:00:00Z)');
    expect(text).toContain("no: the recorder's recording ended at 23 June 2026 at 11:00:10 UK time");
    expect(text).toContain('ffmpeg -c copy');
    expect(text).toMatch(/^Business \/ premises name: _{10,}$/m);
  });
});
