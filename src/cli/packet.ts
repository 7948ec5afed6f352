// `bcrp-edge packet create | verify`. create is for tests, support and the hub team: its images are files the
// operator asserts are already redacted (the packet says so: redaction mode 'external'). The appliance itself
// packages only RedactedImage values from the redaction step (services/publish/queue-packet.ts).
import { createHash, createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fingerprint, loadPrivateKey, loadPublicKey } from '../adapters/crypto/keys.js';
import { openPacket, sealPacket } from '../adapters/crypto/packet-codec.js';
import { AppError, ExitCode, UsageError } from '../core/errors.js';
import { INCIDENT_CATEGORIES } from '../core/incident.js';
import {
  buildOperatorPacketContents,
  type ImageInput,
  type OperatorImage,
  PacketInputError,
} from '../core/packet/build.js';
import { readJpegInfo } from '../core/packet/jpeg.js';
import { DEFAULT_MAX_PACKET_BYTES, RETENTION_CLASSES, type RetentionClass } from '../core/packet/manifest.js';
import { systemClock } from '../core/ports/clock.js';
import { uuidV7Source } from '../core/ports/ids.js';
import { parse, requireIso } from './args.js';
import { type Command, printJson } from './io.js';

function readImage(spec: string): ImageInput<OperatorImage> {
  const m = /^(.*?)(?::(subject|context))?$/.exec(spec)!;
  const file = m[1]!;
  const role = (m[2] ?? 'subject') as 'subject' | 'context';
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new AppError('image-unreadable', `cannot read image ${file}: ${(e as NodeJS.ErrnoException).code}`);
  }
  const info = readJpegInfo(bytes);
  if (!info) throw new AppError('image-invalid', `${file} is not a JPEG (packets carry re-encoded JPEG stills only)`);
  if (info.metadata.length > 0)
    throw new AppError(
      'image-metadata',
      `${file} carries metadata (${info.metadata.join(', ')}); strip it first (e.g. re-encode it) — packets carry none`,
    );
  return {
    role,
    image: { bytes, width: info.width, height: info.height, sha256: createHash('sha256').update(bytes).digest('hex') },
  };
}

export const packetCreate: Command = {
  name: 'packet create',
  summary: 'build a signed incident packet from images you assert are redacted',
  usage:
    'bcrp-edge packet create --image FILE[:subject|:context]... --category C --site S --key KEY [--encrypt-to HUBPUB] [--incident-time ISO] [--retention CLASS] [--description TEXT] [--max-bytes N] -o PACKET [--json]',
  async run(args, io) {
    const { values } = parse(
      args,
      {
        image: { type: 'string', multiple: true },
        category: { type: 'string' },
        site: { type: 'string' },
        key: { type: 'string' },
        'encrypt-to': { type: 'string' },
        'incident-time': { type: 'string' },
        retention: { type: 'string' },
        description: { type: 'string' },
        'max-bytes': { type: 'string' },
        out: { type: 'string', short: 'o' },
        json: { type: 'boolean' },
      },
      this.usage,
    );
    const missing: string[] = (['category', 'site', 'key', 'out'] as const).filter((k) => !values[k]);
    if (!values.image?.length) missing.unshift('image');
    if (missing.length > 0)
      throw new UsageError(
        `missing ${missing.map((m) => (m === 'out' ? '-o PACKET' : `--${m}`)).join(', ')}\nusage: ${this.usage}`,
      );
    if (!(INCIDENT_CATEGORIES as readonly string[]).includes(values.category!))
      throw new UsageError(`--category must be one of ${INCIDENT_CATEGORIES.join(', ')}`);
    const retention = (values.retention ?? 'shared-12m') as RetentionClass;
    if (!RETENTION_CLASSES.includes(retention))
      throw new UsageError(`--retention must be one of ${RETENTION_CLASSES.join(', ')}`);
    const maxBytes = values['max-bytes'] ? Number(values['max-bytes']) : DEFAULT_MAX_PACKET_BYTES;
    if (!Number.isInteger(maxBytes) || maxBytes < 1024) throw new UsageError('--max-bytes must be an integer ≥ 1024');
    const signingKey = loadPrivateKey(values.key!, 'ed25519');
    const encryptTo = values['encrypt-to'] ? loadPublicKey(values['encrypt-to'], 'x25519') : undefined;
    const images = values.image!.map(readImage);
    const now = systemClock.now();
    const id = uuidV7Source(systemClock).next();
    let contents: ReturnType<typeof buildOperatorPacketContents>;
    try {
      contents = buildOperatorPacketContents(
        {
          id,
          siteId: values.site!,
          deviceId: fingerprint(createPublicKey(signingKey)),
          createdAt: now,
          incidentTime: requireIso(values['incident-time'], '--incident-time') ?? now,
          category: values.category!,
          retentionClass: retention,
          description: values.description,
        },
        images,
      );
    } catch (e) {
      if (e instanceof PacketInputError) throw new UsageError(e.message);
      throw e;
    }
    const packet = await sealPacket(contents, { signingKey, encryptTo, maxBytes });
    try {
      writeFileSync(values.out!, packet, { flag: 'wx', mode: 0o640 });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new AppError(
        'write-failed',
        code === 'EEXIST' ? `${values.out} already exists: choose another name` : `cannot write ${values.out}: ${code}`,
      );
    }
    const summary = {
      file: values.out,
      id,
      bytes: packet.length,
      encrypted: encryptTo !== undefined,
      deviceId: contents.manifest.deviceId,
    };
    if (values.json) printJson(io, summary);
    else
      io.out(
        `wrote packet ${id} (${packet.length} bytes${encryptTo ? ', encrypted to the hub' : ''}) to ${values.out}`,
      );
    return ExitCode.ok;
  },
};

