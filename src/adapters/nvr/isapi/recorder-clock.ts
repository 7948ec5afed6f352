// Reads the recorder's clock (ISAPI /ISAPI/System/time) and its offset to the appliance's own (NTP) clock. The
// offset is taken against the midpoint of the request, so a slow answer does not count as skew; the recorder
// reports whole seconds, so readings within ±1 s are as good as it gets.
import type { Clock } from '../../../core/ports/clock.js';
import type { RecorderClockReading } from '../../../core/ports/frame-source.js';
import type { IsapiClient } from './client.js';
import { parseSystemTime } from './xml.js';

export async function readIsapiClock(client: IsapiClient, clock: Clock): Promise<RecorderClockReading> {
  const t0 = clock.now().getTime();
  const xml = await client.getXml('/ISAPI/System/time', 'clock');
  const t1 = clock.now().getTime();
  const t = parseSystemTime(xml);
  const mid = Math.round((t0 + t1) / 2);
  return {
    offsetMs: t.utc.getTime() - mid,
    source: 'isapi',
    recorderTime: t.utc.toISOString(),
    readAt: new Date(mid).toISOString(),
    roundTripMs: t1 - t0,
    timeZone: t.timeZone,
  };
}
