// The cameras a Hikvision recorder offers, for provisioning: an NVR lists its inputs (InputProxy channels); a
// camera or DVR without that list answers with its streaming channels, folded to one entry per camera. Standalone
// cameras answer the NVR list with 403 (or 404), which is a missing feature there, not a refused password.
import type { NvrError } from '../../../core/nvr-errors.js';
import type { IsapiClient } from './client.js';
import { type ChannelInfo, parseInputProxyChannels, parseStreamingChannels } from './xml.js';

export const INPUT_PROXY_PATH = '/ISAPI/ContentMgmt/InputProxy/channels';
export const STREAMING_CHANNELS_PATH = '/ISAPI/Streaming/channels';

export interface ChannelListing {
  channels: ChannelInfo[];
  path: string;
  /** Why the NVR list was not used (a standalone camera answers it with 403); undefined when it was. */
  workedAround: string | undefined;
}

export async function listCameraChannels(client: IsapiClient): Promise<ChannelListing> {
  let why: string;
  try {
    const inputs = parseInputProxyChannels(await client.getXml(INPUT_PROXY_PATH, 'channel list'));
    if (inputs.length > 0) return { channels: inputs, path: INPUT_PROXY_PATH, workedAround: undefined };
    why = 'lists no inputs';
  } catch (e) {
    // A refused password and an unreachable recorder are the same for the next request: report them now.
    const { code, status } = e as NvrError;
    if (code === 'nvr-unreachable' || (code === 'nvr-auth-failed' && status !== 403)) throw e;
    why = status !== undefined ? `answered ${status}` : code === 'nvr-not-found' ? 'answered 404' : 'is unreadable';
  }
  const channels = parseStreamingChannels(await client.getXml(STREAMING_CHANNELS_PATH, 'streaming channel list'));
  return { channels, path: STREAMING_CHANNELS_PATH, workedAround: `${INPUT_PROXY_PATH} ${why}` };
}

export async function listCameras(client: IsapiClient): Promise<ChannelInfo[]> {
  return (await listCameraChannels(client)).channels;
}