export const packetVerify: Command = {
  name: 'packet verify',
  summary: "check a packet's signature, hashes and schema",
  usage: 'bcrp-edge packet verify PACKET --device-key PUB [--hub-key PRIV] [--max-bytes N] [--json]',
  async run(args, io) {
    const { values, positionals } = parse(
      args,
      {
        'device-key': { type: 'string' },
        'hub-key': { type: 'string' },
        'max-bytes': { type: 'string' },
        json: { type: 'boolean' },
      },
      this.usage,
      true,
    );
    if (positionals.length !== 1) throw new UsageError(`give exactly one PACKET file\nusage: ${this.usage}`);
    if (!values['device-key']) throw new UsageError(`--device-key PUB is required\nusage: ${this.usage}`);
    const deviceKey = loadPublicKey(values['device-key'], 'ed25519');
    const hubKey = values['hub-key'] ? loadPrivateKey(values['hub-key'], 'x25519') : undefined;
    const file = positionals[0]!;
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (e) {
      throw new AppError('packet-unreadable', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code}`);
    }
    const kid = fingerprint(deviceKey);
    const result = await openPacket(bytes, {
      deviceKey: (k) => (k === kid ? deviceKey : undefined),
      hubKey,
      maxBytes: values['max-bytes'] ? Number(values['max-bytes']) : DEFAULT_MAX_PACKET_BYTES,
    });
    if (values.json) {
      printJson(io, {
        ok: result.ok,
        encrypted: result.encrypted,
        checks: result.checks,
        ...(result.manifest ? { manifest: result.manifest } : {}),
      });
    } else {
      for (const c of result.checks) io.out(`${c.ok ? 'ok  ' : 'FAIL'} ${c.check}: ${c.message}`);
      if (result.ok && result.manifest)
        io.out(
          `packet ${result.manifest.id}: site ${result.manifest.siteId}, ${result.manifest.category}, ${result.manifest.images.length} image(s)`,
        );
      else io.out(`packet NOT valid: ${result.checks.find((c) => !c.ok)?.check ?? 'unknown'} failed`);
    }
    return result.ok ? ExitCode.ok : ExitCode.failure;
  },
};
