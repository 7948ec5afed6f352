// Capture, the incidents list, review and send: the staff's side of the API. Image bytes come only from the
// ReviewService (its outputs are RedactedImage), and every image served is audited as a view.

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type as T } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncidentFilter, IncidentProgress } from '../../core/ports/incident-service.js';
import type { RedactedImage } from '../../core/redaction.js';
import type { WebDeps } from '../deps.js';
import { httpError, requireUser } from '../plugins/auth.js';
import { requestWords } from '../plugins/language.js';
import {
  ErrorReply,
  IncidentDetailSchema,
  IncidentParams,
  IncidentSchema,
  IncidentSummarySchema,
  ReviewDraftSchema,
  Status,
  StillParams,
} from '../schemas.js';
import { imageCheck } from '../views/outgoing.js';
import { eventStream } from './event-stream.js';

const TriggerBody = T.Object(
  {
    camera: T.Integer({ minimum: 1, maximum: 256 }),
    minutesAgo: T.Optional(T.Integer({ minimum: 0, maximum: 1440, description: 'It happened this many minutes ago' })),
  },
  { additionalProperties: false },
);

const ListQuery = T.Object({
  status: T.Optional(T.Union([Status, T.Array(Status, { maxItems: 10 })])),
  from: T.Optional(T.String({ format: 'date-time' })),
  to: T.Optional(T.String({ format: 'date-time' })),
  limit: T.Optional(T.Integer({ minimum: 1, maximum: 500 })),
});

const Version = T.Object({ v: T.Optional(T.String({ maxLength: 40 })) });

const Preview = T.Object({
  ready: T.Boolean(),
  missing: T.Array(T.String()),
  fields: T.Record(T.String(), T.Union([T.String(), T.Number(), T.Boolean(), T.Null()])),
  images: T.Array(
    T.Object({
      index: T.Integer(),
      role: T.Union([T.Literal('subject-crop'), T.Literal('context')]),
      stillId: T.String(),
    }),
  ),
});

const PreviewChecks = T.Object({
  images: T.Array(
    T.Object({
      index: T.Integer(),
      role: T.Union([T.Literal('subject-crop'), T.Literal('context')]),
      stillId: T.String(),
      certificate: T.Union([T.Object({ passes: T.Integer(), facesFoundAfterRedaction: T.Integer() }), T.Null()]),
      words: T.String({ description: 'The certificate in the reader’s language.' }),
    }),
  ),
});

const imageResponse = {
  200: { description: 'A redacted JPEG', content: { 'image/jpeg': { schema: { type: 'string', format: 'binary' } } } },
};

