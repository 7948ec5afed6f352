// The pre-roll ring buffer against the emulator's live stream: segments appear in the RAM dir, playback of the
// last seconds is answered from them (the recorder is not asked), and stop() ends ffmpeg and deletes the dir.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { PreRollFrameSource, PreRollRecorder } from '../../src/adapters/ffmpeg/pre-roll.js';
import { FakeFrameSource } from '../../src/adapters/nvr/fake-frame-source.js';
import { emulator } from '../support/nvr.js';
import { tempDir } from '../support/tmp.js';

describe('pre-roll buffer', () => {
  it('answers playback of the last seconds from RAM segments and cleans up on stop', async () => {
    const emu = await emulator();
    const dir = join(tempDir(), 'preroll');
    const rec = new PreRollRecorder({
      url: `rtsp://admin:Passw0rd!@127.0.0.1:${emu.rtspPort}/Streaming/Channels/101`,
      dir,
      seconds: 10,
      segmentSeconds: 1,
    });
    rec.start();
    try {
      const inner = new FakeFrameSource(Buffer.alloc(0));
      inner.failWith = 'nvr-unreachable'; // proves the recorder is not asked
      const src = new PreRollFrameSource(inner, new Map([[1, rec]]));
      const end = Date.now() + 20_000;
      let to = new Date(Date.now() - 500);
      let from = new Date(to.getTime() - 2500);
      while (!rec.covers(from, to)) {
        if (Date.now() > end) throw new Error('the pre-roll never covered 2.5 s');
        await new Promise((r) => setTimeout(r, 250));
        to = new Date(Date.now() - 500);
        from = new Date(to.getTime() - 2500);
      }
      expect(readdirSync(dir).some((f) => f.endsWith('.ts'))).toBe(true);
      expect(rec.bytes()).toBeGreaterThan(0);
      const frames = await src.playback(1, from, to, 3);
      expect(frames).toHaveLength(3);
      for (const f of frames) expect((await sharp(f.jpeg).metadata()).format).toBe('jpeg');
      // Outside the buffer it falls through to the recorder.
      await expect(
        src.playback(1, new Date(Date.now() - 120_000), new Date(Date.now() - 110_000), 2),
      ).rejects.toMatchObject({ code: 'nvr-unreachable' });
    } finally {
      await rec.stop();
    }
    expect(existsSync(dir)).toBe(false);
  });
});
