// Shared plumbing for every Button adapter: listeners, the PressDetector, and "no press after stop()". Adapters
// only translate their device's raw input into edges.
import { type Edge, PressDetector, type PressTiming } from '../../core/button-press.js';
import type { Button, PressListener } from '../../core/ports/button.js';

export abstract class EdgeButton implements Button {
  readonly source: string;
  readonly #listeners = new Set<PressListener>();
  readonly #detector: PressDetector;
  protected running = false;

  constructor(source: string, timing: PressTiming) {
    this.source = source;
    this.#detector = new PressDetector(source, timing);
  }

  onPress(listener: PressListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;

  protected edge(e: Edge): void {
    if (!this.running) return;
    const press = this.#detector.edge(e);
    if (!press) return;
    for (const l of this.#listeners) {
      try {
        l(press);
      } catch {
        // A listener's failure must not stop the button; the listener logs its own errors.
      }
    }
  }

  protected resetDetector(): void {
    this.#detector.reset();
  }
}