export async function incidentRoutes(instance: FastifyInstance, deps: WebDeps): Promise<void> {
  // Request parts take their types from the route schemas.
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  async function existing(id: string) {
    const incident = await deps.incidents.get(id);
    if (!incident) throw httpError(404, 'error.noIncident');
    return incident;
  }

  function sendImage(
    request: FastifyRequest,
    reply: FastifyReply,
    image: RedactedImage,
    subject: string,
    details: { still?: string; preview?: number; revealed?: boolean },
  ) {
    const user = requireUser(request);
    deps.audit.append({
      actor: user.username,
      action: 'view',
      subject,
      details: { ...details, sha256: image.sha256 },
    });
    return reply.header('cache-control', 'no-store').type(image.mime).send(image.bytes);
  }

  app.get(
    '/api/cameras',
    {
      config: { permission: 'incidents:capture' },
      schema: {
        summary: 'Cameras offered for capture',
        tags: ['capture'],
        response: { 200: T.Array(T.Object({ id: T.Integer(), name: T.String(), enabled: T.Boolean() })) },
      },
    },
    async () => deps.incidents.cameras(),
  );

  app.post(
    '/api/incidents',
    {
      config: { permission: 'incidents:capture' },
      schema: {
        summary: 'Capture an incident now (or N minutes ago)',
        tags: ['capture'],
        body: TriggerBody,
        response: { 201: IncidentSchema, 400: ErrorReply },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const body = request.body;
      const cameras = await deps.incidents.cameras();
      if (!cameras.some((c) => c.id === body.camera && c.enabled)) {
        throw httpError(400, 'error.cameraNotOfferedN', { n: body.camera });
      }
      const at = new Date(deps.clock.now().getTime() - (body.minutesAgo ?? 0) * 60_000);
      const incident = await deps.incidents.trigger({ camera: body.camera, at, source: 'web', actor: user.username });
      deps.metrics.captures.inc({ source: 'web' });
      return reply.code(201).send(incident);
    },
  );

  app.get(
    '/api/incidents',
    {
      config: { permission: 'incidents:read' },
      schema: {
        summary: 'Incidents, newest first, filtered by status and trigger time',
        tags: ['incidents'],
        querystring: ListQuery,
        response: { 200: T.Array(IncidentSummarySchema) },
      },
    },
    async (request) => {
      const q = request.query;
      const filter: IncidentFilter = { limit: q.limit ?? 100 };
      if (q.status) filter.status = Array.isArray(q.status) ? q.status : [q.status];
      if (q.from) filter.from = q.from;
      if (q.to) filter.to = q.to;
      return deps.incidents.list(filter);
    },
  );

  app.get(
    '/api/incidents/:id',
    {
      config: { permission: 'incidents:read' },
      schema: {
        summary: 'One incident and its stills (sizes only)',
        tags: ['incidents'],
        params: IncidentParams,
        response: { 200: IncidentDetailSchema, 404: ErrorReply },
      },
    },
    async (request) => existing(request.params.id),
  );

  app.get(
    '/api/incidents/:id/events',
    {
      config: { permission: 'incidents:read' },
      schema: {
        summary: 'Live capture progress (server-sent events)',
        tags: ['capture'],
        params: IncidentParams,
        produces: ['text/event-stream'],
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      await existing(id);
      eventStream<IncidentProgress>(
        request,
        reply,
        undefined,
        (push) => deps.incidents.subscribe(id, push),
        'progress',
        (p) => p.done,
      );
    },
  );

  app.get(
    '/api/incidents/:id/stills/:stillId/faces',
    {
      config: { permission: 'review' },
      schema: {
        summary: 'Face boxes on a still, for choosing the subject (no pixels)',
        tags: ['review'],
        params: StillParams,
        response: {
          200: T.Object({
            width: T.Integer(),
            height: T.Integer(),
            faces: T.Array(T.Object({ index: T.Integer(), box: T.Array(T.Integer()) })),
          }),
        },
      },
    },
    async (request) => {
      const { id, stillId } = request.params;
      await existing(id);
      return deps.review.faces(id, stillId);
    },
  );

  app.get(
    '/api/incidents/:id/stills/:stillId/image',
    {
      config: { permission: 'images:view' },
      schema: {
        summary: 'A still, redacted with the current review draft applied',
        tags: ['review'],
        params: StillParams,
        querystring: Version,
        response: imageResponse,
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const { id, stillId } = request.params;
      await existing(id);
      const image = await deps.review.rendering(id, stillId, user.username);
      return sendImage(request, reply, image, id, { still: stillId, revealed: image.report.facesKept > 0 });
    },
  );

  app.get(
    '/api/incidents/:id/review',
    {
      config: { permission: 'review' },
      schema: {
        summary: 'The review draft',
        tags: ['review'],
        params: IncidentParams,
        response: { 200: ReviewDraftSchema },
      },
    },
    async (request) => {
      const { id } = request.params;
      await existing(id);
      return deps.review.draft(id);
    },
  );

  app.put(
    '/api/incidents/:id/review',
    {
      config: { permission: 'review' },
      schema: {
        summary: 'Save the review draft (subject, extra blur boxes, category, context stills)',
        tags: ['review'],
        params: IncidentParams,
        body: ReviewDraftSchema,
        response: { 200: ReviewDraftSchema, 400: ErrorReply },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const { id } = request.params;
      await existing(id);
      return deps.review.saveDraft(id, request.body, user.username);
    },
  );

  app.get(
    '/api/incidents/:id/preview',
    {
      config: { permission: 'review' },
      schema: {
        summary: 'Exactly what would leave the shop: packet fields and images',
        tags: ['review'],
        params: IncidentParams,
        response: { 200: Preview },
      },
    },
    async (request) => {
      const { id } = request.params;
      await existing(id);
      return deps.review.preview(id);
    },
  );

  app.get(
    '/api/incidents/:id/preview/checks',
    {
      config: { permission: 'review' },
      schema: {
        summary: 'Whether each outgoing image was searched again for faces after redaction (its certificate), in words',
        tags: ['review'],
        params: IncidentParams,
        response: { 200: PreviewChecks },
      },
    },
    async (request) => {
      const { id } = request.params;
      const incident = await existing(id);
      const w = requestWords(request);
      const images = (await deps.review.previewChecks(id)).map((c) => {
        // Context stills by their number on the page ("Still 3"), as the stills above the preview are labelled.
        const n = incident.stills.findIndex((s) => s.id === c.stillId) + 1;
        const image = c.role === 'subject-crop' ? w.t('verify.subject') : w.t('verify.context', { n });
        return { ...c, words: w.t('verify.image', { image, result: imageCheck(w, c.certificate) }) };
      });
      return { images };
    },
  );

  app.get(
    '/api/incidents/:id/preview/:index/image',
    {
      config: { permission: 'images:view' },
      schema: {
        summary: 'One image of the outgoing packet',
        tags: ['review'],
        params: T.Object({ id: IncidentParams.properties.id, index: T.Integer({ minimum: 0, maximum: 50 }) }),
        querystring: Version,
        response: imageResponse,
      },
    },
    async (request, reply) => {
      const { id, index } = request.params;
      await existing(id);
      const user = requireUser(request);
      const image = await deps.review.previewImage(id, index, { name: user.username, role: user.role });
      return sendImage(request, reply, image, id, { preview: index });
    },
  );

  app.post(
    '/api/incidents/:id/send',
    {
      config: { permission: 'review' },
      schema: {
        summary: 'Send to the partnership (or submit for manager approval when four-eyes is on)',
        tags: ['review'],
        params: IncidentParams,
        response: { 200: T.Object({ status: Status }), 400: ErrorReply, 409: ErrorReply },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const { id } = request.params;
      await existing(id);
      return deps.review.submit(id, user.username, { requireApproval: deps.fourEyes });
    },
  );

  app.post(
    '/api/incidents/:id/approve',
    {
      config: { permission: 'approve' },
      schema: {
        summary: 'Approve a send (manager)',
        tags: ['manager'],
        params: IncidentParams,
        response: { 200: T.Object({ status: Status }), 409: ErrorReply },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const { id } = request.params;
      await existing(id);
      return deps.approvals.approve(id, user.username);
    },
  );

  app.post(
    '/api/incidents/:id/reject',
    {
      config: { permission: 'approve' },
      schema: {
        summary: 'Reject a send (manager)',
        tags: ['manager'],
        params: IncidentParams,
        body: T.Object({ reason: T.String({ minLength: 1, maxLength: 280 }) }, { additionalProperties: false }),
        response: { 200: T.Object({ status: Status }), 409: ErrorReply },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const { id } = request.params;
      await existing(id);
      return deps.approvals.reject(id, user.username, request.body.reason);
    },
  );
}
