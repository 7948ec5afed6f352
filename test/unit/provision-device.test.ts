// Provisioning a new appliance through its ports, with in-memory fakes: a bad answer stops before any key is made,
// and a good run leaves a validated config, an enrolment request carrying the code proof, and the store's records.
import { describe, expect, it } from 'vitest';
import { SqliteAuditLog } from '../../src/adapters/store/sqlite-audit-log.js';
import { SqliteConfigHistory } from '../../src/adapters/store/sqlite-config-history.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import type { Config } from '../../src/config/schema.js';
import { AppError } from '../../src/core/errors.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { counterIds } from '../../src/core/ports/ids.js';
import type { DevicePki, ProvisioningRecords } from '../../src/core/ports/provisioning.js';
import { acceptEnrolmentFile } from '../../src/services/enrolment.js';
import { enrolThroughBroker } from '../../src/services/enrolment-online.js';
import { provisionDevice } from '../../src/services/provision-device.js';
import { checkCodeProof, type EnrolmentRequest, LAYOUT } from '../../src/services/provisioning.js';
import { MemoryConfigDirectory } from '../support/memory-config-directory.js';
import { tempDir } from '../support/tmp.js';

function fakes(opts: { rejectConfig?: boolean } = {}) {
  const steps: string[] = [];
  const accounts: { username: string; role: string }[] = [];
  const dir = new MemoryConfigDirectory<Config>('/etc/x', (config, file) => {
    if (opts.rejectConfig) throw new Error('site.id: bad');
    return { file, config: config as Config, warnings: [] };
  });
  const pki: DevicePki = {
    certificateMatchesKey: () => true,
    makeWebCertificate: async () => void steps.push('web-cert'),
    makeClientCsr: async (o) => {
      steps.push('csr');
      dir.writeText(LAYOUT.mqttCsr, `CSR for ${o.siteId}/${o.deviceId}`, 0o644);
    },
    makeSigningKey: () => {
      steps.push('signing-key');
      return 'PUBLIC KEY';
    },
  };
  const clock = new FixedClock('2026-05-01T09:00:00Z');
  const db = openDatabase(tempDir('bcrp-provision-'), { clock });
  const audit = new SqliteAuditLog(db, clock);
  const records: ProvisioningRecords = {
    audit,
    history: new SqliteConfigHistory(db),
    setAccount: (a) => {
      accounts.push({ username: a.username, role: a.role });
      return 'created';
    },
  };
  const deps = {
    pki,
    dir,
    files: { read: (f: string) => Buffer.from(dir.outside.get(f) ?? '') },
    withRecords: async <T>(use: (r: ProvisioningRecords) => Promise<T> | T) => use(records),
    clock,
    ids: counterIds('dev'),
  };
  return { deps, dir, steps, audit, accounts };
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
    expect(f.dir.steps).toEqual(['layout', 'check']);
    expect(f.steps).toEqual([]);
    expect([...f.dir.files.keys()]).toEqual([LAYOUT.nvrPassword]);
    expect([...f.audit.entries()]).toEqual([]);
  });

  it('makes the keys, then the config, then the request with the code proof, then the records', async () => {
    const f = fakes();
    const r = await provisionDevice(f.deps, device);
    expect(f.dir.steps).toEqual(['layout', 'check', 'config']);
    expect(f.steps).toEqual(['web-cert', 'csr', 'signing-key']);
    expect(r.webCertificateNames).toEqual(['edge', 'edge.local', 'localhost']);
    const request = JSON.parse(f.dir.readText(LAYOUT.enrolmentRequest)) as EnrolmentRequest;
    expect(request).toMatchObject({ siteId: 'shop-001', deviceId: r.deviceId, signingPublicKey: 'PUBLIC KEY' });
    expect(checkCodeProof('abcd-1234', request)).toBe(true);
    expect([...f.audit.entries()].map((e) => e.action)).toEqual(['provision', 'config-change', 'user-change']);
    expect(f.audit.verify().ok).toBe(true);
    expect(f.accounts).toEqual([{ username: 'manager', role: 'manager' }]);
  });
});

describe('enrolment use-cases', () => {
  it('online enrolment stops before any broker session without a code proof or an enrolment certificate', async () => {
    const f = fakes();
    await provisionDevice(f.deps, { ...device, enrolmentCode: undefined });
    let connects = 0;
    const deps = {
      ...f.deps,
      brokers: {
        connect: async () => {
          connects++;
          throw new Error('not reached');
        },
      },
    };
    const o = { waitSeconds: 5, republishMs: 1000 };
    await expect(enrolThroughBroker(deps, o)).rejects.toThrow(/no proof of the enrolment code/);
    await expect(enrolThroughBroker(deps, { ...o, enrolmentCode: 'ABCD-1234' })).rejects.toThrow(
      /no enrolment certificate/,
    );
    // The code given now is kept: the request carries its proof for the next try.
    const request = JSON.parse(f.dir.readText(LAYOUT.enrolmentRequest)) as EnrolmentRequest;
    expect(checkCodeProof('ABCD-1234', request)).toBe(true);
    expect(connects).toBe(0);
  });

  it('an answer file that is not JSON is named, and nothing is installed or audited', async () => {
    const f = fakes();
    await provisionDevice(f.deps, device);
    const before = [...f.audit.entries()].length;
    f.dir.outside.set('/tmp/answer.json', 'not json');
    const e = await acceptEnrolmentFile(f.deps, '/tmp/answer.json').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('enrolment-invalid');
    expect((e as AppError).message).toMatch(/answer\.json is not a readable JSON file/);
    expect(f.dir.exists(LAYOUT.mqttCert)).toBe(false);
    expect([...f.audit.entries()].length).toBe(before);
  });
});
