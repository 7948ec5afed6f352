// The manager's side: sends awaiting approval, evidence holds and subject access request exports.

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type as T } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { isAppError } from '../../core/errors.js';
import type { WebDeps } from '../deps.js';
import { httpError, requireActor, requireUser } from '../plugins/auth.js';
import { requestLang } from '../plugins/language.js';
import { ErrorReply, HoldSchema, IncidentId, IncidentSummarySchema } from '../schemas.js';

export async function managerRoutes(instance: FastifyInstance, deps: WebDeps): Promise<void> {
  // Request parts take their types from the route schemas.
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/approvals',
    {
      config: { permission: 'approve' },
      schema: {
        summary: 'Sends waiting for approval',
        tags: ['manager'],
        response: { 200: T.Array(IncidentSummarySchema) },
      },
    },
    async () => deps.approvals.pending(),
  );

  app.get(
    '/api/holds',
    {
      config: { permission: 'holds:read' },
      schema: {
        summary: 'Evidence holds',
        tags: ['manager'],
        querystring: T.Object({ active: T.Optional(T.Boolean()) }),
        response: { 200: T.Array(HoldSchema) },
      },
    },
    async (request) => deps.holds.list({ activeOnly: request.query.active ?? false }),
  );

  app.post(
    '/api/holds',
    {
      config: { permission: 'holds:manage' },
      schema: {
        summary: 'Place an evidence hold',
        tags: ['manager'],
        body: T.Object(
          {
            incidentId: IncidentId,
            reason: T.String({ minLength: 3, maxLength: 280 }),
            reference: T.Optional(T.String({ maxLength: 80 })),
            expiresAt: T.Optional(T.String({ format: 'date-time' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: HoldSchema, 400: ErrorReply, 404: ErrorReply },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const hold = deps.holds.place({
        incidentId: body.incidentId,
        reason: body.reason,
        ...(body.reference ? { reference: body.reference } : {}),
        ...(body.expiresAt ? { expiresAt: new Date(body.expiresAt) } : {}),
        actor: requireActor(request),
      });
      return reply.code(201).send(hold);
    },
  );

  app.post(
    '/api/holds/:holdId/release',
    {
      config: { permission: 'holds:manage' },
      schema: {
        summary: 'Release an evidence hold',
        tags: ['manager'],
        params: T.Object({ holdId: IncidentId }),
        response: { 200: HoldSchema, 404: ErrorReply, 409: ErrorReply },
      },
    },
    async (request) => {
      return deps.holds.release({
        holdId: request.params.holdId,
        actor: requireActor(request),
      });
    },
  );

  app.post(
    '/api/sar-faces',
    {
      config: { permission: 'sar:export' },
      schema: {
        summary: 'The faces on the stills of these incidents, numbered left to right, to choose the requester’s',
        tags: ['manager'],
        body: T.Object(
          { incidentIds: T.Array(IncidentId, { minItems: 1, maxItems: 20 }) },
          { additionalProperties: false },
        ),
        response: {
          200: T.Array(
            T.Object({
              incidentId: T.String(),
              stillId: T.String(),
              capturedAt: T.String(),
              width: T.Integer(),
              height: T.Integer(),
              faces: T.Array(T.Object({ face: T.Integer(), box: T.Array(T.Number(), { minItems: 4, maxItems: 4 }) })),
            }),
          ),
          400: ErrorReply,
        },
      },
    },
    async (request) => deps.sar.faces(request.body.incidentIds, requireUser(request).username),
  );

  app.get(
    '/api/sar-exports/:name/zip',
    {
      config: { permission: 'sar:export' },
      schema: {
        summary: 'A subject access answer as one ZIP file (the name the export answered with)',
        tags: ['manager'],
        params: T.Object({ name: T.String({ pattern: '^[\\w-]{1,200}$' }) }),
        response: {
          200: {
            description: 'The answer folder as a ZIP',
            content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } },
          },
          404: ErrorReply,
        },
      },
    },
    async (request, reply) => {
      const zip = await deps.sar.archive(request.params.name, requireUser(request).username);
      if (!zip) throw httpError(404, 'error.noAnswer');
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="${zip.fileName}"`)
        .header('cache-control', 'no-store')
        .send(zip.bytes);
    },
  );

  app.post(
    '/api/sar-exports',
    {
      config: { permission: 'sar:export' },
      schema: {
        summary: 'Export what the appliance holds for a subject access request',
        tags: ['manager'],
        body: T.Object(
          {
            reference: T.String({ minLength: 1, maxLength: 80 }),
            incidentIds: T.Array(IncidentId, { minItems: 1, maxItems: 100 }),
            keep: T.Optional(
              T.Array(T.String({ pattern: '^[\\w-]{1,80}:\\d{1,3}$', description: 'STILL-ID:FACE (1 = leftmost)' }), {
                maxItems: 400,
                description: 'The requester’s face on each still where they appear; every other face stays hidden',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          201: T.Object({
            reference: T.String(),
            location: T.String(),
            incidents: T.Integer(),
            images: T.Integer(),
            dueBy: T.String(),
            kept: T.Optional(T.Integer()),
            download: T.Optional(T.String()),
          }),
          400: ErrorReply,
          500: ErrorReply,
        },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const body = request.body;
      try {
        const keep = body.keep?.length
          ? Object.fromEntries(
              body.keep.map((k) => {
                const at = k.lastIndexOf(':');
                return [k.slice(0, at), Number(k.slice(at + 1))];
              }),
            )
          : undefined;
        // The cover sheet in the language of the page the manager answers from.
        const sar = {
          reference: body.reference,
          incidentIds: body.incidentIds,
          lang: requestLang(request),
          ...(keep ? { keep } : {}),
        };
        return reply.code(201).send(await deps.sar.export(sar, user.username));
      } catch (e) {
        // The attempt goes in the log (the 30-day duty is still open); the manager gets what to do, never a path
        // on the appliance or a stack trace.
        request.log.error({ err: e }, 'subject access export failed');
        deps.audit.append({
          actor: user.username,
          action: 'sar-export-failed',
          subject: body.reference,
          details: {
            reference: body.reference,
            incidents: body.incidentIds.length,
            reason: isAppError(e) ? e.code : 'unexpected',
          },
        });
        throw httpError(500, 'error.sarFailed');
      }
    },
  );
}
