// In-memory StillChecks for service tests; runs the same contract suite as the SQLite one.
import type { StillCheck, StillChecks, StillFaceCheck } from '../../core/ports/still-checks.js';
import type { RedactedImage } from '../../core/redaction.js';

export class FakeStillChecks implements StillChecks {
  readonly #checks = new Map<string, StillCheck>();

  save(incidentId: string, originalId: string, check: StillFaceCheck): void {
    this.#checks.set(`${incidentId}/${originalId}`, { ...check, faces: check.faces.map((f) => ({ ...f })) });
  }

  saveRendering(incidentId: string, originalId: string, redacted: RedactedImage): void {
    const c = this.#checks.get(`${incidentId}/${originalId}`);
    if (c) c.redacted = redacted;
  }

  load(incidentId: string, originalId: string): StillCheck | undefined {
    const c = this.#checks.get(`${incidentId}/${originalId}`);
    return c ? { ...c, faces: c.faces.map((f) => ({ ...f })) } : undefined;
  }
}
