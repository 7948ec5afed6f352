// The pages. Data comes from the same ports as the API; each page is allowed by the same permission as the
// API it uses.

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type as T } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AUDIT_ACTIONS } from '../../core/audit-chain.js';
import { INCIDENT_STATUSES } from '../../core/incident.js';
import type { IncidentFilter, IncidentSummary } from '../../core/ports/incident-service.js';
import type { WebDeps } from '../deps.js';
import { httpError, requireUser } from '../plugins/auth.js';
import { requestWords } from '../plugins/language.js';
import { can, homePage } from '../roles.js';
import { IncidentParams } from '../schemas.js';
import { masterSection } from '../views/evidence.js';
import { auditorPage, capturePage, incidentsPage, installerPage, managerPage, reviewPage } from '../views/pages.js';
import { timelineQuery } from './auditor.js';

/** A day in a filter: day/month/year as people write it (2/7/2026), or ISO (2026-07-02) from older links. */
const DayQuery = T.Union([
  T.Literal(''),
  T.String({ maxLength: 10, pattern: '^(\\d{1,2}/\\d{1,2}/\\d{4}|\\d{4}-\\d{2}-\\d{2})$' }),
]);

/** The instant a UK day starts (midnight Europe/London, GMT or BST), from "d/m/yyyy" or "yyyy-mm-dd". */
export function ukDayStart(day: string): Date {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(day) ?? /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) throw httpError(400, 'error.date');
  const [y, mo, d] = day.includes('/') ? [m[3], m[2], m[1]] : [m[1], m[2], m[3]];
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d));
  const check = new Date(utc);
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1) throw httpError(400, 'error.date');
  // London is UTC or UTC+1: the offset at UTC midnight is the offset at local midnight except on the two change
  // days, where it is right within the hour either way (changes happen at 01:00 UTC).
  const hour = Number(
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', hourCycle: 'h23' }).format(check),
  );
  return new Date(utc - hour * 3600_000);
}

function dayRange(from: string | undefined, to: string | undefined): { from?: string; to?: string } {
  const r: { from?: string; to?: string } = {};
  if (from) r.from = ukDayStart(from).toISOString();
  if (to) r.to = nextDayStart(to);
  return r;
}

