// The parts of the button adapters the contract cannot reach: the real gpiomon/gpioset spawn paths (against fake
// tools that print recorded output and log their arguments), reading a real input-event file, device lookup by
// name, the confirmation signals and the buttons module's long-press arithmetic.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeButton } from '../../src/adapters/button/fake-button.js';
import { GpioButton, gpiodMajor, gpiomonArgs, parseGpiomonLine } from '../../src/adapters/button/gpio-button.js';
import {
  encodeInputEvent,
  KeyboardButton,
  keyCode,
  parseInputEvent,
  resolveInputDevice,
} from '../../src/adapters/button/keyboard-button.js';
import { FakeSignal, GpioLedSignal, NvrAlarmOutputSignal } from '../../src/adapters/button/signals.js';
import { type ButtonTrigger, buildSignal, buttonsModule } from '../../src/app/buttons-module.js';
import type { ButtonPress } from '../../src/core/ports/button.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { silentLogger } from '../../src/observability/logger.js';
import { waitFor } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const timing = { debounceMs: 50, longPressMs: 1500 };
const dir = tempDir();

function script(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

describe('gpiomon', () => {
  it('parses both libgpiod output formats and rejects noise', () => {
    expect(parseGpiomonLine(1, '0 5001.3')).toEqual({ rising: false, tMs: 5001000.000003 });
    expect(parseGpiomonLine(1, '1 12.500000000')).toEqual({ rising: true, tMs: 12500 });
    expect(parseGpiomonLine(2, '2 12.5')).toEqual({ rising: false, tMs: 12500 });
    expect(parseGpiomonLine(2, '1 12.000250000')?.rising).toBe(true);
    expect(parseGpiomonLine(1, 'event: FALLING EDGE offset: 17')).toBeUndefined();
    expect(parseGpiomonLine(2, '0 12.5')).toBeUndefined();
  });

  it('asks the tool its version and passes pull-up bias and a parseable format', async () => {
    const v1 = script('gpiomon-v1', 'echo "gpiomon (libgpiod) v1.6.3"');
    const v2 = script('gpiomon-v2', 'echo "gpiomon (libgpiod) v2.1"');
    expect(await gpiodMajor(v1)).toBe(1);
    expect(await gpiodMajor(v2)).toBe(2);
    await expect(gpiodMajor(join(dir, 'missing'))).rejects.toThrow(/not found: apt-get install gpiod/);
    const line = { chip: 'gpiochip0', line: 17, activeLow: true };
    expect(gpiomonArgs(1, line)).toEqual(['--line-buffered', '--bias=pull-up', '--format=%e %s.%n', 'gpiochip0', '17']);
    expect(gpiomonArgs(2, line)).toContain('--bias');
  });

  it('spawns gpiomon, turns its output into presses and reports when it exits', async () => {
    const log = join(dir, 'gpiomon-args');
    const bin = script(
      'gpiomon',
      `if [ "$1" = --version ]; then echo "gpiomon (libgpiod) v1.6.3"; exit 0; fi
echo "$@" > ${log}
printf '0 100.0\\n1 100.300000000\\n0 102.0\\n1 104.0\\n'
echo "gpiomon: line released" >&2
exit 1`,
    );
    const presses: ButtonPress[] = [];
    let ended = '';
    const b = new GpioButton({
      line: { chip: 'gpiochip0', line: 17, activeLow: true },
      timing,
      clock: new FixedClock('2026-11-23T10:00:00Z'),
      bin,
      onEnd: (why) => {
        ended = why;
      },
    });
    b.onPress((p) => presses.push(p));
    await b.start();
    await waitFor(() => ended !== '', 5000, 'gpiomon to exit');
    await b.stop();
    expect(readFileSync(log, 'utf8').trim()).toBe('--line-buffered --bias=pull-up --format=%e %s.%n gpiochip0 17');
    expect(presses.map((p) => p.long)).toEqual([false, true]);
    expect(ended).toMatch(/exited \(1\): gpiomon: line released/);
  });
});

describe('gpiomon v2 (Debian 13)', () => {
  it('passes the v2 flags and reads its rising=1 / falling=2 output', async () => {
    const log = join(dir, 'gpiomon2-args');
    const bin = script(
      'gpiomon2',
      `if [ "$1" = --version ]; then echo "gpiomon (libgpiod) v2.1.3"; exit 0; fi
echo "$@" > ${log}
printf '2 7.000000000\\n1 7.080000000\\n'
exit 0`,
    );
    const presses: ButtonPress[] = [];
    let ended = '';
    const b = new GpioButton({
      line: { chip: 'gpiochip4', line: 22, activeLow: true },
      timing,
      clock: new FixedClock('2026-11-23T10:00:00Z'),
      bin,
      onEnd: (why) => {
        ended = why;
      },
    });
    b.onPress((p) => presses.push(p));
    await b.start();
    await waitFor(() => ended !== '', 5000, 'gpiomon to exit');
    expect(readFileSync(log, 'utf8').trim()).toBe('--chip gpiochip4 --bias pull-up --edges both --format %e %S 22');
    expect(presses.map((p) => p.long)).toEqual([false]);
  });
});

describe('keyboard button', () => {
  it('reads struct input_event in both word sizes', () => {
    for (const size of [16, 24] as const) {
      const b = encodeInputEvent({ tMs: 1_700_000_000_250, type: 1, code: 28, value: 1 }, size);
      expect(b.length).toBe(size);
      expect(parseInputEvent(b, 0, size)).toEqual({ tMs: 1_700_000_000_250, type: 1, code: 28, value: 1 });
    }
  });

  it('finds the event device by name and says which devices exist when it cannot', () => {
    const proc = `I: Bus=0003 Vendor=1a86 Product=e026
N: Name="Dream Cheeky Big Red Button"
H: Handlers=sysrq kbd event5 leds

I: Bus=0019
N: Name="Power Button"
H: Handlers=kbd event0
`;
    expect(resolveInputDevice('Dream Cheeky Big Red Button', proc)).toBe('/dev/input/event5');
    expect(resolveInputDevice('/dev/input/by-id/usb-x-event-kbd', proc)).toBe('/dev/input/by-id/usb-x-event-kbd');
    expect(() => resolveInputDevice('Panic', proc)).toThrow(/no input device named "Panic".*"Power Button"/);
    expect(keyCode('KEY_F13')).toBe(183);
    expect(keyCode('183')).toBe(183);
    expect(() => keyCode('KEY_BANANA')).toThrow(/unknown key "KEY_BANANA"/);
  });

  it('reads a recorded event file, skipping auto-repeat, and reports the end of the device', async () => {
    const file = join(dir, 'events.bin');
    const ev = (tMs: number, value: number) => encodeInputEvent({ tMs, type: 1, code: 28, value });
    writeFileSync(file, Buffer.concat([ev(1000, 1), ev(1250, 2), ev(1300, 2), ev(3000, 0), ev(5000, 1), ev(5100, 0)]));
    const presses: ButtonPress[] = [];
    let ended = '';
    const b = new KeyboardButton({
      device: file,
      key: 'KEY_ENTER',
      timing,
      clock: new FixedClock('2026-11-23T10:00:00Z'),
      onEnd: (why) => {
        ended = why;
      },
    });
    b.onPress((p) => presses.push(p));
    await b.start();
    await waitFor(() => ended !== '', 5000, 'end of the event file');
    await b.stop();
    expect(presses.map((p) => p.long)).toEqual([true, false]);
    expect(ended).toMatch(/closed/);
  });

  it('start() fails with a plain message when the device cannot be opened', async () => {
    const b = new KeyboardButton({
      device: join(dir, 'no-such-event'),
      key: 'KEY_ENTER',
      timing,
      clock: new FixedClock(0),
    });
    await expect(b.start()).rejects.toThrow(/cannot open .*no-such-event: ENOENT/);
  });
});

describe('confirmation signals', () => {
  it('the GPIO LED is driven high then low through gpioset', async () => {
    const log = join(dir, 'gpioset-log');
    const bin = script('gpioset', `echo "$@" >> ${log}; trap 'exit 0' TERM; while :; do sleep 0.05; done`);
    await new GpioLedSignal({ chip: 'gpiochip0', line: 27, major: 1, bin, timeScale: 0.1 }).confirm('ok');
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([
      '--mode=signal gpiochip0 27=1',
      '--mode=signal gpiochip0 27=0',
    ]);
  });

  it('the NVR alarm output blinks three times on failure and a broken relay does not throw', async () => {
    const calls: string[] = [];
    await new NvrAlarmOutputSignal(
      { setOutput: async (o, a) => void calls.push(`${o}:${a ? 'on' : 'off'}`) },
      1,
      0.01,
    ).confirm('failed');
    expect(calls).toEqual(['1:on', '1:off', '1:on', '1:off', '1:on', '1:off']);
    const broken = new NvrAlarmOutputSignal(
      {
        setOutput: async () => {
          throw new Error('relay down');
        },
      },
      1,
      0.01,
    );
    await expect(broken.confirm('ok')).resolves.toBeUndefined();
    const fake = new FakeSignal();
    await fake.confirm('ok');
    expect(fake.outcomes).toEqual(['ok']);
  });
});

describe('buttons module', () => {
  it('builds the confirmation signal each source has', () => {
    const outputs = { setOutput: async () => {} };
    expect(buildSignal({ kind: 'gpio', chip: 'gpiochip0', line: 17, camera: 1, ledLine: 27 }, {})?.name).toBe(
      'gpio-led:gpiochip0/27',
    );
    expect(buildSignal({ kind: 'gpio', chip: 'gpiochip0', line: 17, camera: 1 }, {})).toBeUndefined();
    expect(buildSignal({ kind: 'nvr-io', input: 1, camera: 1, output: 2 }, { alarmOutputs: outputs })?.name).toBe(
      'nvr-output:2',
    );
    expect(
      buildSignal({ kind: 'keyboard', device: '/dev/input/event3', key: 'KEY_F13', camera: 1 }, {}),
    ).toBeUndefined();
  });

  it('a long press triggers its camera with the incident time moved back by longPressMinutesAgo', async () => {
    const clock = new FixedClock('2026-11-23T10:00:00Z');
    const triggers: ButtonTrigger[] = [];
    const signal = new FakeSignal();
    let fake: FakeButton | undefined;
    const m = buttonsModule({
      config: {
        sources: [{ kind: 'nvr-io', input: 1, camera: 3, output: 1 }],
        debounceMs: 50,
        longPressMs: 1500,
        longPressMinutesAgo: 5,
      },
      clock,
      log: silentLogger(),
      onTrigger: (t) => void triggers.push(t),
      build: () => {
        fake = new FakeButton(timing, clock);
        return fake;
      },
      signal: () => signal,
    });
    await m.start();
    fake?.press(0, 2000);
    fake?.press(5000, 100);
    await waitFor(() => triggers.length === 2, 2000, 'two triggers');
    await triggers[0]?.confirm('ok');
    await triggers[1]?.confirm('failed');
    expect(signal.outcomes).toEqual(['ok', 'failed']);
    await m.stop();
    expect(triggers.map((t) => [t.camera, t.time.toISOString(), t.press.long])).toEqual([
      [3, '2026-11-23T09:55:00.000Z', true],
      [3, '2026-11-23T10:00:00.000Z', false],
    ]);
  });
});
