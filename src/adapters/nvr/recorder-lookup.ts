// What the installer's prompts look up on the shop LAN: a Hikvision recorder's camera list (ISAPI, 5 s, no retry)
// and the recorders answering a WS-Discovery probe (3 s). Neither keeps a connection open.

import type { CameraListing, NvrTarget, RecorderLookup } from '../../core/ports/provisioning.js';
import { scrubCredentials } from '../../core/secrets.js';
import { listCameras } from './isapi/cameras.js';
import { IsapiClient } from './isapi/client.js';
import { discover } from './onvif/discovery.js';

/** Asks the NVR which cameras it has (Hikvision ISAPI), bounded, never throwing: the reason comes back instead. */
export async function camerasFromNvr(t: NvrTarget): Promise<CameraListing> {
  if (t.kind !== 'hikvision') return { error: 'only a Hikvision NVR can list its cameras; give --camera CHANNEL:NAME' };
  if (!t.host || !t.password || !Number.isInteger(t.port)) return { error: 'the NVR address or password is missing' };
  const client = new IsapiClient({
    scheme: t.scheme === 'https' ? 'https' : 'http',
    host: t.host,
    port: t.port,
    username: t.username ?? 'admin',
    password: t.password,
    timeoutMs: 5000,
    retries: 0,
  });
  try {
    const found = await listCameras(client);
    return { cameras: found.map((c) => ({ id: c.id, name: c.name.trim() || `Camera ${c.id}` })) };
  } catch (e) {
    return { error: scrubCredentials((e as Error).message) };
  } finally {
    await client.close();
  }
}

export const lanRecorderLookup: RecorderLookup = {
  listCameras: camerasFromNvr,
  findRecorders: (interfaceName) => discover({ interfaceName, timeoutMs: 3000 }),
};
