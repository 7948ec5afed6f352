// `bcrp-edge redact IN -o OUT`: one still through the redaction step, as capture and review use it.
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createRedactor } from '../app/redaction.js';
import { dataDir } from '../config/load.js';
import { AppError, ExitCode, UsageError } from '../core/errors.js';
import { planSummary } from '../services/redaction/redaction-service.js';
import { commonOptions, parse } from './args.js';
import { type Command, printJson } from './io.js';
import { parseBox, parseMode, redactionConfig, withModel } from './redaction-options.js';

export const redact: Command = {
  name: 'redact',
  summary: 'redact the faces in an image',
  usage:
    'bcrp-edge redact IN -o OUT [--keep x,y,w,h]... [--extra x,y,w,h]... [--crop-subject] [--mode blur|pixelate|solid] [--model blazeface|yunet|PATH] [--json]',
  async run(args, io) {
    const { values, positionals } = parse(
      args,
      {
        ...commonOptions,
        out: { type: 'string', short: 'o' },
        keep: { type: 'string', multiple: true },
        extra: { type: 'string', multiple: true },
        'crop-subject': { type: 'boolean' },
        mode: { type: 'string' },
        model: { type: 'string' },
      },
      this.usage,
      true,
    );
    const input = positionals[0];
    if (!input || positionals.length > 1) throw new UsageError(`give exactly one input image\nusage: ${this.usage}`);
    if (!values.out) throw new UsageError(`-o OUT is required\nusage: ${this.usage}`);
    if (resolve(values.out) === resolve(input)) throw new UsageError('-o OUT must not be the input file');
    const keep = (values.keep ?? []).map((b) => parseBox(b, '--keep'));
    const extra = (values.extra ?? []).map((b) => parseBox(b, '--extra'));
    const mode = parseMode(values.mode);
    const bytes = await readFile(input).catch((e: NodeJS.ErrnoException) => {
      throw new UsageError(`${input}: ${e.code === 'ENOENT' ? 'file not found' : `cannot read (${e.code})`}`);
    });
    const config = withModel(redactionConfig(values.config, io.env), values.model);
    const { redactor, detector, close } = await createRedactor(config, {
      dataDir: dataDir(values['data-dir'], io.env),
    });
    if (detector.degraded)
      io.err(
        `warning: running ${detector.model.id} instead of the configured ${detector.degraded.configured}, which finds far more small faces: ${detector.degraded.reason}`,
      );
    try {
      const out = await redactor.redact({
        image: bytes,
        keep,
        extra,
        cropSubject: values['crop-subject'] ?? false,
        ...(mode ? { mode } : {}),
      });
      await writeFile(values.out, out.bytes, { mode: 0o640 }).catch((e: NodeJS.ErrnoException) => {
        throw new AppError('write-failed', `cannot write ${values.out}: ${e.code}`);
      });
      const r = out.report;
      if (values.json)
        printJson(io, {
          file: input,
          output: values.out,
          width: out.width,
          height: out.height,
          sha256: out.sha256,
          ...r,
          plan: planSummary(detector.plan?.(r.input?.width ?? out.width, r.input?.height ?? out.height)),
        });
      else
        io.out(
          `wrote ${values.out} (${out.width}×${out.height}): ${r.facesFound} faces found, ${r.facesRedacted} redacted, ${r.facesKept} kept, ${r.extraBoxes} extra boxes; ${r.mode}; verified: no face found after redaction (${r.verification?.passes ?? 0} passes); model ${r.model.id} ${r.model.sha256.slice(0, 12)}…`,
        );
      return ExitCode.ok;
    } finally {
      await close();
    }
  },
};
