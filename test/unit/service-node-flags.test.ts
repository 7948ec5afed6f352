// The V8 flags bench idle measures the service with are the ones the systemd unit starts it with: if one changed
// alone, the idle figure would describe a service no shop runs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVICE_NODE_FLAGS } from '../../src/app/service-node-flags.js';
import { ROOT } from '../support/cli.js';

describe('service node flags', () => {
  it('bcrp-edge.service starts node with exactly SERVICE_NODE_FLAGS before the script', () => {
    const unit = readFileSync(join(ROOT, 'systemd', 'bcrp-edge.service'), 'utf8');
    const exec = /^ExecStart=(.*)$/m.exec(unit)?.[1]?.split(/\s+/) ?? [];
    expect(exec[0]).toBe('/usr/bin/node');
    const script = exec.findIndex((w) => w.endsWith('/dist/main.js'));
    expect(exec.slice(1, script)).toEqual([...SERVICE_NODE_FLAGS]);
  });
});
