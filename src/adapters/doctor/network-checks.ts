// The doctor checks that talk to other machines or read the store: the NVR (reachable, password accepted), a still
// from every enabled camera, the broker with the device's own client certificate (TLS + MQTT CONNECT), and the last
// audit checkpoint the broker accepted. Each is bounded well inside the registry's per-check limit.
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { LoadedConfig } from '../../config/load.js';
import { jpegSize } from '../../core/jpeg-size.js';
import { isNvrError } from '../../core/nvr-errors.js';
import type { CheckOutcome, DoctorCheck as DoctorCheckPort } from '../../core/ports/doctor-check.js';
import { scrubCredentials } from '../../core/secrets.js';
import { brokerProblem } from '../mqtt/connection-problem.js';
import { MqttBroker } from '../mqtt/mqtt-broker.js';
import { connectRecorder } from '../nvr/connect.js';
import { IsapiClient } from '../nvr/isapi/client.js';
import { readIsapiClock } from '../nvr/isapi/recorder-clock.js';
import { parseDeviceInfo } from '../nvr/isapi/xml.js';
import { MENU } from '../nvr/self-test.js';
import { DB_FILE } from '../store/sqlite-store.js';

type DoctorCheck = DoctorCheckPort<LoadedConfig>;

const NVR_TIMEOUT_MS = 5000;
const BROKER_TIMEOUT_MS = 8000;

/** The fix for each way the recorder can fail, in plain words. */
function nvrFix(code: string | undefined, host: string): string {
  switch (code) {
    case 'nvr-auth-failed':
      return 'the NVR refused the user name or password: check nvr.username and the secrets file (bcrp-edge provision writes it), and that the NVR user is not locked (it locks for ~30 min after a few failures; the appliance then waits before trying again). bcrp-edge doctor --nvr walks through every right the user needs';
    case 'nvr-unreachable':
      return `check that the NVR at ${host} is on, on the same LAN, and that nvr.port/nvr.scheme match it (and the firewall lets the appliance reach it)`;
    case 'nvr-not-found':
      return 'the camera or ISAPI path does not exist on this NVR: check the channel numbers in nvr.channels (bcrp-edge discover lists them)';
    case 'stream-no-frames':
    case 'stream-failed':
      return 'the camera gave no picture: check it shows live on the NVR, and the RTSP port (nvr.rtspPort)';
    default:
      return 'see the detail above; bcrp-edge capture --camera N shows the full error';
  }
}

const describe = (e: unknown) => scrubCredentials(e instanceof Error ? e.message : String(e));

function noPassword(loaded: LoadedConfig): CheckOutcome | undefined {
  if (loaded.secrets.nvrPassword !== undefined) return undefined;
  return {
    status: 'fail',
    detail: 'no NVR password configured',
    fix: 'set nvr.passwordFile (bcrp-edge provision writes secrets/nvr-password, mode 0600)',
  };
}

export const nvrCheck: DoctorCheck = {
  id: 'nvr',
  title: 'NVR reachable and authorised',
  needsConfig: true,
  async run(ctx) {
    const loaded = ctx.loaded!;
    const { nvr } = loaded.config;
    const missing = noPassword(loaded);
    if (missing) return missing;
    if (nvr.kind !== 'hikvision')
      return { status: 'skip', detail: 'ONVIF recorder: the camera stills check shows whether it answers' };
    const client = new IsapiClient({
      scheme: nvr.scheme,
      host: nvr.host,
      port: nvr.port,
      username: nvr.username,
      password: loaded.secrets.nvrPassword!,
      timeoutMs: Math.min(nvr.timeoutMs, NVR_TIMEOUT_MS),
      retries: 0,
      allowBasic: nvr.allowBasicAuth,
      clock: ctx.clock,
      ...(nvr.tlsFingerprint ? { tlsFingerprint: nvr.tlsFingerprint } : {}),
    });
    try {
      const info = parseDeviceInfo(await client.getXml('/ISAPI/System/deviceInfo', 'device info'));
      const detail = `${nvr.host}:${nvr.port} answers as ${info.model}${info.firmwareVersion ? ` (firmware ${info.firmwareVersion})` : ''}; the password is accepted`;
      // The recorder's clock: stills are stamped with corrected times, but over 2 s the installer should fix it.
      const offset = await readIsapiClock(client, ctx.clock).then(
        (r) => r.offsetMs,
        () => undefined,
      );
      if (offset !== undefined && Math.abs(offset) > 2000)
        return {
          status: 'warn',
          detail: `${detail}; its clock is ${(offset / 1000).toFixed(1)} s ${offset > 0 ? 'ahead of' : 'behind'} the appliance's`,
          fix: MENU.clock,
        };
      return {
        status: 'ok',
        detail: `${detail}${offset !== undefined ? `; clock within ${Math.max(1, Math.ceil(Math.abs(offset) / 1000))} s` : ''}`,
      };
    } catch (e) {
      const code = isNvrError(e) ? e.code : undefined;
      return { status: 'fail', detail: `${nvr.host}:${nvr.port}: ${describe(e)}`, fix: nvrFix(code, nvr.host) };
    } finally {
      await client.close();
    }
  },
};

