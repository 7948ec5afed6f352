// Wires the status strip: the recorder, broker, hub and queue probes the web's status service shows and /metrics
// exports. The hub's "last ack" follows the bus's `acked` events; the broker says why it is down, so a revoked
// certificate is not mistaken for a network fault.
import type { Redactor } from '../core/ports/redactor.js';
import { ApplianceStatusService } from '../services/appliance-status.js';
import type { PublishModule } from './publish-module.js';
import type { RecorderPart } from './recorder-module.js';
import { detectorHealth } from './redaction.js';
import type { Wiring } from './wiring.js';

export function applianceStatus(
  w: Wiring,
  p: { recorder: RecorderPart; publish: PublishModule | undefined; redactor?: Redactor },
): ApplianceStatusService {
  const { app, metrics } = w;
  const { recorder, publish: pub, redactor } = p;
  let lastAck: number | undefined;
  app.bus.on('acked', () => {
    lastAck = app.clock.now().getTime();
  });
  return new ApplianceStatusService(app.dataDir, {
    nvr: () => recorder.health.probe(),
    broker: () => {
      const up = pub?.broker.connected ?? false;
      metrics.brokerUp.set(up ? 1 : 0);
      if (!pub) return { state: 'unknown', detail: 'Sending is not set up', code: 'sendingNotSetUp' };
      if (up) return { state: 'ok', detail: 'Connected to the broker', code: 'brokerConnected' };
      // The outbox keeps every packet while the broker is away.
      const why = pub.broker.problem;
      return {
        state: 'down',
        detail: `Not connected to the broker${why ? `: ${why}` : ''}. Reports wait in the queue and are sent once it connects.`,
        // The broker's own problem (a refused certificate) is technical and stays as it was reported.
        ...(why ? { code: 'brokerDownBecause', params: { why } } : { code: 'brokerDown' }),
      };
    },
    hub: () => {
      if (!pub) return { state: 'unknown', detail: 'Sending is not set up', code: 'sendingNotSetUp' };
      if (lastAck === undefined)
        return { state: 'unknown', detail: 'No report acknowledged since start', code: 'noAck' };
      metrics.hubUp.set(1);
      const minutes = Math.round((app.clock.now().getTime() - lastAck) / 60_000);
      return {
        state: 'ok',
        detail: `Last report acknowledged ${minutes < 1 ? 'just now' : `${minutes} min ago`}`,
        ...(minutes < 1 ? { code: 'lastAckNow' } : { code: 'lastAck', params: { n: minutes } }),
      };
    },
    // Shown only while a weaker face detector stands in for the configured one.
    ...(redactor ? { detector: () => detectorHealth(redactor) } : {}),
    queueDepth: () => {
      const n = pub?.outbox.depth() ?? 0;
      metrics.queueDepth.set(n);
      return n;
    },
  });
}
