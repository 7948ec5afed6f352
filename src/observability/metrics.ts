// Prometheus metrics for /metrics. One registry per running appliance (not prom-client's global one, so tests
// and several instances in one process do not collide). Modules update the counters; the gauges that mirror the
// appliance's status are refreshed from StatusService when scraped.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  captures: Counter<'source'>;
  redactionSeconds: Histogram<'step'>;
  queueDepth: Gauge;
  published: Counter;
  acked: Counter;
  nvrUp: Gauge;
  brokerUp: Gauge;
  hubUp: Gauge;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  loginFailures: Counter;
  heapUsed: Gauge;
}

export function createMetrics(prefix = 'bcrp_edge_'): Metrics {
  const registry = new Registry();
  const r = [registry];
  return {
    registry,
    captures: new Counter({
      name: `${prefix}captures_total`,
      help: 'Incidents triggered',
      labelNames: ['source'],
      registers: r,
    }),
    redactionSeconds: new Histogram({
      name: `${prefix}redaction_seconds`,
      help: 'Time spent redacting a still, by step',
      labelNames: ['step'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
      registers: r,
    }),
    queueDepth: new Gauge({ name: `${prefix}outbox_queue_depth`, help: 'Packets waiting in the outbox', registers: r }),
    published: new Counter({ name: `${prefix}packets_published_total`, help: 'Packets published', registers: r }),
    acked: new Counter({ name: `${prefix}packets_acked_total`, help: 'Packets acknowledged by the hub', registers: r }),
    nvrUp: new Gauge({ name: `${prefix}nvr_up`, help: '1 when the recorder answers', registers: r }),
    brokerUp: new Gauge({ name: `${prefix}broker_up`, help: '1 when connected to the broker', registers: r }),
    hubUp: new Gauge({ name: `${prefix}hub_up`, help: '1 when the hub acknowledged recently', registers: r }),
    httpRequests: new Counter({
      name: `${prefix}http_requests_total`,
      help: 'Web requests by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: r,
    }),
    loginFailures: new Counter({ name: `${prefix}login_failures_total`, help: 'Failed web logins', registers: r }),
    // Read when scraped (no timer): the soak script watches it for leaks that RSS alone would hide.
    heapUsed: new Gauge({
      name: `${prefix}heap_used_bytes`,
      help: 'V8 heap in use',
      registers: r,
      collect() {
        this.set(process.memoryUsage().heapUsed);
      },
    }),
  };
}
