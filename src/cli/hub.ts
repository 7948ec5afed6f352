// `bcrp-edge hub [run|list|show|verify|rejections|sweep|withdraw|devices|enrol|users|audit|subject|retention|ingest]`:
// the reference hub
// receiver and its operator
// tools. The subcommand is the first positional; without one, the hub runs until SIGTERM/SIGINT.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPrivateKey } from '../adapters/crypto/keys.js';
import { systemdModule } from '../adapters/systemd/sd-notify.js';
import { AppError, ExitCode, UsageError } from '../core/errors.js';
import { type Clock, FixedClock, systemClock } from '../core/ports/clock.js';
import type { HubStore, RetentionRow, StoredPacket } from '../core/ports/hub-store.js';
import { type HubConfig, loadHubConfig } from '../hub/config.js';
import { openHubStore, startHub } from '../hub/create-hub.js';
import { HubAudit } from '../hub/hub-audit.js';
import { openStoredPacket, phaseAt, retentionOf } from '../hub/hub-packets.js';
import { createLogger } from '../observability/logger.js';
import { parse, requireIso } from './args.js';
import { writeNewFile } from './audit-extra.js';
import { hubEnrol } from './hub-enrol.js';
import { cliActor, HUB_PAGE_USAGE, hubAuditCommand, hubUsers } from './hub-page.js';
import {
  HUB_SUBJECT_USAGE,
  hubExclusionCommand,
  hubIngestCommand,
  hubRetentionCommand,
  hubSubjectCommand,
} from './hub-subjects.js';
import { type CliIo, type Command, printJson } from './io.js';

const USAGE = `bcrp-edge hub [run] [--config FILE]
       bcrp-edge hub list [--site S] [--all] [--json]
       bcrp-edge hub show ID [--images DIR] [--json]
       bcrp-edge hub verify [ID] [--json]
       bcrp-edge hub rejections [--json]
       bcrp-edge hub sweep [--now ISO] [--json]
       bcrp-edge hub withdraw ID
       bcrp-edge hub devices [list] [--json]
       bcrp-edge hub checkpoints --site SITE | --device DEVICE_ID [-o FILE.jsonl] [--json]
       bcrp-edge hub devices revoke DEVICE_ID [--reason TEXT]
       bcrp-edge hub devices reinstate DEVICE_ID
       bcrp-edge hub enrol [list] [--all] [--json]
       bcrp-edge hub enrol --approve REQUEST_ID [--code CODE | --code-file FILE] [--site SITE] [--json]
       bcrp-edge hub enrol --reject REQUEST_ID [--reason TEXT]
       bcrp-edge hub enrol --request REQUEST.json --out RESPONSE.json [--code CODE | --code-file FILE]
${HUB_PAGE_USAGE}
${HUB_SUBJECT_USAGE}
  (every subcommand takes --config FILE, or BCRP_HUB_CONFIG, default /etc/bcrp-edge/hub.yaml)`;

export const DEFAULT_HUB_CONFIG = '/etc/bcrp-edge/hub.yaml';

const summary = (p: StoredPacket) => ({
  id: p.id,
  site: p.siteId,
  receivedAt: p.receivedAt,
  category: p.manifest?.category ?? null,
  images: p.manifest?.images.length ?? 0,
  encrypted: p.encrypted,
  phase: p.phase,
  subject: p.subjectRef,
  duplicates: p.duplicates,
});

