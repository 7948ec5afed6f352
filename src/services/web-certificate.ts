// The appliance's web certificate: which names it covers and how long it lasts, made at provisioning and renewed
// by `provision --web-cert-only`.
import { AppError } from '../core/errors.js';
import type { ConfigDirectory, DevicePki } from '../core/ports/provisioning.js';

export const WEB_CERT_DAYS = 825;

/** The names a browser on the shop LAN may use for the appliance: its host name, mDNS name, localhost, the bind
 * address when it is a specific one, and any the installer adds. */
export function webCertificateNames(host: string, bind: string, extra: readonly string[]): string[] {
  return [...new Set([host, `${host}.local`, 'localhost', ...(bind !== '0.0.0.0' ? [bind] : []), ...extra])];
}

/** Makes the web certificate anew for the names the configuration implies; returns where and for which names. */
export async function renewWebCertificate(
  deps: {
    pki: Pick<DevicePki, 'makeWebCertificate'>;
    dir: ConfigDirectory<{ site: { id: string }; web: { bind: string; tlsCert?: string; tlsKey?: string } }>;
  },
  host: string,
  extraNames: readonly string[],
): Promise<{ certFile: string; names: string[]; days: number }> {
  const c = deps.dir.loadConfig().config;
  if (!c.web.tlsCert || !c.web.tlsKey)
    throw new AppError('no-web-cert', 'the configuration names no web certificate: set web.tlsCert and web.tlsKey');
  const names = webCertificateNames(host, c.web.bind, extraNames);
  await deps.pki.makeWebCertificate({
    certFile: c.web.tlsCert,
    keyFile: c.web.tlsKey,
    commonName: `${c.site.id} bcrp-edge`,
    names,
    days: WEB_CERT_DAYS,
  });
  return { certFile: c.web.tlsCert, names, days: WEB_CERT_DAYS };
}
