// The cameras a Hikvision recorder offers, for provisioning: an NVR lists its inputs (InputProxy channels); a
// camera or DVR without that list answers with its streaming channels, folded to one entry per camera.
import type { NvrError } from '../../../core/nvr-errors.js';
import type { IsapiClient } from './client.js';
import { type ChannelInfo, parseInputProxyChannels, parseStreamingChannels } from './xml.js';

export async function listCameras(client: IsapiClient): Promise<ChannelInfo[]> {
  try {
    const inputs = parseInputProxyChannels(
      await client.getXml('/ISAPI/ContentMgmt/InputProxy/channels', 'channel list'),
    );
    if (inputs.length > 0) return inputs;
  } catch (e) {
    // Authentication and reachability problems are the same for the next request: report them now.
    const code = (e as NvrError).code;
    if (code === 'nvr-auth-failed' || code === 'nvr-unreachable') throw e;
  }
  return parseStreamingChannels(await client.getXml('/ISAPI/Streaming/channels', 'streaming channel list'));
}
