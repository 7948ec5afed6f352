// The auditor's side: verify the chain now, the timeline, the retention register and an export. Text only; the
// role is refused every image route.

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { type Static, Type as T } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TimelineQuery } from '../../core/ports/audit-queries.js';
import type { WebDeps } from '../deps.js';
import { requireUser } from '../plugins/auth.js';
import { AuditEntrySchema } from '../schemas.js';

const ChainReportSchema = T.Object({
  ok: T.Boolean(),
  entries: T.Integer(),
  firstSeq: T.Union([T.Integer(), T.Null()]),
  lastSeq: T.Union([T.Integer(), T.Null()]),
  headHash: T.Union([T.String(), T.Null()]),
  failure: T.Optional(T.Object({ seq: T.Integer(), fault: T.String(), message: T.String() })),
});

export const TimelineQuerySchema = T.Object({
  action: T.Optional(T.String({ pattern: '^[a-z-]{1,40}$' })),
  actor: T.Optional(T.String({ maxLength: 64 })),
  before: T.Optional(T.Integer({ minimum: 1 })),
  limit: T.Optional(T.Integer({ minimum: 1, maximum: 1000 })),
});

export function timelineQuery(q: Static<typeof TimelineQuerySchema>): TimelineQuery {
  const out: TimelineQuery = { limit: q.limit ?? 100 };
  if (q.action) out.actions = [q.action];
  if (q.actor) out.actor = q.actor;
  if (q.before) out.beforeSeq = q.before;
  return out;
}

export async function auditorRoutes(instance: FastifyInstance, deps: WebDeps): Promise<void> {
  // Request parts take their types from the route schemas.
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const config = { permission: 'audit:read' as const };
  app.post(
    '/api/audit/verify',
    {
      config,
      schema: { summary: 'Verify the audit chain now', tags: ['audit'], response: { 200: ChainReportSchema } },
    },
    async () => deps.auditQueries.verify(),
  );
  app.get(
    '/api/audit/timeline',
    {
      config,
      schema: {
        summary: 'Audited actions, newest first',
        tags: ['audit'],
        querystring: TimelineQuerySchema,
        response: { 200: T.Array(AuditEntrySchema) },
      },
    },
    async (request) => deps.auditQueries.timeline(timelineQuery(request.query)),
  );
  app.get(
    '/api/audit/retention',
    {
      config,
      schema: {
        summary: 'Retention sweeps and deletions',
        tags: ['audit'],
        response: { 200: T.Array(AuditEntrySchema) },
      },
    },
    async () => deps.auditQueries.retention(200),
  );
  app.get(
    '/api/audit/export',
    {
      config,
      schema: {
        summary: 'The audit chain as JSON lines, with hashes',
        tags: ['audit'],
        querystring: T.Object({
          from: T.Optional(T.String({ format: 'date-time' })),
          to: T.Optional(T.String({ format: 'date-time' })),
        }),
        produces: ['application/x-ndjson'],
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const q = request.query;
      const lines: string[] = [];
      for (const e of deps.auditQueries.export(q)) lines.push(JSON.stringify(e));
      deps.audit.append({
        actor: user.username,
        action: 'export',
        subject: 'audit-log',
        details: { entries: lines.length, from: q.from ?? null, to: q.to ?? null },
      });
      const stamp = deps.clock.now().toISOString().slice(0, 10);
      return reply
        .header('content-disposition', `attachment; filename="audit-${deps.site.id}-${stamp}.jsonl"`)
        .header('cache-control', 'no-store')
        .type('application/x-ndjson')
        .send(lines.length > 0 ? `${lines.join('\n')}\n` : '');
    },
  );
}
