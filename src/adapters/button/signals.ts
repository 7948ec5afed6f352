// Confirmation signals: a GPIO LED or buzzer lit through Debian's `gpioset`, the recorder's alarm output, or a
// fake that records. One long blink means captured; three short ones mean the capture failed.
import { spawn } from 'node:child_process';
import type { AlarmOutputs } from '../../core/ports/alarm-events.js';
import type { ConfirmationSignal } from '../../core/ports/button.js';
import type { GpiodMajor } from './gpio-button.js';

/** On/off steps in ms for each outcome, starting with "on". */
export const SIGNAL_PATTERNS = { ok: [1500], failed: [200, 200, 200, 200, 200] } as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How long the closing low is held before its gpioset is stopped. */
const DRIVE_LOW_MS = 50;

/** gpioset arguments that drive `line` to `value` and hold it until the process is stopped. */
export function gpiosetArgs(major: GpiodMajor, chip: string, line: number, value: 0 | 1): string[] {
  return major === 1 ? ['--mode=signal', chip, `${line}=${value}`] : ['--chip', chip, `${line}=${value}`];
}

export class GpioLedSignal implements ConfirmationSignal {
  readonly name: string;
  readonly #chip: string;
  readonly #line: number;
  readonly #major: GpiodMajor;
  readonly #bin: string;
  readonly #scale: number;

  constructor(o: { chip: string; line: number; major: GpiodMajor; bin?: string; timeScale?: number }) {
    this.name = `gpio-led:${o.chip}/${o.line}`;
    this.#chip = o.chip;
    this.#line = o.line;
    this.#major = o.major;
    this.#bin = o.bin ?? 'gpioset';
    this.#scale = o.timeScale ?? 1;
  }

  async confirm(outcome: 'ok' | 'failed'): Promise<void> {
    // Each step holds the line with its own gpioset; the last step drives it low, because a released line keeps
    // its last value on a Pi and the LED would otherwise stay lit.
    const steps = SIGNAL_PATTERNS[outcome];
    for (let i = 0; i < steps.length; i++) {
      await this.#hold(i % 2 === 0 ? 1 : 0, (steps[i] ?? 0) * this.#scale);
    }
    // The closing low is not part of the pattern and is never shortened: gpioset must have set the line before it is
    // stopped, or a busy appliance leaves the LED lit.
    await this.#hold(0, DRIVE_LOW_MS);
  }

  async #hold(value: 0 | 1, ms: number): Promise<void> {
    const child = spawn(this.#bin, gpiosetArgs(this.#major, this.#chip, this.#line, value), { stdio: 'ignore' });
    const closed = new Promise<void>((r) => {
      child.on('close', () => r());
      child.on('error', () => r());
    });
    // The hold starts once the process runs, not when it was asked for (a loaded machine takes a while to start it).
    await new Promise<void>((r) => {
      child.once('spawn', () => r());
      child.once('error', () => r());
    });
    await sleep(ms);
    child.kill('SIGTERM');
    await closed;
  }
}

export class NvrAlarmOutputSignal implements ConfirmationSignal {
  readonly name: string;
  readonly #outputs: AlarmOutputs;
  readonly #output: number;
  readonly #scale: number;

  constructor(outputs: AlarmOutputs, output: number, timeScale = 1) {
    this.name = `nvr-output:${output}`;
    this.#outputs = outputs;
    this.#output = output;
    this.#scale = timeScale;
  }

  async confirm(outcome: 'ok' | 'failed'): Promise<void> {
    const steps = SIGNAL_PATTERNS[outcome];
    try {
      for (let i = 0; i < steps.length; i++) {
        if (i % 2 === 0) await this.#outputs.setOutput(this.#output, true);
        await sleep((steps[i] ?? 0) * this.#scale);
        if (i % 2 === 0) await this.#outputs.setOutput(this.#output, false);
      }
    } catch {
      // A signal is a courtesy: a failed relay must never fail the capture that it confirms.
      await this.#outputs.setOutput(this.#output, false).catch(() => {});
    }
  }
}

export class FakeSignal implements ConfirmationSignal {
  readonly name = 'fake';
  readonly outcomes: ('ok' | 'failed')[] = [];
  async confirm(outcome: 'ok' | 'failed'): Promise<void> {
    this.outcomes.push(outcome);
  }
}
