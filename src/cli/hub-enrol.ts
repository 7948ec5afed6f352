// `bcrp-edge hub enrol …`: the operator's side of device enrolment. Lists the requests devices sent over MQTT,
// approves one with the one-time code the partnership issued (the hub signs the client certificate, registers the
// device for its site and answers on the device's response topic) or rejects it; `--request/--out` does the same
// with files for an appliance that cannot reach the broker yet.
import { readFileSync, writeFileSync } from 'node:fs';
import { MqttBroker } from '../adapters/mqtt/mqtt-broker.js';
import { AppError, ExitCode, UsageError } from '../core/errors.js';
import { systemClock } from '../core/ports/clock.js';
import type { HubStore } from '../core/ports/hub-store.js';
import { type HubConfig, loadHubConfig } from '../hub/config.js';
import { openHubStore } from '../hub/create-hub.js';
import { approveRequest, hubEnrolmentKeys, publishStatus, rejectRequest } from '../hub/enrolment.js';
import { type EnrolmentStatus, requestProblems } from '../services/enrolment-online.js';
import type { EnrolmentRequest } from '../services/provisioning.js';
import { parse } from './args.js';
import { cliActor } from './hub-page.js';
import { type CliIo, printJson } from './io.js';
import { terminalPrompter } from './prompt.js';

export const ENROL_USAGE = `bcrp-edge hub enrol [list] [--all] [--json]
       bcrp-edge hub enrol --approve REQUEST_ID [--code CODE | --code-file FILE] [--site SITE] [--json]
       bcrp-edge hub enrol --reject REQUEST_ID [--reason TEXT]
       bcrp-edge hub enrol --request REQUEST.json --out RESPONSE.json [--code CODE | --code-file FILE]  (offline: approves the file)
  (--config FILE, or BCRP_HUB_CONFIG, default /etc/bcrp-edge/hub.yaml; without --code the code is asked for)`;

const options = {
  config: { type: 'string', short: 'c' },
  json: { type: 'boolean' },
  all: { type: 'boolean' },
  approve: { type: 'string' },
  reject: { type: 'string' },
  code: { type: 'string' },
  'code-file': { type: 'string' },
  site: { type: 'string' },
  reason: { type: 'string' },
  request: { type: 'string' },
  out: { type: 'string' },
} as const;

async function readCode(v: { code?: string | undefined; 'code-file'?: string | undefined }): Promise<string> {
  if (v.code) return v.code;
  if (v['code-file']) {
    try {
      return readFileSync(v['code-file'], 'utf8').trim();
    } catch (e) {
      throw new UsageError(`--code-file: cannot read ${v['code-file']} (${(e as NodeJS.ErrnoException).code})`);
    }
  }
  if (!process.stdin.isTTY)
    throw new UsageError(`give the one-time code with --code or --code-file\nusage: ${ENROL_USAGE}`);
  const prompt = terminalPrompter();
  try {
    return (await prompt.secret('One-time enrolment code issued for this site')).trim();
  } finally {
    prompt.close();
  }
}

/** Publishes a decision to the device's response topic; false (with a note) when the broker cannot be reached. */
async function answerDevice(config: HubConfig, status: EnrolmentStatus, io: CliIo, quiet: boolean): Promise<boolean> {
  const broker = new MqttBroker({
    url: config.mqtt.url,
    clientId: `hub-enrol-${process.pid}`,
    ca: config.mqtt.ca,
    cert: config.mqtt.cert,
    key: config.mqtt.key,
    reconnectPeriodMs: 0,
    connectTimeoutMs: 10_000,
  });
  try {
    await broker.waitConnected(10_000);
    await publishStatus(broker, config.mqtt.topicPrefix, status);
    return true;
  } catch (e) {
    if (!quiet)
      io.err(
        `note: the decision is stored but could not be sent now (${(e as Error).message}); the running hub sends it when the device asks again`,
      );
    return false;
  } finally {
    await broker.close().catch(() => undefined);
  }
}

