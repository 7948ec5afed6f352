// What the detect, redact and bench commands share: the `redaction` config section (from --config when given or
// present, schema defaults otherwise), the --model choice and x,y,w,h box arguments.
import { existsSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { configPath, DEFAULT_CONFIG_PATH, loadConfigFile } from '../config/load.js';
import { type RedactionConfig, RedactionSchema } from '../config/schema.js';
import { UsageError } from '../core/errors.js';
import type { Box } from '../core/redaction.js';

export function redactionConfig(flag: string | undefined, env: NodeJS.ProcessEnv): RedactionConfig {
  const file = configPath(flag, env);
  // Detection works on a bare machine too: with no config file anywhere, use the schema's defaults.
  if (flag === undefined && env['BCRP_EDGE_CONFIG'] === undefined && !existsSync(DEFAULT_CONFIG_PATH))
    return Value.Default(RedactionSchema, {}) as RedactionConfig;
  return loadConfigFile(file).config.redaction;
}

/** --model blazeface | yunet | PATH on top of the configured section. */
export function withModel(c: RedactionConfig, model: string | undefined): RedactionConfig {
  if (model === undefined) return c;
  const { modelPath: _p, modelSha256: _s, ...rest } = c;
  if (model === 'blazeface') return { ...rest, model: 'blazeface' };
  if (model === 'yunet') {
    if (c.model === 'yunet' || c.modelPath) return { ...c, model: 'yunet' };
    throw new UsageError('--model yunet needs the model file: give --model PATH or set redaction.modelPath');
  }
  // A path: accepted only if its SHA-256 is in the manifest, whose entry then decides how it is decoded.
  return { ...rest, modelPath: model };
}

export function parseBox(text: string, flag: string): Box {
  const parts = text.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n) || n < 0) || parts[2] === 0 || parts[3] === 0)
    throw new UsageError(`${flag} ${text}: expected x,y,w,h in pixels, e.g. ${flag} 120,80,60,60`);
  return parts as Box;
}

export function parseMode(text: string | undefined): 'solid' | 'pixelate' | 'blur' | undefined {
  if (text === undefined) return undefined;
  if (text === 'solid' || text === 'pixelate' || text === 'blur') return text;
  throw new UsageError(`--mode ${text}: use solid, pixelate or blur`);
}
