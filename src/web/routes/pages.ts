// The pages. Data comes from the same ports as the API; each page is allowed by the same permission as the
// API it uses.

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type as T } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AUDIT_ACTIONS } from '../../core/audit-chain.js';
import { INCIDENT_STATUSES } from '../../core/incident.js';
import type { IncidentFilter } from '../../core/ports/incident-service.js';
import type { WebDeps } from '../deps.js';
import { HttpError, requireUser } from '../plugins/auth.js';
import { homePage } from '../roles.js';
import { IncidentParams } from '../schemas.js';
import { auditorPage, capturePage, incidentsPage, installerPage, managerPage, reviewPage } from '../views/pages.js';
import { timelineQuery } from './auditor.js';

export async function pageRoutes(instance: FastifyInstance, deps: WebDeps): Promise<void> {
  // Request parts take their types from the route schemas.
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  async function common(request: FastifyRequest, reply: FastifyReply) {
    let status: Awaited<ReturnType<typeof deps.status.status>> | undefined;
    try {
      status = await deps.status.status();
    } catch (e) {
      request.log.warn({ err: e }, 'status unavailable for the page header');
    }
    return {
      site: deps.site,
      user: requireUser(request),
      csrfToken: reply.generateCsrf(),
      status,
      now: deps.clock.now(),
    };
  }
  const htmlReply = (reply: FastifyReply, body: string) =>
    reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
  const hide = { hide: true };

  app.get('/', { config: { signedIn: true }, schema: hide }, async (request, reply) =>
    reply.redirect(homePage(requireUser(request).role), 303),
  );

  app.get('/capture', { config: { permission: 'incidents:capture' }, schema: hide }, async (request, reply) =>
    htmlReply(reply, capturePage(await common(request, reply), await deps.incidents.cameras())),
  );

  // Without JavaScript the capture form posts here and lands on the incident's page.
  app.post(
    '/capture',
    {
      config: { permission: 'incidents:capture' },
      schema: {
        ...hide,
        body: T.Object({
          camera: T.Integer({ minimum: 1, maximum: 256 }),
          minutesAgo: T.Optional(T.Integer({ minimum: 0, maximum: 1440 })),
          _csrf: T.Optional(T.String()),
        }),
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const body = request.body;
      const cameras = await deps.incidents.cameras();
      if (!cameras.some((c) => c.id === body.camera && c.enabled))
        throw new HttpError(400, 'That camera is not offered.');
      const at = new Date(deps.clock.now().getTime() - (body.minutesAgo ?? 0) * 60_000);
      const incident = await deps.incidents.trigger({ camera: body.camera, at, source: 'web', actor: user.username });
      deps.metrics.captures.inc({ source: 'web' });
      return reply.redirect(`/incidents/${incident.id}`, 303);
    },
  );

  app.get(
    '/incidents',
    {
      config: { permission: 'incidents:read' },
      schema: {
        ...hide,
        querystring: T.Object({
          status: T.Optional(T.Union([T.Literal(''), ...INCIDENT_STATUSES.map((s) => T.Literal(s))])),
          from: T.Optional(T.Union([T.Literal(''), T.String({ format: 'date' })])),
          to: T.Optional(T.Union([T.Literal(''), T.String({ format: 'date' })])),
        }),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const filter: IncidentFilter = { limit: 200 };
      if (q.status) filter.status = [q.status];
      if (q.from) filter.from = `${q.from}T00:00:00.000Z`;
      if (q.to) filter.to = new Date(new Date(`${q.to}T00:00:00.000Z`).getTime() + 86400_000).toISOString();
      const [list, cameras] = await Promise.all([deps.incidents.list(filter), deps.incidents.cameras()]);
      return htmlReply(
        reply,
        incidentsPage(await common(request, reply), list, { status: q.status, from: q.from, to: q.to }, cameras),
      );
    },
  );

  app.get(
    '/incidents/:id',
    { config: { permission: 'incidents:read' }, schema: { ...hide, params: IncidentParams } },
    async (request, reply) => {
      const { id } = request.params;
      const incident = await deps.incidents.get(id);
      if (!incident) throw new HttpError(404, 'There is no such incident.');
      const cameras = await deps.incidents.cameras();
      const draft = await deps.review.draft(id);
      return htmlReply(
        reply,
        reviewPage(await common(request, reply), incident, draft, {
          fourEyes: deps.fourEyes,
          cameraName: cameras.find((c) => c.id === incident.camera)?.name ?? `camera ${incident.camera}`,
        }),
      );
    },
  );

  const MANAGER_PAGE_SIZE = 20;
  app.get(
    '/manager',
    {
      config: { permission: 'approve' },
      schema: {
        ...hide,
        querystring: T.Object({
          camera: T.Optional(T.Union([T.Literal(''), T.Integer({ minimum: 1, maximum: 256 })])),
          from: T.Optional(T.Union([T.Literal(''), T.String({ format: 'date' })])),
          to: T.Optional(T.Union([T.Literal(''), T.String({ format: 'date' })])),
          page: T.Optional(T.Integer({ minimum: 1, maximum: 1000 })),
        }),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const filter: IncidentFilter = { limit: 1000 };
      if (q.from) filter.from = `${q.from}T00:00:00.000Z`;
      if (q.to) filter.to = new Date(new Date(`${q.to}T00:00:00.000Z`).getTime() + 86400_000).toISOString();
      const camera = typeof q.camera === 'number' ? q.camera : undefined;
      const [pending, holds, recent, matching, cameras] = await Promise.all([
        deps.approvals.pending(),
        deps.holds.list(),
        deps.incidents.list({ limit: 50 }),
        deps.incidents.list(filter),
        deps.incidents.cameras(),
      ]);
      // The store filters by time; the camera and the page are cut here (an appliance holds weeks, not years).
      const all = camera ? matching.filter((i) => i.camera === camera) : matching;
      const pages = Math.max(1, Math.ceil(all.length / MANAGER_PAGE_SIZE));
      const pageNo = Math.min(q.page ?? 1, pages);
      const rows = all.slice((pageNo - 1) * MANAGER_PAGE_SIZE, pageNo * MANAGER_PAGE_SIZE);
      return htmlReply(
        reply,
        managerPage(await common(request, reply), {
          pending,
          holds,
          recent,
          rows,
          cameras,
          view: { camera, from: q.from || undefined, to: q.to || undefined, page: pageNo, pages, total: all.length },
        }),
      );
    },
  );

  app.get('/installer', { config: { permission: 'installer' }, schema: hide }, async (request, reply) => {
    const [cameras, certificates, checks] = await Promise.all([
      deps.incidents.cameras(),
      deps.installer.certificates(),
      deps.installer.validateConfig(),
    ]);
    return htmlReply(reply, installerPage(await common(request, reply), cameras, certificates, checks));
  });

  app.get(
    '/auditor',
    {
      config: { permission: 'audit:read' },
      schema: {
        ...hide,
        querystring: T.Object({
          action: T.Optional(T.Union([T.Literal(''), T.String({ pattern: '^[a-z-]{1,40}$' })])),
        }),
      },
    },
    async (request, reply) => {
      const action = request.query.action || undefined;
      const q: { action?: string; limit: number } = { limit: 100 };
      if (action) q.action = action;
      return htmlReply(
        reply,
        auditorPage(await common(request, reply), {
          timeline: deps.auditQueries.timeline(timelineQuery(q)),
          retention: deps.auditQueries.retention(50),
          holds: await deps.holds.list(),
          action,
          actions: AUDIT_ACTIONS,
        }),
      );
    },
  );
}