export const hub: Command = {
  name: 'hub',
  summary: 'run the reference hub receiver (and list/show/verify what it stored)',
  usage: USAGE,
  async run(args, io) {
    if (args[0] === 'enrol') return hubEnrol(args.slice(1), io, DEFAULT_HUB_CONFIG);
    const { values, positionals } = parse(
      args,
      {
        config: { type: 'string', short: 'c' },
        json: { type: 'boolean' },
        site: { type: 'string' },
        all: { type: 'boolean' },
        images: { type: 'string' },
        now: { type: 'string' },
        reason: { type: 'string' },
        role: { type: 'string' },
        'password-file': { type: 'string' },
        device: { type: 'string' },
        out: { type: 'string', short: 'o' },
        name: { type: 'string' },
        alias: { type: 'string' },
        notes: { type: 'string' },
        'dry-run': { type: 'boolean' },
        months: { type: 'string' },
        premises: { type: 'string' },
        start: { type: 'string' },
        grounds: { type: 'string' },
        appeal: { type: 'string' },
        active: { type: 'boolean' },
        'request-date': { type: 'string' },
        lang: { type: 'string' },
      },
      USAGE,
      true,
    );
    const sub = positionals[0] ?? 'run';
    const config = loadHubConfig(values.config ?? io.env['BCRP_HUB_CONFIG'] ?? DEFAULT_HUB_CONFIG);
    const nowFlag = requireIso(values.now, '--now');
    const clock: Clock = nowFlag ? new FixedClock(nowFlag) : systemClock;
    if (sub === 'run') return runHub(config, io);
    const store = await openHubStore(config, clock);
    try {
      switch (sub) {
        case 'list': {
          // The phase shown is the one the retention rule gives now (as the hub page judges it), not the last sweep's.
          const now = clock.now();
          const listed = await store.list({
            ...(values.site ? { siteId: values.site } : {}),
            includeRestricted: values.all ?? false,
          });
          const subjects = new Map<string, Promise<RetentionRow[]>>();
          const rows: StoredPacket[] = [];
          for (const p of listed) {
            const phase = phaseAt(p, now, await retentionOf(store, p, subjects));
            if (values.all || phase === 'shared') rows.push({ ...p, phase: phase === 'deleted' ? 'deleted' : phase });
          }
          if (values.json) printJson(io, rows.map(summary));
          else {
            for (const r of rows.map(summary))
              io.out(`${r.id}  ${r.site}  ${r.receivedAt}  ${r.category ?? '-'}  ${r.images} image(s)  ${r.phase}`);
            io.out(
              `${rows.length} packet(s)${values.all ? '' : ' shared with members (--all for admin-only and deleted)'}`,
            );
          }
          return ExitCode.ok;
        }
        case 'show': {
          const id = positionals[1];
          if (!id) throw new UsageError(`hub show needs a packet ID\nusage: ${USAGE}`);
          const p = await store.get(id);
          if (!p) throw new AppError('not-found', `no packet ${id} in the hub store`);
          if (values.images) {
            if (p.phase === 'deleted')
              throw new AppError('deleted', `packet ${id} was deleted under its retention class`);
            const opened = await openStored(config, store, p);
            if (!opened.ok || !opened.files)
              throw new AppError(
                'verify-failed',
                `packet ${id} no longer verifies: ${opened.checks.find((c) => !c.ok)?.message}`,
              );
            mkdirSync(values.images, { recursive: true, mode: 0o700 });
            // Images leaving the store are a view like the hub page's, in the same audit chain.
            await new HubAudit(store, clock).append({
              actor: cliActor(io),
              action: 'export',
              subject: id,
              details: { images: opened.files.map((f) => f.name), to: values.images },
            });
            for (const f of opened.files) writeFileSync(join(values.images, f.name), f.bytes, { mode: 0o600 });
          }
          if (values.json)
            printJson(io, { ...summary(p), deviceId: p.deviceId, manifest: p.manifest, withdrawnAt: p.withdrawnAt });
          else {
            io.out(JSON.stringify({ ...summary(p), deviceId: p.deviceId, withdrawnAt: p.withdrawnAt }, null, 2));
            if (p.manifest) io.out(JSON.stringify(p.manifest, null, 2));
            if (values.images) io.out(`images written to ${values.images}`);
          }
          return ExitCode.ok;
        }
        case 'verify': {
          const id = positionals[1];
          const rows = id
            ? [await store.get(id)].filter((p): p is StoredPacket => p !== undefined)
            : await store.list({ includeRestricted: true, limit: 1_000_000 });
          if (id && rows.length === 0) throw new AppError('not-found', `no packet ${id} in the hub store`);
          const results = [];
          for (const p of rows) {
            if (p.phase === 'deleted') {
              results.push({ id: p.id, ok: true, note: 'deleted (tombstone)' });
              continue;
            }
            const opened = await openStored(config, store, p);
            const failed = opened.checks.find((c) => !c.ok);
            const same = opened.manifest?.id === p.id && opened.digest === p.digest;
            results.push({
              id: p.id,
              ok: opened.ok && same,
              note: failed
                ? `${failed.check}: ${failed.message}`
                : same
                  ? 'ok'
                  : 'content differs from the stored digest',
            });
          }
          const bad = results.filter((r) => !r.ok);
          if (values.json) printJson(io, { ok: bad.length === 0, checked: results.length, results });
          else {
            for (const r of bad) io.out(`FAIL ${r.id}: ${r.note}`);
            io.out(`${results.length - bad.length} of ${results.length} packet(s) verify`);
          }
          return bad.length === 0 ? ExitCode.ok : ExitCode.failure;
        }
        case 'rejections': {
          const rows = await store.rejections();
          if (values.json) printJson(io, rows);
          else
            for (const r of rows)
              io.out(`${r.at}  ${r.reason}  ${r.siteId ?? '-'}  ${r.packetId ?? '-'}  ${r.message}`);
          return ExitCode.ok;
        }
        case 'sweep': {
          const r = await store.sweep(clock.now());
          if (values.json) printJson(io, r);
          else
            io.out(
              `retention applied at ${clock.now().toISOString()}: ${r.adminOnly} now admin-only, ${r.deleted} deleted`,
            );
          return ExitCode.ok;
        }
        case 'withdraw': {
          const id = positionals[1];
          if (!id) throw new UsageError(`hub withdraw needs a packet ID\nusage: ${USAGE}`);
          if (!(await store.withdraw(id, clock.now())))
            throw new AppError('not-found', `no packet ${id} that can be withdrawn`);
          io.out(`packet ${id} withdrawn: admin-only now, deleted 12 months from now`);
          return ExitCode.ok;
        }
        case 'devices':
          return await devices(store, positionals.slice(1), values, clock, io);
        case 'checkpoints':
          return await exportCheckpoints(store, values, io);
        case 'users':
          return await hubUsers(store, positionals.slice(1), values, clock, io);
        case 'audit':
          return await hubAuditCommand(store, positionals.slice(1), values, clock, io);
        case 'subject':
          return await hubSubjectCommand(config, store, positionals.slice(1), values, clock, io);
        case 'retention':
          return await hubRetentionCommand(store, values, clock, io);
        case 'exclusion':
          return await hubExclusionCommand(config, store, positionals.slice(1), values, clock, io);
        case 'ingest':
          return await hubIngestCommand(config, store, positionals.slice(1), values, clock, io);
        default:
          throw new UsageError(`unknown hub subcommand '${sub}'\nusage: ${USAGE}`);
      }
    } finally {
      await store.close();
    }
  },
};

