// A FaceDetector without a model, for tests and demos: answers with whatever its function says, or fails like a
// broken model would (DetectorUnavailable), so fail-closed paths can be exercised.
import type { Face, FaceDetector, RgbImage } from '../../core/ports/face-detector.js';
import { DetectorUnavailable } from '../../core/redaction-errors.js';

export class FakeFaceDetector implements FaceDetector {
  readonly model = { id: 'fake', sha256: '0'.repeat(64) };
  readonly #answer: (image: RgbImage) => Face[];
  failWith: string | undefined;
  calls = 0;

  constructor(answer: (image: RgbImage) => Face[] = () => [], options: { failWith?: string } = {}) {
    this.#answer = answer;
    this.failWith = options.failWith;
  }

  async detect(image: RgbImage): Promise<Face[]> {
    this.calls++;
    if (this.failWith !== undefined) throw new DetectorUnavailable(this.failWith);
    return this.#answer(image).map((f) => ({ ...f, box: [...f.box] }));
  }

  async close(): Promise<void> {}
}
