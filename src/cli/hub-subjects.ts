// `bcrp-edge hub subject …`, `hub retention` and `hub ingest`: collation, the retention the hub computes from it, and
// the receive path without MQTT (subcommands of `hub`, kept here so hub.ts stays about receiving packets).

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ACK_TYP, signJson } from '../adapters/crypto/packet-codec.js';
import { isDocLang } from '../core/documents/document-words.js';
import { AppError, ExitCode, UsageError } from '../core/errors.js';
import { subjectRetention } from '../core/packet/retention.js';
import type { Clock } from '../core/ports/clock.js';
import type { HubStore, SubjectFields } from '../core/ports/hub-store.js';
import type { HubConfig } from '../hub/config.js';
import { hubKeys } from '../hub/create-hub.js';
import { HubExclusions, schemeRules } from '../hub/hub-exclusions.js';
import { exportSubjectAccess } from '../hub/hub-sar.js';
import { HubSubjects, retentionReport } from '../hub/hub-subjects.js';
import { ingestPacket } from '../hub/ingest.js';
import { requireIso } from './args.js';
import { writeNewFile } from './audit-extra.js';
import { cliActor } from './hub-page.js';
import { type CliIo, printJson } from './io.js';

export const HUB_SUBJECT_USAGE = `       bcrp-edge hub subject create [PACKET_ID...] [--name N] [--alias A] [--notes T] [--json]
       bcrp-edge hub subject link SUBJECT PACKET_ID...
       bcrp-edge hub subject unlink SUBJECT PACKET_ID
       bcrp-edge hub subject edit SUBJECT [--name N] [--alias A] [--notes T]
       bcrp-edge hub subject show SUBJECT [--now ISO] [--json]
       bcrp-edge hub subject list [--json]
       bcrp-edge hub subject export SUBJECT --request-date ISO -o DIR   (subject access: answer due in 30 days)
       bcrp-edge hub exclusion add SUBJECT --months N --grounds TEXT [--premises SITE] [--start ISO] [--appeal TEXT]
       bcrp-edge hub exclusion list [SUBJECT] [--active] [--now ISO] [--json]
       bcrp-edge hub exclusion notice ID [-o FILE.html] [--lang en|cy]
       bcrp-edge hub exclusion served ID [--now ISO]
       bcrp-edge hub retention [--now ISO] [--dry-run] [--json]
       bcrp-edge hub ingest PACKET_FILE... [--json]`;

interface SubjectFlags {
  json?: boolean | undefined;
  'request-date'?: string | undefined;
  out?: string | undefined;
  name?: string | undefined;
  alias?: string | undefined;
  notes?: string | undefined;
}

const fieldsOf = (v: SubjectFlags): SubjectFields => ({
  ...(v.name !== undefined ? { name: v.name } : {}),
  ...(v.alias !== undefined ? { alias: v.alias } : {}),
  ...(v.notes !== undefined ? { notes: v.notes } : {}),
});

