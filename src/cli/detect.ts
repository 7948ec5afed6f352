// `bcrp-edge detect FILE...`: faces found in image files, one JSON object per file and line with --json.
import { readFile } from 'node:fs/promises';
import { codecFromConfig, createDetectorFromConfig } from '../app/redaction.js';
import { dataDir } from '../config/load.js';
import { describeError, ExitCode, isAppError, UsageError } from '../core/errors.js';
import { RedactionService } from '../services/redaction/redaction-service.js';
import { commonOptions, parse } from './args.js';
import { type Command, printJson } from './io.js';
import { redactionConfig, withModel } from './redaction-options.js';

export const detect: Command = {
  name: 'detect',
  summary: 'find faces in image files',
  usage: 'bcrp-edge detect FILE... [--model blazeface|yunet|PATH] [--json] [--config FILE]',
  async run(args, io) {
    const { values, positionals } = parse(args, { ...commonOptions, model: { type: 'string' } }, this.usage, true);
    if (positionals.length === 0) throw new UsageError(`no image file given\nusage: ${this.usage}`);
    const config = withModel(redactionConfig(values.config, io.env), values.model);
    const detector = await createDetectorFromConfig(config, { dataDir: dataDir(values['data-dir'], io.env) });
    if (detector.degraded)
      io.err(
        `warning: running ${detector.model.id} instead of the configured ${detector.degraded.configured}, which finds far more small faces: ${detector.degraded.reason}`,
      );
    const service = new RedactionService(detector, codecFromConfig(config), { ...config });
    let failed = 0;
    try {
      for (const file of positionals) {
        try {
          const bytes = await readFile(file).catch((e: NodeJS.ErrnoException) => {
            throw new UsageError(`${file}: ${e.code === 'ENOENT' ? 'file not found' : `cannot read (${e.code})`}`);
          });
          const r = await service.detectWithPlan(bytes);
          if (values.json)
            printJson(io, {
              file,
              width: r.width,
              height: r.height,
              faces: r.faces,
              model: detector.model.id,
              ...(r.plan ? { plan: r.plan } : {}),
            });
          else
            io.out(
              `${file}: ${r.width}×${r.height}, ${r.faces.length} face${r.faces.length === 1 ? '' : 's'}${r.faces
                .map((f) => `\n  [${f.box.join(', ')}] score ${f.score}`)
                .join('')}`,
            );
        } catch (e) {
          // A model failure ends the run; a bad file is reported and the others still get checked.
          if (isAppError(e) && e.code === 'detector-unavailable') throw e;
          failed++;
          io.err(`error: ${file}: ${describeError(e).replace(`${file}: `, '')}`);
        }
      }
    } finally {
      await detector.close();
    }
    return failed ? ExitCode.failure : ExitCode.ok;
  },
};
