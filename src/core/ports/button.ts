// Port: a hardware trigger. Each implementation (GPIO line, USB keyboard-type button, NVR alarm input, fake) turns
// its raw edges into presses through the same PressDetector, so debounce and long-press mean the same everywhere.

export interface ButtonPress {
  /** Wall-clock time the button went down (a long press still reports when it went down). */
  at: Date;
  /** Held for at least buttons.longPressMs: staff mean "this happened a few minutes ago". */
  long: boolean;
  /** Which trigger, e.g. "gpio:gpiochip0/17", "keyboard:/dev/input/event3", "nvr-io:1", "fake". */
  source: string;
}

export type PressListener = (press: ButtonPress) => void;

export interface Button {
  readonly source: string;
  /** Subscribes to presses; returns the unsubscribe function. */
  onPress(listener: PressListener): () => void;
  /** Starts listening to the hardware. Rejects with an AppError when the device cannot be opened. */
  start(): Promise<void>;
  /** Stops listening and releases the device; no press is delivered after it resolves. Safe to call twice. */
  stop(): Promise<void>;
}

/** Port: the signal that tells staff their press was captured (LED or buzzer on a GPIO line, NVR alarm output). */
export interface ConfirmationSignal {
  readonly name: string;
  /** Shows that stills were captured (`ok`) or that the capture failed (`failed`). Never throws. */
  confirm(outcome: 'ok' | 'failed'): Promise<void>;
}
