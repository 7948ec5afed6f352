// `bcrp-edge nvr-emulator`: an emulated Hikvision NVR (ISAPI with digest auth + GStreamer RTSP) on 127.0.0.1,
// for the demo and tests. Prints one `ready` line, runs until SIGINT/SIGTERM, then stops both sides.
import { readFileSync } from 'node:fs';
import { startNvrEmulator } from '../adapters/nvr/emulator/emulator.js';
import { parseQuirks, type QuirkName, quirkList } from '../adapters/nvr/emulator/quirks.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { parse } from './args.js';
import type { Command } from './io.js';

export const nvrEmulator: Command = {
  name: 'nvr-emulator',
  summary: 'run an emulated Hikvision NVR for tests and demos',
  usage:
    'bcrp-edge nvr-emulator [--port P] [--rtsp-port R] [--media FILE|DIR] [--channels N] [--user U] [--password-file F] [--digest md5|sha256|both] [--quirks NAME[,NAME]|list] [--lock-seconds S] [--clock-skew-ms MS]',
  async run(args, io) {
    const { values } = parse(
      args,
      {
        port: { type: 'string' },
        'rtsp-port': { type: 'string' },
        media: { type: 'string' },
        channels: { type: 'string' },
        user: { type: 'string' },
        'password-file': { type: 'string' },
        digest: { type: 'string' },
        quirks: { type: 'string' },
        'lock-seconds': { type: 'string' },
        'clock-skew-ms': { type: 'string' },
        verbose: { type: 'boolean', short: 'v' },
      },
      this.usage,
    );
    if (values.quirks === 'list') {
      for (const line of quirkList()) io.out(line);
      return ExitCode.ok;
    }
    let quirks: QuirkName[] = [];
    try {
      quirks = values.quirks === undefined ? [] : parseQuirks(values.quirks);
    } catch (e) {
      throw new UsageError(`--quirks: ${(e as Error).message}`);
    }
    const int = (v: string | undefined, flag: string, min: number, max: number) => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max)
        throw new UsageError(`${flag} must be a whole number ${min}–${max}`);
      return n;
    };
    const lockSeconds = int(values['lock-seconds'], '--lock-seconds', 1, 86_400);
    const clockSkewMs = int(values['clock-skew-ms'], '--clock-skew-ms', -86_400_000, 86_400_000);
    const port = (v: string | undefined, flag: string) => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535)
        throw new UsageError(`${flag} must be a port number (0 = any free port)`);
      return n;
    };
    const channels = values.channels === undefined ? 1 : Number(values.channels);
    if (!Number.isInteger(channels) || channels < 1 || channels > 16) throw new UsageError('--channels must be 1–16');
    const digest = values.digest ?? 'both';
    const algorithms =
      digest === 'md5'
        ? (['MD5'] as const)
        : digest === 'sha256'
          ? (['SHA-256'] as const)
          : digest === 'both'
            ? (['SHA-256', 'MD5'] as const)
            : undefined;
    if (!algorithms) throw new UsageError('--digest must be md5, sha256 or both');
    let password: string | undefined;
    if (values['password-file']) {
      try {
        password = readFileSync(values['password-file'], 'utf8').replace(/\r?\n$/, '');
      } catch (e) {
        throw new UsageError(`cannot read --password-file: ${(e as NodeJS.ErrnoException).code}`);
      }
    }
    const httpPort = port(values.port, '--port');
    const rtspPort = port(values['rtsp-port'], '--rtsp-port');
    const emu = await startNvrEmulator({
      ...(httpPort !== undefined ? { port: httpPort } : {}),
      ...(rtspPort !== undefined ? { rtspPort } : {}),
      ...(values.media ? { media: values.media } : {}),
      ...(values.user ? { username: values.user } : {}),
      ...(password ? { password } : {}),
      channels,
      algorithms: [...algorithms],
      quirks,
      ...(lockSeconds !== undefined ? { lockSeconds } : {}),
      ...(clockSkewMs !== undefined ? { clockSkewMs } : {}),
      ...(values.verbose ? { onLog: (l: string) => io.err(l) } : {}),
    });
    io.out(`ready ${emu.httpUrl} ${emu.rtspUrl}`);
    io.err(
      `user "${emu.username}"${password ? '' : ' with the default password Passw0rd!'}; ${channels} channel(s)${quirks.length ? `; quirks: ${quirks.join(', ')}` : ''}; raise an alarm input with: curl -X POST ${emu.httpUrl}/emulator/io/1`,
    );
    const signal = await io.stopSignal;
    io.err(`stopping on ${signal}`);
    await emu.stop();
    return ExitCode.ok;
  },
};