export async function hubSubjectCommand(
  config: HubConfig,
  store: HubStore,
  args: string[],
  values: SubjectFlags,
  clock: Clock,
  io: CliIo,
): Promise<ExitCode> {
  const subjects = new HubSubjects(store, clock);
  const actor = cliActor(io);
  const [action = 'list', ref, ...rest] = args;
  const need = (what: string) => {
    throw new UsageError(`hub subject ${action} needs ${what}\nusage:\n${HUB_SUBJECT_USAGE}`);
  };
  switch (action) {
    case 'list': {
      const rows = await store.subjects();
      if (values.json) printJson(io, rows);
      else {
        for (const s of rows)
          io.out(`${s.ref}  ${s.status.padEnd(7)}  ${s.packetIds.length} report(s)  since ${s.createdAt}`);
        io.out(`${rows.length} subject(s)`);
      }
      return ExitCode.ok;
    }
    case 'create': {
      const packetIds = ref ? [ref, ...rest] : [];
      const s = await subjects.create(actor, fieldsOf(values), packetIds);
      if (values.json) printJson(io, s);
      else io.out(`subject ${s.ref} created${packetIds.length ? ` with ${packetIds.length} report(s) linked` : ''}`);
      return ExitCode.ok;
    }
    case 'link': {
      if (!ref || rest.length === 0) need('a SUBJECT and one or more PACKET_IDs');
      for (const id of rest) {
        const r = await subjects.link(actor, ref!, id);
        io.out(r === 'linked' ? `packet ${id} linked to ${ref}` : `packet ${id} was already linked to ${ref}`);
      }
      return ExitCode.ok;
    }
    case 'unlink': {
      if (!ref || rest.length !== 1) need('a SUBJECT and one PACKET_ID');
      await subjects.unlink(actor, ref!, rest[0]!);
      io.out(`packet ${rest[0]} unlinked from ${ref}: it follows the single-report rule again`);
      return ExitCode.ok;
    }
    case 'edit': {
      if (!ref) need('a SUBJECT');
      const s = await subjects.edit(actor, ref!, fieldsOf(values));
      io.out(`subject ${s.ref} corrected (the previous values are kept in the hub audit chain)`);
      return ExitCode.ok;
    }
    case 'show': {
      if (!ref) need('a SUBJECT');
      const s = await subjects.show(ref!);
      const rows = await store.retentionRows({ subjectRef: s.ref });
      const retention = subjectRetention(rows).map((r) => ({
        packetId: r.id,
        shareUntil: r.shareUntil.toISOString(),
        deleteAt: r.deleteAt.toISOString(),
        rule: r.rule,
        why: r.why,
      }));
      const exclusions = await store.exclusions({ subjectRef: s.ref });
      if (values.json) printJson(io, { ...s, retention, exclusions });
      else {
        io.out(JSON.stringify(s, null, 2));
        for (const r of retention)
          io.out(`${r.packetId}  shared until ${r.shareUntil}  deleted ${r.deleteAt}  (${r.why})`);
      }
      return ExitCode.ok;
    }
    case 'export': {
      if (!ref || !values.out || !values['request-date'])
        need('a SUBJECT, --request-date ISO (when the request arrived) and -o DIR');
      const keys = hubKeys(config);
      const r = await exportSubjectAccess({
        store,
        clock,
        rules: schemeRules(config),
        encryptionKey: keys.encryptionKey,
        maxPacketBytes: config.maxPacketBytes,
        actor,
        ref: ref!,
        requestDate: requireIso(values['request-date'], '--request-date')!,
        outDir: values.out!,
      });
      if (values.json) printJson(io, r);
      else
        io.out(
          `subject access answer for ${ref} in ${r.dir}: ${r.reports} report(s), ${r.images} image(s); due by ${r.deadline} (recorded in the hub's disclosure register)`,
        );
      return ExitCode.ok;
    }
    default:
      throw new UsageError(`unknown hub subject action '${action}'\nusage:\n${HUB_SUBJECT_USAGE}`);
  }
}

/** `hub retention`: per packet and subject, the phase at `now`, the dates and why; applies it unless --dry-run. */
export async function hubRetentionCommand(
  store: HubStore,
  values: { json?: boolean | undefined; 'dry-run'?: boolean | undefined },
  clock: Clock,
  io: CliIo,
): Promise<ExitCode> {
  const now = clock.now();
  const report = await retentionReport(store, now);
  const applied = values['dry-run'] ? null : await store.sweep(now);
  if (values.json) printJson(io, { ...report, dryRun: values['dry-run'] ?? false, applied });
  else {
    for (const p of report.packets)
      io.out(
        `${p.id}  ${p.subjectRef ?? '(unlinked)'}  ${p.phase.padEnd(10)}  shared until ${p.shareUntil.slice(0, 10)}  deleted ${p.deleteAt.slice(0, 10)}${p.action === 'none' ? '' : `  → ${p.action}`}  ${p.why}`,
      );
    for (const s of report.subjects)
      io.out(
        `subject ${s.ref}: ${s.reports} report(s) ${s.firstReport.slice(0, 10)}…${s.lastReport.slice(0, 10)}, ${s.phase}, shared until ${s.shareUntil.slice(0, 10)}, deleted ${s.deleteAt.slice(0, 10)}`,
      );
    const m = report.summary;
    io.out(
      `at ${report.now}: ${m.shared} shared, ${m.adminOnly} administrator-only; ${
        applied
          ? `applied: ${applied.adminOnly} withdrawn, ${applied.deleted} deleted, ${applied.subjectsDeleted} subject(s) deleted`
          : `a sweep would withdraw ${m.dueWithdraw} and delete ${m.dueDelete} (dry run: nothing changed)`
      }`,
    );
  }
  return ExitCode.ok;
}