export const cameraStillsCheck: DoctorCheck = {
  id: 'camera-stills',
  title: 'a still from every camera',
  needsConfig: true,
  async run(ctx) {
    const loaded = ctx.loaded!;
    const missing = noPassword(loaded);
    if (missing) return missing;
    const cameras = loaded.config.nvr.channels.filter((c) => c.enabled);
    if (cameras.length === 0)
      return {
        status: 'fail',
        detail: 'no camera is enabled',
        fix: 'enable at least one camera in nvr.channels (bcrp-edge provision --cameras auto lists what the NVR has)',
      };
    const recorder = connectRecorder(loaded);
    try {
      const results = await Promise.all(
        cameras.map(async (c) => {
          try {
            const frame = await withTimeout(
              recorder.frames.snapshot(c.id),
              10_000,
              `camera ${c.id}: no still within 10 s`,
            );
            const size = jpegSize(frame.jpeg);
            return {
              ok: size !== undefined,
              line: size ? `${c.id} ${c.name}: ${size.width}×${size.height}` : `${c.id} ${c.name}: not a JPEG`,
              code: undefined as string | undefined,
            };
          } catch (e) {
            return { ok: false, line: `${c.id} ${c.name}: ${describe(e)}`, code: isNvrError(e) ? e.code : undefined };
          }
        }),
      );
      const bad = results.filter((r) => !r.ok);
      const detail = results.map((r) => r.line).join('; ');
      if (bad.length === 0) return { status: 'ok', detail };
      return {
        status: 'fail',
        detail,
        fix: `${bad.length} of ${results.length} camera(s) gave no still: ${nvrFix(bad[0]!.code, loaded.config.nvr.host)}`,
      };
    } finally {
      await recorder.close();
    }
  },
};

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export const brokerCheck: DoctorCheck = {
  id: 'broker',
  title: 'broker with the client certificate',
  needsConfig: true,
  async run(ctx) {
    const c = ctx.loaded!.config;
    if (!c.mqtt.cert || !c.mqtt.key)
      return {
        status: 'fail',
        detail: 'no client certificate yet, so the broker would refuse the appliance',
        fix: 'enrol: bcrp-edge provision --enrol-online (or --accept-enrolment RESPONSE.json)',
      };
    let cn = '?';
    try {
      cn = /(?:^|\n)CN=([^\n]+)/.exec(new X509Certificate(readFileSync(c.mqtt.cert)).subject)?.[1] ?? '?';
    } catch {
      // The certificates check names an unreadable file; the connection attempt below says what the broker thinks.
    }
    const where = new URL(c.mqtt.url).host;
    let broker: MqttBroker | undefined;
    try {
      // Its own client id: reusing the service's would push the running service off the broker.
      broker = new MqttBroker({
        url: c.mqtt.url,
        clientId: `${c.site.id}-doctor-${process.pid}`,
        ca: c.mqtt.ca,
        cert: c.mqtt.cert,
        key: c.mqtt.key,
        reconnectPeriodMs: 0,
        connectTimeoutMs: BROKER_TIMEOUT_MS,
      });
      await broker.waitConnected(BROKER_TIMEOUT_MS);
      return { status: 'ok', detail: `${where}: TLS and MQTT 5 CONNECT accepted as ${cn}` };
    } catch (e) {
      const message = describe(e);
      return { status: 'fail', detail: `${where}: ${message}`, fix: brokerProblem(message).fix };
    } finally {
      await broker?.close().catch(() => undefined);
    }
  },
};

/**
 * The last signed audit checkpoint the broker accepted (QoS 1 PUBACK, recorded as a `checkpoint` row in the chain).
 * The hub keeps checkpoints without answering them, so the broker's acknowledgement is the one the device sees.
 */
export const checkpointCheck: DoctorCheck = {
  id: 'audit-checkpoint',
  title: 'last audit checkpoint acknowledged',
  needsConfig: true,
  async run(ctx) {
    const c = ctx.loaded!.config;
    if (!c.hub.deviceKey)
      return {
        status: 'skip',
        detail: 'not enrolled yet: checkpoints go to the hub once the device key is set at enrolment',
      };
    const file = join(ctx.dataDir, DB_FILE);
    if (!existsSync(file))
      return {
        status: 'warn',
        detail: `no store at ${file} yet`,
        fix: 'start the service (systemctl start bcrp-edge): it sends a checkpoint as soon as the broker is reachable',
      };
    const db = new Database(file, { readonly: true, fileMustExist: true });
    let last: { seq: number; time: string } | undefined;
    try {
      last = db
        .prepare("SELECT seq, time FROM audit_log WHERE action = 'checkpoint' ORDER BY seq DESC LIMIT 1")
        .get() as { seq: number; time: string } | undefined;
    } finally {
      db.close();
    }
    if (!last)
      return {
        status: 'warn',
        detail: 'no checkpoint has reached the broker yet',
        fix: 'start the service with the broker reachable (see the broker check): it sends one as soon as it connects',
      };
    const ageMinutes = Math.floor((ctx.clock.now().getTime() - Date.parse(last.time)) / 60_000);
    const limit = 2 * c.hub.checkpointMinutes + 10;
    const detail = `entry ${last.seq} at ${last.time} (${ageMinutes} min ago), accepted by the broker`;
    if (ageMinutes > limit)
      return {
        status: 'warn',
        detail: `${detail}; one is due every ${c.hub.checkpointMinutes} min`,
        fix: 'the service is not running or cannot reach the broker: check the service and broker lines above',
      };
    return { status: 'ok', detail };
  },
};