function openStored(config: HubConfig, store: HubStore, p: StoredPacket) {
  const encryptionKey = config.encryptionKey ? loadPrivateKey(config.encryptionKey, 'x25519') : undefined;
  return openStoredPacket(p, { store, encryptionKey, maxPacketBytes: config.maxPacketBytes });
}

async function runHub(config: HubConfig, io: CliIo): Promise<ExitCode> {
  const log = createLogger({ name: 'bcrp-hub' });
  const running = await startHub(config, { clock: systemClock, log, webLog: log });
  log.info(
    {
      subscription: running.receiver.subscription(),
      devices: (await running.store.devices()).length,
      hubKey: running.hubKeyId,
    },
    'hub ready',
  );
  io.out(`hub ready: ${running.receiver.subscription()}`);
  if (running.web) io.out(`hub page: ${running.web.url}`);
  // bcrp-edge-hub.service is Type=notify: READY=1 once subscribed, watchdog pings while the broker is connected.
  const notify = systemdModule(log, {
    env: io.env,
    healthy: () => running.broker.connected,
    status: () => 'hub: receiving packets',
  });
  await notify.start();
  const signal = await io.stopSignal;
  log.info({ signal }, 'hub stopping');
  await notify.stop();
  await running.stop();
  return ExitCode.ok;
}

