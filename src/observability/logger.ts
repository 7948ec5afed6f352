// One logger for the whole appliance: JSON lines in production (journald), readable lines on a terminal. Every
// line passes through scrubValue, so passwords, keys, tokens and credentials in URLs never reach a log whatever
// a caller passes in.
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { scrubCredentials, scrubValue } from '../core/secrets.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level?: string;
  /** Where lines go; defaults to stderr so that stdout stays clean for `--json` output. */
  destination?: DestinationStream | NodeJS.WritableStream;
  pretty?: boolean;
  name?: string;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const usePretty = options.pretty ?? (process.stderr.isTTY === true && process.env['NODE_ENV'] !== 'production');
  const dest: DestinationStream | NodeJS.WritableStream = usePretty
    ? pretty({ destination: 2, sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
    : (options.destination ?? pino.destination({ dest: 2, sync: true }));
  return pino(
    {
      level: options.level ?? process.env['BCRP_EDGE_LOG_LEVEL'] ?? 'info',
      base: options.name ? { name: options.name } : null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        log: (obj) => scrubValue(obj) as Record<string, unknown>,
      },
      hooks: {
        // Scrub the message string and any printf-style arguments, which formatters.log does not see.
        logMethod(args, method) {
          const clean = args.map((a) => (typeof a === 'string' ? scrubCredentials(a) : a)) as Parameters<typeof method>;
          return method.apply(this, clean);
        },
      },
      serializers: {
        err: (e: unknown) => scrubValue(e instanceof Error ? pino.stdSerializers.err(e) : e),
      },
    },
    options.destination && !usePretty ? options.destination : dest,
  );
}

/** A logger that drops everything: for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
