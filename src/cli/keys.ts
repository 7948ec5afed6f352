// `bcrp-edge keys generate --out DIR`: a device's (or a hub's) Ed25519 signing pair and X25519 encryption pair.
import { generateKeys, KEY_FILES } from '../adapters/crypto/keys.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { parse } from './args.js';
import { type Command, printJson } from './io.js';

export const keysGenerate: Command = {
  name: 'keys generate',
  summary: 'make a device signing key and encryption key pair',
  usage: 'bcrp-edge keys generate --out DIR [--json]',
  async run(args, io) {
    const { values } = parse(args, { out: { type: 'string', short: 'o' }, json: { type: 'boolean' } }, this.usage);
    if (!values.out) throw new UsageError(`--out DIR is required\nusage: ${this.usage}`);
    const keys = generateKeys(values.out);
    if (values.json) printJson(io, keys);
    else {
      io.out(`wrote ${Object.values(KEY_FILES).join(', ')} to ${keys.dir} (private keys mode 0600)`);
      io.out(`signing key fingerprint (device id): ${keys.signingFingerprint}`);
      io.out(`encryption key fingerprint:          ${keys.encryptionFingerprint}`);
    }
    return ExitCode.ok;
  },
};