export async function hubEnrol(args: string[], io: CliIo, defaultConfig: string): Promise<ExitCode> {
  const { values: v, positionals } = parse(args, options, ENROL_USAGE, true);
  const action = positionals[0] ?? 'list';
  if (action !== 'list') throw new UsageError(`unknown hub enrol action '${action}'\nusage: ${ENROL_USAGE}`);
  if (v.approve !== undefined && v.reject !== undefined) throw new UsageError('give --approve or --reject, not both');
  const config = loadHubConfig(v.config ?? io.env['BCRP_HUB_CONFIG'] ?? defaultConfig);
  const clock = systemClock;
  const store = await openHubStore(config, clock);
  try {
    if (v.request !== undefined || v.out !== undefined) return await offline(store, config, v, io);
    if (v.approve !== undefined) {
      if (!v.approve) throw new UsageError(`--approve needs a REQUEST_ID (see hub enrol list)\nusage: ${ENROL_USAGE}`);
      const code = await readCode(v);
      const r = await approveRequest(store, v.approve, {
        code,
        ...(v.site ? { siteId: v.site } : {}),
        keys: hubEnrolmentKeys(config),
        clock,
        actor: cliActor(io),
        via: 'mqtt',
      });
      const sent = await answerDevice(config, r.status, io, v.json === true);
      if (v.json) printJson(io, { approved: r.status.requestId, deviceKeyId: r.deviceKeyId, sent, revoked: r.revoked });
      else {
        io.out(
          `approved ${r.status.requestId}: device ${r.deviceKeyId} enrolled for ${r.status.response?.siteId}; ${sent ? 'the answer is on its response topic' : 'answer pending'}`,
        );
        if (r.revoked)
          io.err(`warning: device ${r.deviceKeyId} is revoked; enrolment does not lift that (hub devices reinstate)`);
      }
      return ExitCode.ok;
    }
    if (v.reject !== undefined) {
      if (!v.reject) throw new UsageError(`--reject needs a REQUEST_ID\nusage: ${ENROL_USAGE}`);
      const status = await rejectRequest(
        store,
        v.reject,
        v.reason ?? 'refused by the partnership',
        clock,
        cliActor(io),
      );
      const sent = await answerDevice(config, status, io, v.json === true);
      if (v.json) printJson(io, { rejected: status.requestId, sent });
      else io.out(`rejected ${status.requestId}${sent ? '; the device has been told' : ''}`);
      return ExitCode.ok;
    }
    const rows = await store.enrolmentRequests(v.all ? {} : { state: 'pending' });
    const out = rows.map((r) => ({
      requestId: r.requestId,
      site: r.siteId,
      receivedAt: r.receivedAt,
      state: r.state,
      hasCodeProof: typeof r.request['codeProof'] === 'string',
      decidedAt: r.decidedAt,
      reason: r.reason,
    }));
    if (v.json) printJson(io, out);
    else {
      for (const r of out)
        io.out(
          `${r.requestId}  ${r.site}  ${r.receivedAt}  ${r.state}${r.hasCodeProof ? '' : '  (no code proof: cannot be approved)'}${r.reason ? `  ${r.reason}` : ''}`,
        );
      io.out(`${out.length} ${v.all ? '' : 'pending '}request(s)${v.all ? '' : ' (--all for decided ones)'}`);
    }
    return ExitCode.ok;
  } finally {
    await store.close();
  }
}

/** The file path: the request is recorded like an online one, approved, and the response written for the installer. */
async function offline(
  store: HubStore,
  config: HubConfig,
  v: {
    request?: string | undefined;
    out?: string | undefined;
    approve?: string | undefined;
    reject?: string | undefined;
    site?: string | undefined;
    code?: string | undefined;
    'code-file'?: string | undefined;
    json?: boolean | undefined;
  },
  io: CliIo,
): Promise<ExitCode> {
  if (!v.request || !v.out)
    throw new UsageError(`the file path needs --request FILE and --out FILE\nusage: ${ENROL_USAGE}`);
  if (v.reject !== undefined)
    throw new UsageError('--reject works on requests received online; refuse a file by not answering it');
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(v.request, 'utf8'));
  } catch (e) {
    throw new AppError('enrolment-invalid', `${v.request} is not a readable JSON file: ${(e as Error).message}`);
  }
  const problems = requestProblems(doc);
  if (problems.length > 0)
    throw new AppError('enrolment-invalid', `${v.request} is not an enrolment request`, { details: problems });
  const request = doc as EnrolmentRequest;
  if (v.approve && v.approve !== request.deviceId)
    throw new UsageError(`--approve ${v.approve} does not name the request in ${v.request} (${request.deviceId})`);
  const put = await store.putEnrolmentRequest({
    requestId: request.deviceId,
    siteId: request.siteId,
    receivedAt: systemClock.now().toISOString(),
    request: request as unknown as Record<string, unknown>,
  });
  if (put === 'conflict')
    throw new AppError('enrolment-conflict', `another request with id ${request.deviceId} is already recorded`);
  const code = await readCode(v);
  const r = await approveRequest(store, request.deviceId, {
    code,
    ...(v.site ? { siteId: v.site } : {}),
    keys: hubEnrolmentKeys(config),
    clock: systemClock,
    actor: cliActor(io),
    via: 'file',
  });
  writeFileSync(v.out, `${JSON.stringify(r.status.response, null, 2)}\n`, { mode: 0o644 });
  if (v.json) printJson(io, { approved: request.deviceId, deviceKeyId: r.deviceKeyId, response: v.out });
  else
    io.out(
      `approved ${request.deviceId}: device ${r.deviceKeyId} enrolled for ${request.siteId}; give ${v.out} to the installer (bcrp-edge provision --accept-enrolment)`,
    );
  return ExitCode.ok;
}