/** The device registry: who may send, and revocation (a lost or stolen appliance). */
async function devices(
  store: HubStore,
  args: string[],
  values: { json?: boolean | undefined; reason?: string | undefined },
  clock: Clock,
  io: CliIo,
): Promise<ExitCode> {
  const [action = 'list', id] = args;
  if (action === 'list') {
    const rows = (await store.devices()).map((d) => ({
      deviceId: d.deviceId,
      site: d.siteId,
      state: d.state,
      enrolledAt: d.enrolledAt,
      revokedAt: d.revokedAt,
      revokedReason: d.revokedReason,
    }));
    if (values.json) printJson(io, rows);
    else {
      for (const d of rows)
        io.out(`${d.deviceId}  ${d.site}  ${d.state}${d.revokedAt ? ` ${d.revokedAt} (${d.revokedReason})` : ''}`);
      io.out(`${rows.length} device(s)`);
    }
    return ExitCode.ok;
  }
  if (action !== 'revoke' && action !== 'reinstate')
    throw new UsageError(`unknown hub devices action '${action}'\nusage: ${USAGE}`);
  if (!id) throw new UsageError(`hub devices ${action} needs a DEVICE_ID (see hub devices list)\nusage: ${USAGE}`);
  const device = await store.device(id);
  if (!device) throw new AppError('not-found', `no device ${id} in the registry (see hub devices list)`);
  if (action === 'revoke') {
    if (!(await store.revoke(id, clock.now(), values.reason ?? 'revoked by the operator')))
      throw new AppError('already-revoked', `device ${id} was already revoked at ${device.revokedAt}`);
    io.out(
      `device ${id} (${device.siteId}) revoked: its packets and checkpoints are refused from now on. Revoke its client certificate in the broker's CRL too.`,
    );
  } else {
    if (!(await store.reinstate(id))) throw new AppError('not-revoked', `device ${id} is not revoked`);
    io.out(`device ${id} (${device.siteId}) reinstated`);
  }
  return ExitCode.ok;
}

/**
 * The checkpoints a device sent, as it signed them, for its auditor: JSON lines that `bcrp-edge audit verify
 * --checkpoints FILE` reads on the appliance. Checkpoints stored before the hub kept the signature cannot be checked
 * by anyone and are counted, not written.
 */
async function exportCheckpoints(
  store: HubStore,
  values: {
    site?: string | undefined;
    device?: string | undefined;
    out?: string | undefined;
    json?: boolean | undefined;
  },
  io: CliIo,
): Promise<ExitCode> {
  if (!values.site === !values.device)
    throw new UsageError(`hub checkpoints needs one of --site SITE or --device DEVICE_ID\nusage: ${USAGE}`);
  const ids = values.device
    ? [values.device]
    : (await store.devices()).filter((d) => d.siteId === values.site).map((d) => d.deviceId);
  if (ids.length === 0)
    throw new AppError('not-found', `no device ${values.device ? values.device : `enrolled for site ${values.site}`}`);
  const all = (await Promise.all(ids.map((id) => store.checkpoints(id)))).flat();
  const signed = all.filter((c) => c.jws);
  const lines = signed.map((c) =>
    JSON.stringify({
      deviceId: c.deviceId,
      siteId: c.siteId,
      seq: c.seq,
      hash: c.hash,
      at: c.at,
      receivedAt: c.receivedAt,
      jws: c.jws,
    }),
  );
  if (values.out) await writeNewFile(values.out, lines.map((l) => `${l}\n`).join(''));
  if (values.json)
    printJson(io, { checkpoints: signed.length, unsigned: all.length - signed.length, file: values.out ?? null });
  else if (values.out) io.out(`wrote ${signed.length} checkpoint(s) to ${values.out}`);
  else for (const l of lines) io.out(l);
  if (all.length > signed.length)
    io.err(
      `note: ${all.length - signed.length} checkpoint(s) were stored before the hub kept signatures and cannot be verified; they are left out`,
    );
  return ExitCode.ok;
}