function nextDayStart(day: string): string {
  const start = ukDayStart(day);
  // The next UK midnight: 24 h later, corrected by the hour gained or lost when the clocks change.
  const next = new Date(start.getTime() + 24 * 3600_000);
  const shift = Number(
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', hourCycle: 'h23' }).format(next),
  );
  return new Date(next.getTime() - (shift > 12 ? shift - 24 : shift) * 3600_000).toISOString();
}

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
      w: requestWords(request),
      here: request.url,
    };
  }
  const htmlReply = (reply: FastifyReply, body: string) =>
    reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
  const hide = { hide: true };

  /** Camera and trigger time of incidents named by id (those still stored), for tables of holds. */
  async function incidentSummaries(ids: string[]): Promise<Pick<IncidentSummary, 'id' | 'camera' | 'triggerTime'>[]> {
    const found = await Promise.all([...new Set(ids)].slice(0, 100).map((id) => deps.incidents.get(id)));
    return found.filter((i) => i !== undefined);
  }

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
      if (!cameras.some((c) => c.id === body.camera && c.enabled)) throw httpError(400, 'error.cameraNotOffered');
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
          from: T.Optional(DayQuery),
          to: T.Optional(DayQuery),
        }),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const filter: IncidentFilter = { limit: 200, ...dayRange(q.from, q.to) };
      if (q.status) filter.status = [q.status];
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
      if (!incident) throw httpError(404, 'error.noIncident');
      const cameras = await deps.incidents.cameras();
      const draft = await deps.review.draft(id);
      const c = await common(request, reply);
      const master = deps.masters?.status(id);
      return htmlReply(
        reply,
        reviewPage(c, incident, draft, {
          fourEyes: deps.fourEyes,
          cameraName: cameras.find((cam) => cam.id === incident.camera)?.name ?? `camera ${incident.camera}`,
          clips: Boolean(deps.clips),
          ...(master
            ? {
                master: masterSection(c.w, master, {
                  canExport: can(c.user.role, 'police:export'),
                  held: incident.held,
                  exports: deps.policeExports !== undefined,
                }),
              }
            : {}),
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
          from: T.Optional(DayQuery),
          to: T.Optional(DayQuery),
          page: T.Optional(T.Integer({ minimum: 1, maximum: 1000 })),
          hpage: T.Optional(T.Integer({ minimum: 1, maximum: 1000 })),
          released: T.Optional(T.Union([T.Literal(''), T.Literal('yes')])),
        }),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const filter: IncidentFilter = { limit: 1000, ...dayRange(q.from, q.to) };
      const camera = typeof q.camera === 'number' ? q.camera : undefined;
      const [pending, allHolds, recent, matching, cameras] = await Promise.all([
        deps.approvals.pending(),
        deps.holds.list({ activeOnly: q.released !== 'yes' }),
        deps.incidents.list({ limit: 50 }),
        deps.incidents.list(filter),
        deps.incidents.cameras(),
      ]);
      // The store filters by time; the camera and the page are cut here (an appliance holds weeks, not years).
      const all = camera ? matching.filter((i) => i.camera === camera) : matching;
      const pages = Math.max(1, Math.ceil(all.length / MANAGER_PAGE_SIZE));
      const pageNo = Math.min(q.page ?? 1, pages);
      const rows = all.slice((pageNo - 1) * MANAGER_PAGE_SIZE, pageNo * MANAGER_PAGE_SIZE);
      const holdPages = Math.max(1, Math.ceil(allHolds.length / MANAGER_PAGE_SIZE));
      const holdPage = Math.min(q.hpage ?? 1, holdPages);
      const holds = allHolds.slice((holdPage - 1) * MANAGER_PAGE_SIZE, holdPage * MANAGER_PAGE_SIZE);
      // Holds outlive the recent list: name each held incident by its own camera and time.
      const known = new Set([...recent, ...matching].map((i) => i.id));
      const held = await incidentSummaries(holds.map((h) => h.incidentId).filter((id) => !known.has(id)));
      return htmlReply(
        reply,
        managerPage(await common(request, reply), {
          pending,
          holds,
          holdView: { released: q.released === 'yes', page: holdPage, pages: holdPages, total: allHolds.length },
          recent,
          held,
          rows,
          cameras,
          policeExport: deps.policeExports !== undefined,
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
      const holds = deps.holds.list();
      const timeline = deps.auditQueries.timeline(timelineQuery(q));
      const retention = deps.auditQueries.retention(50);
      const c = await common(request, reply);
      // Incidents named by camera and time wherever the log or the holds refer to one, not by a bare id.
      const isId = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(s);
      const referred = [...timeline, ...retention].flatMap((e) =>
        [e.subject, e.details['incidentId']].filter((x): x is string => typeof x === 'string' && isId(x)),
      );
      const [summaries, cameras] = await Promise.all([
        incidentSummaries([...holds.map((h) => h.incidentId), ...referred]),
        deps.incidents.cameras(),
      ]);
      const camName = (id: number) => cameras.find((x) => x.id === id)?.name ?? c.w.t('common.cameraN', { n: id });
      const incidentNames = new Map(
        summaries.map((i) => [
          i.id,
          c.w.t('manager.incidentShort', { camera: camName(i.camera), time: c.w.time(i.triggerTime) }),
        ]),
      );
      return htmlReply(
        reply,
        auditorPage(c, {
          timeline,
          retention,
          holds,
          incidentNames,
          action,
          actions: AUDIT_ACTIONS,
        }),
      );
    },
  );
}