/** `hub ingest`: each file through the receiver's own checks and store, as if it had arrived over MQTT. */
export async function hubIngestCommand(
  config: HubConfig,
  store: HubStore,
  files: string[],
  values: { json?: boolean | undefined },
  clock: Clock,
  io: CliIo,
): Promise<ExitCode> {
  if (files.length === 0)
    throw new UsageError(`hub ingest needs one or more PACKET files\nusage:\n${HUB_SUBJECT_USAGE}`);
  const keys = hubKeys(config);
  const results = [];
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (e) {
      throw new AppError(
        'not-found',
        `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
    const r = await ingestPacket(bytes, {
      store,
      clock,
      source: basename(file),
      actor: cliActor(io),
      config,
      encryptionKey: keys.encryptionKey,
      signAck: (ack) => signJson(ack, keys.signingKey, ACK_TYP, keys.hubKeyId),
    });
    results.push({ file, ...r });
  }
  const bad = results.filter((r) => r.outcome === 'rejected');
  if (values.json) printJson(io, { ok: bad.length === 0, results });
  else {
    for (const r of results)
      io.out(
        r.outcome === 'rejected'
          ? `REJECTED ${r.file}: ${r.reason}: ${r.message}`
          : `${r.outcome} ${r.file}: packet ${r.packetId} (${r.siteId})`,
      );
    io.out(`${results.length - bad.length} of ${results.length} packet(s) taken in`);
  }
  return bad.length === 0 ? ExitCode.ok : ExitCode.failure;
}

interface ExclusionFlags {
  json?: boolean | undefined;
  months?: string | undefined;
  premises?: string | undefined;
  start?: string | undefined;
  grounds?: string | undefined;
  appeal?: string | undefined;
  active?: boolean | undefined;
  out?: string | undefined;
  lang?: string | undefined;
}

/** `hub exclusion add|list|notice|served`: the scheme's exclusions, within its rules (hub config `scheme:`). */
export async function hubExclusionCommand(
  config: HubConfig,
  store: HubStore,
  args: string[],
  values: ExclusionFlags,
  clock: Clock,
  io: CliIo,
): Promise<ExitCode> {
  const exclusions = new HubExclusions(store, clock, schemeRules(config));
  const actor = cliActor(io);
  const [action = 'list', id] = args;
  switch (action) {
    case 'add': {
      if (!id || !values.months || !values.grounds)
        throw new UsageError(
          `hub exclusion add needs SUBJECT, --months N and --grounds TEXT\nusage:\n${HUB_SUBJECT_USAGE}`,
        );
      const e = await exclusions.record(actor, {
        subjectRef: id,
        months: Number(values.months),
        grounds: values.grounds,
        ...(values.premises ? { premises: values.premises } : {}),
        ...(values.start ? { startsAt: requireIso(values.start, '--start')!.toISOString() } : {}),
        ...(values.appeal ? { appealRoute: values.appeal } : {}),
      });
      if (values.json) printJson(io, e);
      else
        io.out(
          `exclusion ${e.id} recorded for ${e.subjectRef}: ${e.scope === 'scheme' ? 'all members' : e.premises}, ${e.startsAt} until ${e.endsAt}. Print the notice with: bcrp-edge hub exclusion notice ${e.id} -o notice.html`,
        );
      return ExitCode.ok;
    }
    case 'list': {
      const rows = await store.exclusions({
        ...(id ? { subjectRef: id } : {}),
        ...(values.active ? { activeAt: clock.now() } : {}),
      });
      if (values.json) printJson(io, rows);
      else {
        for (const e of rows)
          io.out(
            `${e.id}  ${e.subjectRef}  ${e.scope === 'scheme' ? 'scheme' : e.premises}  ${e.startsAt} → ${e.endsAt}  ${e.servedAt ? `served ${e.servedAt}` : 'not served'}`,
          );
        io.out(`${rows.length} exclusion(s)${values.active ? ` active at ${clock.now().toISOString()}` : ''}`);
      }
      return ExitCode.ok;
    }
    case 'notice': {
      if (!id) throw new UsageError(`hub exclusion notice needs an exclusion ID\nusage:\n${HUB_SUBJECT_USAGE}`);
      const lang = values.lang ?? 'en';
      if (!isDocLang(lang)) throw new UsageError(`--lang is en (English) or cy (Welsh)\nusage:\n${HUB_SUBJECT_USAGE}`);
      const page = await exclusions.notice(id, lang);
      if (values.out) {
        await writeNewFile(values.out, page);
        io.out(`notice written to ${values.out}`);
      } else io.out(page);
      return ExitCode.ok;
    }
    case 'served': {
      if (!id) throw new UsageError(`hub exclusion served needs an exclusion ID\nusage:\n${HUB_SUBJECT_USAGE}`);
      const e = await exclusions.served(actor, id);
      io.out(`exclusion ${e.id}: notice served at ${e.servedAt}`);
      return ExitCode.ok;
    }
    default:
      throw new UsageError(`unknown hub exclusion action '${action}'\nusage:\n${HUB_SUBJECT_USAGE}`);
  }
}
