// Health for load balancers and systemd (no details), Prometheus metrics behind a bearer token, and the status
// strip's data.
import { timingSafeEqual } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type as T } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { WebDeps } from '../deps.js';
import { HttpError } from '../plugins/auth.js';
import { StatusSchema } from '../schemas.js';

const up = (state: string) => (state === 'ok' || state === 'degraded' ? 1 : 0);

export async function opsRoutes(instance: FastifyInstance, deps: WebDeps): Promise<void> {
  // Request parts take their types from the route schemas.
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/healthz',
    { schema: { summary: 'Liveness (no details)', tags: ['ops'], response: { 200: T.Object({ ok: T.Boolean() }) } } },
    async () => ({ ok: true }),
  );

  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics (bearer token)', tags: ['ops'], produces: ['text/plain'] } },
    async (request, reply) => {
      const token = deps.metricsToken;
      if (!token) throw new HttpError(404, 'Metrics are not enabled (set web.metricsTokenFile).');
      const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
      const a = Buffer.from(given);
      const b = Buffer.from(token);
      if (a.length !== b.length || !timingSafeEqual(a, b)) {
        reply.header('www-authenticate', 'Bearer');
        throw new HttpError(401, 'A valid bearer token is needed.');
      }
      try {
        const s = await deps.status.status();
        deps.metrics.queueDepth.set(s.queueDepth);
        deps.metrics.nvrUp.set(up(s.nvr.state));
        deps.metrics.brokerUp.set(up(s.broker.state));
        deps.metrics.hubUp.set(up(s.hub.state));
      } catch {
        // Metrics still answer when the status source fails; the gauges keep their last values.
      }
      return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
    },
  );

  app.get(
    '/api/status',
    {
      config: { permission: 'status:read' },
      schema: { summary: 'Appliance status for the header', tags: ['ops'], response: { 200: StatusSchema } },
    },
    async () => deps.status.status(),
  );
}
