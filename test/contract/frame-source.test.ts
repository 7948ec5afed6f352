// The FrameSource contract, run against the Hikvision adapter (emulator over ISAPI + RTSP), the bare-RTSP
// adapter and the fake: every implementation gives decodable JPEGs, the right count, playback moments inside
// the window, and NvrError values with the right code for an unknown camera or a camera without recordings.
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { frameAt, testPatternClip } from '../../src/adapters/nvr/emulator/media.js';
import { FakeFrameSource } from '../../src/adapters/nvr/fake-frame-source.js';
import { HikvisionFrameSource } from '../../src/adapters/nvr/isapi/hikvision-frame-source.js';
import { RtspFrameSource } from '../../src/adapters/nvr/rtsp-frame-source.js';
import type { FrameSource } from '../../src/core/ports/frame-source.js';
import { clientFor, emulator } from '../support/nvr.js';

interface Subject {
  name: string;
  make: () => Promise<FrameSource>;
  hasArchive: boolean;
  knowsCameras: boolean;
}

let emu: Awaited<ReturnType<typeof emulator>>;

const subjects: Subject[] = [
  {
    name: 'fake',
    hasArchive: true,
    knowsCameras: true,
    make: async () =>
      new FakeFrameSource(await frameAt(await testPatternClip(), 1), { cameras: [1, 2], noRecording: [2] }),
  },
  {
    name: 'hikvision (emulator)',
    hasArchive: true,
    knowsCameras: true,
    make: async () =>
      new HikvisionFrameSource(clientFor(emu), {
        host: '127.0.0.1',
        rtspPort: emu.rtspPort,
        username: emu.username,
        password: emu.password,
        stallMs: 8000,
      }),
  },
  {
    name: 'bare rtsp (emulator)',
    hasArchive: false,
    knowsCameras: false,
    make: async () =>
      new RtspFrameSource(
        `rtsp://${emu.username}:${encodeURIComponent(emu.password)}@127.0.0.1:${emu.rtspPort}/Streaming/Channels/101`,
        {
          stallMs: 8000,
        },
      ),
  },
];

beforeAll(async () => {
  emu = await emulator({ channels: 2, noRecording: [2] });
});

async function decodable(jpeg: Buffer): Promise<{ width: number; height: number }> {
  const m = await sharp(jpeg).metadata();
  return { width: m.width ?? 0, height: m.height ?? 0 };
}

describe.each(subjects)('FrameSource contract: $name', (s) => {
  let src: FrameSource;
  beforeAll(async () => {
    src = await s.make();
  });

  it('gives a decodable snapshot', async () => {
    const f = await src.snapshot(1);
    expect(f.origin).toBe('snapshot');
    const size = await decodable(f.jpeg);
    expect(size.width).toBeGreaterThan(0);
  });

  it('gives the asked number of live frames, each reported as it arrives', async () => {
    const seen: number[] = [];
    const frames = await src.live(1, 3, 200, (f) => seen.push(f.jpeg.length));
    expect(frames).toHaveLength(3);
    expect(seen).toHaveLength(3);
    for (const f of frames) {
      expect(f.origin).toBe('live');
      await decodable(f.jpeg);
    }
  });

  it('plays back frames inside the window, or says there is no archive', async () => {
    const to = new Date(Date.now() - 2000);
    const from = new Date(to.getTime() - 6000);
    if (!s.hasArchive) {
      await expect(src.playback(1, from, to, 2)).rejects.toMatchObject({ code: 'nvr-no-recording' });
      return;
    }
    const frames = await src.playback(1, from, to, 3);
    expect(frames).toHaveLength(3);
    for (const f of frames) {
      expect(f.origin).toBe('playback');
      expect(f.at.getTime()).toBeGreaterThanOrEqual(from.getTime());
      expect(f.at.getTime()).toBeLessThanOrEqual(to.getTime());
      await decodable(f.jpeg);
    }
  });

  it.runIf(s.hasArchive)('reports a camera without recordings as nvr-no-recording', async () => {
    const to = new Date(Date.now() - 1000);
    await expect(src.playback(2, new Date(to.getTime() - 5000), to, 2)).rejects.toMatchObject({
      code: 'nvr-no-recording',
      retryable: false,
    });
  });

  it.runIf(s.knowsCameras)('reports an unknown camera as nvr-not-found', async () => {
    await expect(src.snapshot(9)).rejects.toMatchObject({ code: 'nvr-not-found' });
  });
});
