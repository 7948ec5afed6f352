// One device and the reference hub around a real mosquitto: keys, appliance config, hub config, and helpers to
// queue packets straight into the device's outbox. Used by the integration tests and the publish benchmark.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { generateKeys, KEY_FILES, loadPrivateKey, loadPublicKey } from '../../src/adapters/crypto/keys.js';
import { JosePacketSealer } from '../../src/adapters/crypto/packet-codec.js';
import { SqliteAuditLog } from '../../src/adapters/store/sqlite-audit-log.js';
import { SqliteOutbox } from '../../src/adapters/store/sqlite-outbox.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import type { ClipInput } from '../../src/core/packet/build.js';
import { systemClock } from '../../src/core/ports/clock.js';
import { uuidV7Source } from '../../src/core/ports/ids.js';
import type { RedactedImage } from '../../src/core/redaction.js';
import { queuePacket } from '../../src/services/publish/queue-packet.js';
import { writeConfig } from './config.js';
import type { TestBroker } from './mosquitto.js';
import { insertIncident } from './packets.js';

export interface EdgeHubRig {
  dir: string;
  dataDir: string;
  deviceConfig: string;
  hubConfig: string;
  deviceKeys: string;
  hubKeys: string;
  /** The device's id (signing key fingerprint). */
  deviceId: string;
  /** Queues n packets (one incident each) into the device outbox; returns their ids. */
  queue(n: number, image: RedactedImage, encrypt?: boolean, clip?: ClipInput): Promise<string[]>;
}

export function makeEdgeHubRig(dir: string, broker: TestBroker, options: { encrypt?: boolean } = {}): EdgeHubRig {
  const deviceKeys = join(dir, 'device-keys');
  const hubKeys = join(dir, 'hub-keys');
  const deviceId = generateKeys(deviceKeys).signingFingerprint;
  generateKeys(hubKeys);
  const dataDir = join(dir, 'data');
  const devCert = broker.device('device-shop-001');
  const deviceConfig = writeConfig(dir, {
    site: { id: 'shop-001' },
    mqtt: { url: broker.url, ca: broker.ca, cert: devCert.cert, key: devCert.key, topicPrefix: broker.prefix },
    hub: {
      signingKeys: [join(hubKeys, KEY_FILES.signingPublic)],
      encryptionKey: join(hubKeys, KEY_FILES.encryptionPublic),
      encrypt: options.encrypt ?? true,
      deviceKey: join(deviceKeys, KEY_FILES.signingPrivate),
    },
  });
  const hubConfig = join(dir, 'hub.yaml');
  writeFileSync(
    hubConfig,
    stringify({
      mqtt: {
        url: broker.url,
        ca: broker.ca,
        cert: broker.hub.cert,
        key: broker.hub.key,
        topicPrefix: broker.prefix,
        clientId: 'hub-test-1',
      },
      store: join(dir, 'hub.sqlite'),
      signingKey: join(hubKeys, KEY_FILES.signingPrivate),
      encryptionKey: join(hubKeys, KEY_FILES.encryptionPrivate),
      devices: [{ site: 'shop-001', publicKey: join(deviceKeys, KEY_FILES.signingPublic) }],
    }),
  );
  return {
    dir,
    dataDir,
    deviceConfig,
    hubConfig,
    deviceKeys,
    hubKeys,
    deviceId,
    async queue(n, image, encrypt = options.encrypt ?? true, clip = undefined) {
      const db = openDatabase(dataDir, { clock: systemClock });
      try {
        const outbox = new SqliteOutbox(db, systemClock, new SqliteAuditLog(db, systemClock));
        const sealer = new JosePacketSealer({
          signingKey: loadPrivateKey(join(deviceKeys, KEY_FILES.signingPrivate), 'ed25519'),
          encryptTo: encrypt ? loadPublicKey(join(hubKeys, KEY_FILES.encryptionPublic), 'x25519') : undefined,
        });
        const ids = uuidV7Source(systemClock);
        const out: string[] = [];
        for (let i = 0; i < n; i++) {
          const incident = `inc-${ids.next()}`;
          insertIncident(db, incident, 'shop-001');
          const r = await queuePacket(
            { sealer, outbox, ids, clock: systemClock, siteId: 'shop-001', topicPrefix: broker.prefix },
            {
              incidentId: incident,
              incidentTime: new Date(),
              category: 'theft',
              images: [{ image, role: 'subject' }],
              ...(clip ? { clip } : {}),
              actor: 'test',
            },
          );
          out.push(r.packetId);
        }
        return out;
      } finally {
        db.close();
      }
    },
  };
}
