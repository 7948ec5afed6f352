// The subject picked on a still is carried into the clip: its time within the clip's window, its box in clip pixels.
import { describe, expect, it } from 'vitest';
import { pickFromStill } from '../../src/services/clips/clip-service.js';

const clip = { width: 960, height: 540, frames: 80, fps: 8, preSeconds: 5 };
const trigger = '2026-11-23T10:00:00.000Z';

describe('pickFromStill', () => {
  it('places a 1080p still taken 2 s before the trigger at 3 s into the clip, box halved', () => {
    expect(
      pickFromStill(
        { box: [400, 200, 120, 160], width: 1920, height: 1080, capturedAt: '2026-11-23T09:59:58.000Z' },
        clip,
        trigger,
      ),
    ).toEqual({ box: [200, 100, 60, 80], atSeconds: 3 });
  });

  it('gives nothing for a still outside the clip window', () => {
    const still = { box: [1, 1, 10, 10] as [number, number, number, number], width: 1920, height: 1080 };
    expect(pickFromStill({ ...still, capturedAt: '2026-11-23T09:59:54.000Z' }, clip, trigger)).toBeUndefined();
    expect(pickFromStill({ ...still, capturedAt: '2026-11-23T10:00:06.000Z' }, clip, trigger)).toBeUndefined();
  });
});
