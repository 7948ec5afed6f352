// A throwaway TLS certificate for the demo's loopback web servers (appliance and hub page).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSelfSignedSync } from '../adapters/pki/openssl.js';

/** A self-signed certificate for 127.0.0.1 made with openssl (Debian's), kept in dir for the next start. */
export function throwawayCertificate(dir: string): { cert: Buffer; key: Buffer; certPath: string } {
  const certPath = join(dir, 'web.crt');
  const keyPath = join(dir, 'web.key');
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    makeSelfSignedSync({
      certFile: certPath,
      keyFile: keyPath,
      subject: '/CN=bcrp-edge demo',
      names: ['127.0.0.1', 'localhost'],
      days: 30,
    });
  }
  return { cert: readFileSync(certPath), key: readFileSync(keyPath), certPath };
}
