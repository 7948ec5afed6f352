// Provisioning a new appliance through its ports, with in-memory fakes: a bad answer stops before any key is made,
// and a good run leaves a validated config, an enrolment request carrying the code proof, and the store's records.
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/core/audit-chain.js';
import type { AuditLog } from '../../src/core/ports/audit-log.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { counterIds } from '../../src/core/ports/ids.js';
import type { ConfigDirectory, DevicePki, ProvisioningRecords } from '../../src/core/ports/provisioning.js';
import { provisionDevice } from '../../src/services/provision-device.js';
import { checkCodeProof, type EnrolmentRequest, LAYOUT } from '../../src/services/provisioning.js';

function fakes(opts: { rejectConfig?: boolean } = {}) {
  const files = new Map<string, string>();
  const steps: string[] = [];
  const events: AuditEvent[] = [];
  const accounts: { username: string; role: string }[] = [];
  const dir: ConfigDirectory<unknown> = {
    prepareLayout: () => steps.push('layout'),
    path: (rel) => `/etc/x/${rel}`,
    readText: (rel) => files.get(rel) ?? '',
    writeText: (rel, text) => files.set(rel, text),
    writePrivate: (rel, text) => files.set(rel, text),
    copyIn: (rel, from) => files.set(rel, `copy of ${from}`),
    checkConfig: () => {
      steps.push('check');
      if (opts.rejectConfig) throw new Error('site.id: bad');
    },
    readConfigData: () => ({}),
    loadConfig: () => ({ file: '/etc/x/config.yaml', config: {}, warnings: [] }),
    writeValidatedConfig: (config) => {
      steps.push('config');
      return { file: '/etc/x/config.yaml', config, warnings: [] };
    },
  };
  const pki: DevicePki = {
    certificateMatchesKey: () => true,
    makeWebCertificate: async () => void steps.push('web-cert'),
    makeClientCsr: async (o) => {
      steps.push('csr');
      files.set(LAYOUT.mqttCsr, `CSR for ${o.siteId}/${o.deviceId}`);
    },
    makeSigningKey: () => {
      steps.push('signing-key');
      return 'PUBLIC KEY';
    },
  };
  const audit = { append: (e: AuditEvent) => events.push(e) } as unknown as AuditLog;
  const records: ProvisioningRecords = {
    audit,
    history: { lastRecorded: () => undefined },
    setAccount: (a) => {
      accounts.push({ username: a.username, role: a.role });
      return 'created';
    },
  };
  const deps = {
    pki,
    dir,
    files: { read: () => Buffer.from('') },
    withRecords: async <T>(use: (r: ProvisioningRecords) => Promise<T> | T) => use(records),
    clock: new FixedClock('2026-05-01T09:00:00Z'),
    ids: counterIds('dev'),
  };
  return { deps, files, steps, events, accounts };
}

const device = {
  answers: {
    siteId: 'shop-001',
    nvr: { kind: 'hikvision' as const, host: '192.168.1.64', port: 80, scheme: 'http' as const, username: 'admin' },
    cameras: [{ id: 1, name: 'Till' }],
    buttons: [],
    brokerUrl: 'mqtts://hub.example:8883',
    brokerCa: false,
    web: { bind: '0.0.0.0', port: 8443 },
  },
  nvrPassword: 'nvr-secret',
  manager: { username: 'manager', password: 'a long enough passphrase' },
  brokerCaFile: undefined,
  webNames: [],
  enrolmentCode: 'ABCD-1234',
  enrolIdentity: undefined,
  host: 'edge',
};

describe('provisionDevice', () => {
  it('stops at a bad answer before any key is made', async () => {
    const f = fakes({ rejectConfig: true });
    await expect(provisionDevice(f.deps, device)).rejects.toThrow('site.id: bad');
    expect(f.steps).toEqual(['layout', 'check']);
    expect([...f.files.keys()]).toEqual([LAYOUT.nvrPassword]);
    expect(f.events).toEqual([]);
  });

  it('makes the keys, then the config, then the request with the code proof, then the records', async () => {
    const f = fakes();
    const r = await provisionDevice(f.deps, device);
    expect(f.steps).toEqual(['layout', 'check', 'web-cert', 'csr', 'signing-key', 'config']);
    expect(r.webCertificateNames).toEqual(['edge', 'edge.local', 'localhost']);
    const request = JSON.parse(f.files.get(LAYOUT.enrolmentRequest) ?? '') as EnrolmentRequest;
    expect(request).toMatchObject({ siteId: 'shop-001', deviceId: r.deviceId, signingPublicKey: 'PUBLIC KEY' });
    expect(checkCodeProof('abcd-1234', request)).toBe(true);
    expect(f.events.map((e) => e.action)).toEqual(['provision', 'config-change', 'user-change']);
    expect(f.accounts).toEqual([{ username: 'manager', role: 'manager' }]);
  });
});
