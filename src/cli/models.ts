// `bcrp-edge models list|fetch|add`: which face models the appliance knows and has, and installing YuNet into the
// data dir — downloaded from its upstream release with the pinned SHA-256, or added from a file obtained by hand.

import { blazefacePackageFile } from '../adapters/vision/model-manifest.js';
import { addModel, fetchModel, listModels } from '../adapters/vision/model-store.js';
import { dataDir } from '../config/load.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { commonOptions, parse } from './args.js';
import { type Command, printJson } from './io.js';

/** Tests and installers only: fetch from this base URL (a local mirror) instead of the upstream URL. */
export const MODELS_FROM_ENV = 'BCRP_EDGE_MODELS_FROM';

export const modelsList: Command = {
  name: 'models list',
  summary: 'face models known (models/manifest.json), which are installed, and their measured sweet spots',
  usage: 'bcrp-edge models list [--data-dir DIR] [--json]',
  async run(args, io) {
    const { values } = parse(args, commonOptions, this.usage);
    const dir = dataDir(values['data-dir'], io.env);
    const list = listModels(dir, (e) => (e.source['path'] ? blazefacePackageFile(e.source['path']) : undefined));
    if (values.json) {
      printJson(io, { dataDir: dir, models: list });
      return ExitCode.ok;
    }
    for (const m of list) {
      const where =
        m.installed === 'no'
          ? 'not installed'
          : `${m.installed === 'npm' ? 'npm' : 'data dir'} ${m.path}${m.intact ? '' : ' — SHA-256 WRONG, reinstall'}`;
      const spot = m.sweetSpot ? `faces ${m.sweetSpot.min}–${m.sweetSpot.max} px at input` : 'no sweet spot measured';
      io.out(`${m.id.padEnd(20)} ${where}; ${spot}`);
    }
    return ExitCode.ok;
  },
};

export const modelsFetch: Command = {
  name: 'models fetch',
  summary: 'download a face model (yunet) from its upstream release, check its SHA-256, store it in the data dir',
  usage: 'bcrp-edge models fetch yunet|ID [--data-dir DIR] [--from BASE_URL] [--json]',
  async run(args, io) {
    const { values, positionals } = parse(args, { ...commonOptions, from: { type: 'string' } }, this.usage, true);
    const name = positionals[0];
    if (!name || positionals.length > 1) throw new UsageError(`name one model\nusage: ${this.usage}`);
    const from = values.from ?? io.env[MODELS_FROM_ENV];
    if (from !== undefined && !/^https?:\/\//.test(from))
      throw new UsageError(`--from ${from}: expected an http:// or https:// base URL`);
    const r = await fetchModel(dataDir(values['data-dir'], io.env), name, { baseUrl: from });
    if (values.json) printJson(io, r);
    else io.out(`installed ${r.id} at ${r.path} (SHA-256 ${r.sha256.slice(0, 12)}… checked) from ${r.from}`);
    return ExitCode.ok;
  },
};

export const modelsAdd: Command = {
  name: 'models add',
  summary: 'install a face model file obtained by hand, after checking it against the manifest',
  usage: 'bcrp-edge models add FILE [--data-dir DIR] [--json]',
  async run(args, io) {
    const { values, positionals } = parse(args, commonOptions, this.usage, true);
    const file = positionals[0];
    if (!file || positionals.length > 1) throw new UsageError(`give one model file\nusage: ${this.usage}`);
    const r = addModel(dataDir(values['data-dir'], io.env), file);
    if (values.json) printJson(io, r);
    else io.out(`installed ${r.id} at ${r.path} (SHA-256 ${r.sha256.slice(0, 12)}… matches the manifest)`);
    return ExitCode.ok;
  },
};
