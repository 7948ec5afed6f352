// In-memory StillChecks for service tests; runs the same contract suite as the SQLite one.
import type { StillCheck, StillChecks } from '../../core/ports/still-checks.js';

export class FakeStillChecks implements StillChecks {
  readonly #checks = new Map<string, StillCheck>();

  save(incidentId: string, originalId: string, check: StillCheck): void {
    this.#checks.set(`${incidentId}/${originalId}`, { ...check, faces: check.faces.map((f) => ({ ...f })) });
  }

  load(incidentId: string, originalId: string): StillCheck | undefined {
    const c = this.#checks.get(`${incidentId}/${originalId}`);
    return c ? { ...c, faces: c.faces.map((f) => ({ ...f })) } : undefined;
  }
}
