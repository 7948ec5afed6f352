// What changed in the configuration, as the `config-change` audit entry records it: dotted key paths with their old
// and new values. Keys whose names mark secrets (passwords, tokens, private keys) keep only the marker `[secret]`,
// so the audit log never holds a secret (and a change of a secret's value alone is not recorded here).
import type { JsonValue } from './canonical-json.js';
import { SECRET_KEY_PATTERN } from './secrets.js';

export type FlatConfig = Record<string, JsonValue>;

export type ConfigChange = {
  from: JsonValue;
  to: JsonValue;
};

/** Dotted paths of every non-secret leaf (arrays are one value each); secret-named keys become `[secret]`. */
export function flattenConfig(value: unknown, prefix = ''): FlatConfig {
  const out: FlatConfig = {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    if (prefix) out[prefix] = toJson(value);
    return out;
  }
  for (const [k, v] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (SECRET_KEY_PATTERN.test(k) && v !== undefined && typeof v !== 'boolean' && typeof v !== 'object')
      out[path] = '[secret]';
    else Object.assign(out, flattenConfig(v, path));
  }
  return out;
}

function toJson(v: unknown): JsonValue {
  return v === undefined ? null : (JSON.parse(JSON.stringify(v)) as JsonValue);
}

/** The paths whose values differ (a path missing on one side reads as null). */
export function configChanges(before: FlatConfig | undefined, after: FlatConfig): Record<string, ConfigChange> {
  const out: Record<string, ConfigChange> = {};
  for (const path of new Set([...Object.keys(before ?? {}), ...Object.keys(after)])) {
    const from = before?.[path] ?? null;
    const to = after[path] ?? null;
    if (JSON.stringify(from) !== JSON.stringify(to)) out[path] = { from, to };
  }
  return out;
}
