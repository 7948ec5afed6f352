// Renders docs/configuration.md from the schema: every key with its type, default and description. A test
// compares the file with this output, so the documentation cannot drift from the code.
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { stringify } from 'yaml';
import { ConfigSchema } from './schema.js';

interface Row {
  key: string;
  type: string;
  def: string;
  description: string;
}

function typeOf(s: TSchema): string {
  if (s['const'] !== undefined) return JSON.stringify(s['const']);
  if (s['anyOf']) return (s['anyOf'] as TSchema[]).map(typeOf).join(' \\| ');
  if (s['type'] === 'array') return `list of ${typeOf(s['items'] as TSchema)}`;
  if (s['type'] === 'object') return 'mapping';
  const bounds: string[] = [];
  if (s['minimum'] !== undefined) bounds.push(`≥ ${s['minimum']}`);
  if (s['maximum'] !== undefined) bounds.push(`≤ ${s['maximum']}`);
  return `${String(s['type'])}${bounds.length ? ` (${bounds.join(', ')})` : ''}`;
}

function rows(schema: TSchema, prefix: string, out: Row[]): void {
  const props = (schema['properties'] ?? {}) as Record<string, TSchema>;
  const required = new Set((schema['required'] as string[] | undefined) ?? []);
  for (const [name, s] of Object.entries(props)) {
    const key = prefix ? `${prefix}.${name}` : name;
    const isSection = s['type'] === 'object';
    const def =
      s['default'] !== undefined && !isSection
        ? `\`${JSON.stringify(s['default'])}\``
        : required.has(name) && s['default'] === undefined
          ? '**required**'
          : '';
    out.push({ key: `\`${key}\``, type: typeOf(s), def, description: (s['description'] as string | undefined) ?? '' });
    if (isSection) rows(s, key, out);
    if (s['type'] === 'array' && (s['items'] as TSchema)['type'] === 'object')
      rows(s['items'] as TSchema, `${key}[]`, out);
  }
}

export function renderConfigDocs(): string {
  const out: Row[] = [];
  rows(ConfigSchema, '', out);
  const table = out
    .map((r) => `| ${r.key} | ${r.type} | ${r.def} | ${r.description.replace(/\|/g, '\\|')} |`)
    .join('\n');
  const example = Value.Default(ConfigSchema, {
    site: { id: 'shop-001', name: 'Corner Shop' },
    nvr: { host: '192.168.1.64', passwordFile: '/etc/bcrp-edge/secrets/nvr-password' },
  });
  return `# Configuration

<!-- Generated from src/config/schema.ts by \`bcrp-edge config docs\`; a test fails when this file and the schema differ. -->

One YAML (or JSON) file, by default \`/etc/bcrp-edge/config.yaml\`; \`--config FILE\` or \`BCRP_EDGE_CONFIG\` choose
another. State lives in \`--data-dir\` (or \`BCRP_EDGE_DATA_DIR\`; default \`/var/lib/bcrp-edge\`). File paths in the
configuration are relative to the configuration file's folder.

\`bcrp-edge config validate [FILE]\` checks a file and lists **every** problem at once (exit 78), or prints a one-line
summary (exit 0). Unknown keys are refused, so a misspelt key never silently falls back to a default. Values are
never printed back, so a password typed into the wrong key does not end up on the screen.

Secrets do not belong in this file: the NVR password goes in \`nvr.passwordFile\` (mode 0600); keys and certificates
are separate PEM files.

## Every key

| key | type | default | meaning |
|---|---|---|---|
${table}

## The defaults as a file

Only \`site.id\` and the NVR password are required; this is what the appliance runs with when the rest is left out:

\`\`\`yaml
${stringify(example).trimEnd()}
\`\`\`
`;
}
