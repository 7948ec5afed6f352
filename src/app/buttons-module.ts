// Wires the configured hardware buttons into the service: builds one Button per buttons.sources entry, turns each
// press into a trigger (camera + incident time, long press = minutes ago) and restarts a button whose device went
// away, with a growing pause so a missing device cannot spin the CPU.
import { FakeButton } from '../adapters/button/fake-button.js';
import { GpioButton, gpiodMajor } from '../adapters/button/gpio-button.js';
import { KeyboardButton } from '../adapters/button/keyboard-button.js';
import { NvrIoButton } from '../adapters/button/nvr-io-button.js';
import { GpioLedSignal, NvrAlarmOutputSignal } from '../adapters/button/signals.js';
import type { Config } from '../config/schema.js';
import { incidentTime } from '../core/button-press.js';
import type { TriggerSource } from '../core/incident.js';
import type { AlarmEvents, AlarmOutputs } from '../core/ports/alarm-events.js';
import type { Button, ButtonPress, ConfirmationSignal } from '../core/ports/button.js';
import type { Clock } from '../core/ports/clock.js';
import type { Logger } from '../observability/logger.js';
import type { Module } from './lifecycle.js';
import type { RecorderPart } from './recorder-module.js';
import type { Wiring } from './wiring.js';

export interface ButtonTrigger {
  camera: number;
  /** When the incident happened (earlier than the press for a long press). */
  time: Date;
  press: ButtonPress;
  /** Shows staff at the button that the capture worked (or not): LED, buzzer or NVR alarm output. Never throws. */
  confirm(outcome: 'ok' | 'failed'): Promise<void>;
}

export interface ButtonsModuleDeps {
  config: Config['buttons'];
  clock: Clock;
  log: Logger;
  onTrigger: (t: ButtonTrigger) => void | Promise<void>;
  /** The NVR adapter's alarm event stream; needed only for nvr-io sources. */
  alarmEvents?: () => AlarmEvents;
  /** The NVR adapter's alarm outputs; needed only for nvr-io sources with an `output`. */
  alarmOutputs?: AlarmOutputs;
  /** For tests: build buttons and signals differently. */
  build?: (source: Config['buttons']['sources'][number], onEnd: (why: string) => void) => Button;
  signal?: (source: Config['buttons']['sources'][number]) => ConfirmationSignal | undefined;
}

/** The confirmation signal a source has, if any: its GPIO LED line, or its NVR alarm output. */
export function buildSignal(
  s: Config['buttons']['sources'][number],
  deps: Pick<ButtonsModuleDeps, 'alarmOutputs'>,
): ConfirmationSignal | undefined {
  if (s.kind === 'gpio' && s.ledLine !== undefined) {
    const { chip, ledLine } = s;
    let led: Promise<ConfirmationSignal> | undefined;
    return {
      name: `gpio-led:${chip}/${ledLine}`,
      async confirm(outcome) {
        led ??= gpiodMajor('gpioset').then((major) => new GpioLedSignal({ chip, line: ledLine, major }));
        const signal = await led.catch(() => undefined);
        await signal?.confirm(outcome);
      },
    };
  }
  if (s.kind === 'nvr-io' && s.output !== undefined && deps.alarmOutputs)
    return new NvrAlarmOutputSignal(deps.alarmOutputs, s.output);
  return undefined;
}

export function buildButton(
  s: Config['buttons']['sources'][number],
  deps: Pick<ButtonsModuleDeps, 'config' | 'clock' | 'alarmEvents'>,
  onEnd: (why: string) => void,
): Button {
  const timing = { debounceMs: deps.config.debounceMs, longPressMs: deps.config.longPressMs };
  switch (s.kind) {
    case 'gpio':
      return new GpioButton({
        line: { chip: s.chip, line: s.line, activeLow: true },
        timing,
        clock: deps.clock,
        onEnd,
      });
    case 'keyboard':
      return new KeyboardButton({ device: s.device, key: s.key, timing, clock: deps.clock, onEnd });
    case 'nvr-io': {
      const events = deps.alarmEvents;
      if (!events) return new FakeButton(timing, deps.clock, `nvr-io:${s.input} (no NVR event stream yet)`);
      return new NvrIoButton({ input: s.input, events, timing, clock: deps.clock, onEnd });
    }
  }
}

export function buttonsModule(deps: ButtonsModuleDeps): Module & { buttons(): readonly Button[] } {
  const buttons: Button[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let stopping = false;

  const startOne = async (b: Button, camera: number, attempt: number): Promise<void> => {
    try {
      await b.start();
      deps.log.info({ button: b.source, camera }, 'button ready');
    } catch (e) {
      deps.log.error({ button: b.source, err: e }, 'button could not start');
      retry(b, camera, attempt + 1);
    }
  };
  const retry = (b: Button, camera: number, attempt: number) => {
    if (stopping) return;
    const t = setTimeout(
      () => {
        timers.delete(t);
        void startOne(b, camera, attempt);
      },
      Math.min(60_000, 1000 * 2 ** Math.min(attempt, 6)),
    );
    timers.add(t);
  };

  return {
    name: 'buttons',
    buttons: () => buttons,
    async start() {
      stopping = false;
      for (const s of deps.config.sources) {
        let self: Button | undefined;
        const onEnd = (why: string) => {
          deps.log.warn({ button: self?.source, why }, 'button stopped; restarting');
          if (self) retry(self, s.camera, 1);
        };
        const b = deps.build ? deps.build(s, onEnd) : buildButton(s, deps, onEnd);
        self = b;
        const signal = deps.signal ? deps.signal(s) : buildSignal(s, deps);
        const confirm = async (outcome: 'ok' | 'failed') => {
          await signal?.confirm(outcome).catch((e: unknown) => deps.log.warn({ err: e }, 'confirmation signal failed'));
        };
        b.onPress((press) => {
          const time = incidentTime(press, deps.config.longPressMinutesAgo);
          deps.log.info({ button: press.source, camera: s.camera, long: press.long }, 'button pressed');
          void Promise.resolve()
            .then(() => deps.onTrigger({ camera: s.camera, time, press, confirm }))
            .catch((e: unknown) => deps.log.error({ err: e }, 'trigger failed'));
        });
        buttons.push(b);
        await startOne(b, s.camera, 0);
      }
    },
    async stop() {
      stopping = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.all(buttons.map((b) => b.stop()));
      buttons.length = 0;
    },
  };
}

/** The configured buttons, each press a trigger at the incident desk; needs the recorder's part. */
export function addButtons(w: Wiring, recorder: RecorderPart | undefined): void {
  const { app } = w;
  if (!recorder || app.config.buttons.sources.length === 0) return;
  const desk = recorder.desk;
  app.lifecycle.add(
    buttonsModule({
      config: app.config.buttons,
      clock: app.clock,
      log: app.log.child({ module: 'buttons' }),
      ...(recorder.alarmEvents ? { alarmEvents: recorder.alarmEvents } : {}),
      ...(recorder.alarmOutputs ? { alarmOutputs: recorder.alarmOutputs } : {}),
      onTrigger: (t) =>
        desk
          .trigger({
            camera: t.camera,
            at: t.time,
            source: triggerSource(t.press.source),
            actor: `button:${t.press.source}`,
          })
          .then(
            () => t.confirm('ok'),
            () => t.confirm('failed'),
          ),
    }),
  );
}

function triggerSource(source: string): TriggerSource {
  return source.startsWith('nvr-io') ? 'nvr-io' : 'button';
}
