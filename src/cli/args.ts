// Argument parsing shared by every command: node's parseArgs with our usage errors (exit 2, never a stack).
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from '../core/errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<O extends Options>(args: string[], options: O, usage: string, allowPositionals = false) {
  try {
    return parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals,
      strict: true,
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message.replace(/\. To specify a positional.*$/, '')}\nusage: ${usage}`);
  }
}

/** Options every command that reads the appliance's state accepts. */
export const commonOptions = {
  config: { type: 'string', short: 'c' },
  'data-dir': { type: 'string', short: 'd' },
  json: { type: 'boolean' },
} as const;

export function requireIso(value: string | undefined, flag: string): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime()))
    throw new UsageError(`${flag} must be an ISO 8601 date or time, e.g. 2026-11-23T10:00:00Z`);
  return d;
}
