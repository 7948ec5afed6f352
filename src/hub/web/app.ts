// Builds the hub page's fastify instance (never listens: server.ts does; tests use inject()). The frame is the
// appliance's (src/web/app.ts buildBaseWebApp: headers, sessions, CSRF, rate-limited sign-in, errors); the routes
// are the hub's: the packet list, one packet, its images, each view audited in the hub's own chain first.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type as T } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { watermarkJpeg } from '../../adapters/imaging/watermark.js';
import { byteRange } from '../../core/byte-range.js';
import { AppError } from '../../core/errors.js';
import type { LoginThrottle } from '../../core/ports/accounts.js';
import type { Clock } from '../../core/ports/clock.js';
import { HUB_ROLES, type HubRole } from '../../core/ports/hub-store.js';
import type { Logger } from '../../observability/logger.js';
import { type BuildOptions, buildBaseWebApp } from '../../web/app.js';
import type { WebSessionStore } from '../../web/deps.js';
import { currentUser, HttpError, httpError, requireUser } from '../../web/plugins/auth.js';
import { requestWords } from '../../web/plugins/language.js';
import { authRoutes } from '../../web/routes/auth.js';
import { ErrorReply } from '../../web/schemas.js';
import type { HubAccounts } from '../hub-accounts.js';
import type { HubAudit } from '../hub-audit.js';
import type { HubGallery } from '../hub-gallery.js';
import { type HubPackets, type HubPacketView, HubPacketViewSchema } from '../hub-packets.js';
import type { HubSubjects } from '../hub-subjects.js';
import {
  galleryPage,
  type HubFrame,
  hubErrorPage,
  hubLoginPage,
  packetPage,
  packetsPage,
  subjectPage,
} from './views.js';

export interface HubWebDeps {
  /** Shown in the header: the partnership's name. */
  name: string;
  clock: Clock;
  log: Logger;
  accounts: HubAccounts;
  audit: HubAudit;
  packets: HubPackets;
  gallery: HubGallery;
  subjects: HubSubjects;
  throttle: LoginThrottle;
  sessionStore: WebSessionStore;
  sessionSecret: string;
  sessionHours: number;
  loginRateLimit?: { max: number; timeWindowMs: number };
}

const AUDIT_SUBJECT = 'hub-web';
/** Not the appliance's cookie name: a browser sends cookies by host whatever the port. */
export const HUB_SESSION_COOKIE = 'bcrp_hub_session';
const Id = T.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' });
const ImageName = T.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,59}\\.jpg$' });
const HubRoleSchema = T.Union(HUB_ROLES.map((r) => T.Literal(r)));

export function buildHubWebApp(deps: HubWebDeps, options: BuildOptions = {}): FastifyInstance {
  const frame = (request: FastifyRequest, csrfToken = ''): HubFrame => ({
    name: deps.name,
    user: currentUser(request),
    csrfToken,
    now: deps.clock.now(),
    w: requestWords(request),
    here: request.url,
  });
  const app = buildBaseWebApp({
    ...options,
    log: deps.log.child({ module: 'hub-web' }),
    auth: { ...deps, cookieName: HUB_SESSION_COOKIE },
    serverName: 'error.serverHub',
    errorPage: (request, csrfToken, title, message) => hubErrorPage(frame(request, csrfToken), title, message),
  });

  app.register(async (routes) => {
    await authRoutes(routes, {
      accounts: deps.accounts,
      throttle: deps.throttle,
      audit: deps.audit,
      auditSubject: AUDIT_SUBJECT,
      loginRateLimit: deps.loginRateLimit,
      homePage: () => '/packets',
      roleSchema: HubRoleSchema,
      loginPage: (o, w) => hubLoginPage(deps.name, o, w),
      loginCookieName: 'bcrp_hub_login',
    });
    await packetRoutes(routes, deps, frame);
  });
  return app;
}

type Frame = (request: FastifyRequest, csrfToken?: string) => HubFrame;

async function packetRoutes(instance: FastifyInstance, deps: HubWebDeps, frame: Frame): Promise<void> {
  // Request parts take their types from the route schemas.
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const role = (request: FastifyRequest) => requireUser(request).role as HubRole;
  /** Written before anything is sent: a view that cannot be recorded is not served. */
  const audit = (request: FastifyRequest, action: 'view' | 'view-denied', subject: string, details = {}) =>
    deps.audit.append({
      actor: requireUser(request).username,
      action,
      subject,
      details: { role: role(request), address: request.ip, ...details },
    });

  async function list(request: FastifyRequest): Promise<HubPacketView[]> {
    const packets = await deps.packets.list(role(request));
    await audit(request, 'view', 'hub:packets', { count: packets.length, packets: packets.map((p) => p.id) });
    return packets;
  }

  async function one(request: FastifyRequest, id: string): Promise<HubPacketView> {
    const p = await deps.packets.get(id, role(request));
    if (p === undefined || p === 'hidden') {
      await audit(request, 'view-denied', id, { reason: p === 'hidden' ? 'not-visible-to-role' : 'no-such-packet' });
      throw httpError(404, 'hub.error.noPacket');
    }
    await audit(request, 'view', id, { phase: p.phase });
    return p;
  }

  const SubjectRef = T.String({ pattern: '^S-[0-9a-z-]{1,40}$' });
  const Day = T.Union([T.Literal(''), T.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })]);
  app.get(
    '/gallery',
    {
      config: { signedIn: true },
      schema: {
        querystring: T.Object({
          from: T.Optional(Day),
          to: T.Optional(Day),
          site: T.Optional(T.String({ pattern: '^[a-z0-9-]{0,63}$' })),
          category: T.Optional(T.String({ pattern: '^[a-z-]{0,40}$' })),
        }),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const filter = {
        ...(q.from ? { from: q.from } : {}),
        ...(q.to ? { to: q.to } : {}),
        ...(q.site ? { site: q.site } : {}),
        ...(q.category ? { category: q.category } : {}),
      };
      const entries = await deps.gallery.list(role(request), filter);
      await audit(request, 'view', 'hub:gallery', {
        count: entries.length,
        subjects: entries.map((e) => e.ref),
        filter,
      });
      return reply
        .type('text/html')
        .header('cache-control', 'no-store')
        .send(galleryPage(frame(request, reply.generateCsrf()), entries, filter));
    },
  );

  app.get(
    '/subjects/:ref',
    { config: { signedIn: true }, schema: { params: T.Object({ ref: SubjectRef }) } },
    async (request, reply) => {
      const v = await deps.gallery.subject(role(request), request.params.ref);
      if (!v) {
        await audit(request, 'view-denied', request.params.ref, { reason: 'not-visible-to-role' });
        throw httpError(404, 'hub.error.noSubject');
      }
      await audit(request, 'view', request.params.ref, { packets: v.packetIds });
      // For administrators: every recorded view of this subject's page, its packets and their images.
      let views = null;
      if (role(request) === 'administrator') {
        const mine = new Set([v.ref, ...v.packetIds]);
        views = [];
        for (let after = 0; ; ) {
          const page = await deps.audit.entries(after, 5000);
          for (const e of page) if (e.action === 'view' && mine.has(e.subject.split('/')[0]!)) views.push(e);
          if (page.length < 5000) break;
          after = page.at(-1)!.seq;
        }
      }
      return reply
        .type('text/html')
        .header('cache-control', 'no-store')
        .send(subjectPage(frame(request, reply.generateCsrf()), v, views));
    },
  );

  // Collation from the packet page (administrators): create a subject from this report, link it to a subject, or
  // unlink it. Each change is audited by HubSubjects; a refusal is shown with its reason.
  app.post(
    '/packets/:id/subject',
    {
      config: { signedIn: true },
      schema: {
        params: T.Object({ id: Id }),
        body: T.Object({
          _csrf: T.Optional(T.String({ maxLength: 100 })),
          action: T.Union([T.Literal('create'), T.Literal('link'), T.Literal('unlink')]),
          ref: T.Optional(T.String({ maxLength: 60 })),
        }),
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const { id } = request.params;
      if (user.role !== 'administrator') {
        await audit(request, 'view-denied', id, { reason: 'subject-change-needs-administrator' });
        throw httpError(403, 'hub.error.adminOnly');
      }
      const { action, ref } = request.body;
      try {
        if (action === 'create') {
          const s = await deps.subjects.create(user.username, {}, [id]);
          return reply.redirect(`/subjects/${s.ref}`, 303);
        }
        if (!ref?.trim()) throw httpError(400, 'hub.error.giveRef');
        if (action === 'link') await deps.subjects.link(user.username, ref.trim(), id);
        else await deps.subjects.unlink(user.username, ref.trim(), id);
      } catch (e) {
        if (e instanceof AppError) throw new HttpError(409, e.message);
        throw e;
      }
      return reply.redirect(`/packets/${id}`, 303);
    },
  );

  app.get('/healthz', { schema: { response: { 200: T.Object({ ok: T.Boolean() }) } } }, async () => ({ ok: true }));

  app.get('/', { config: { signedIn: true } }, async (_request, reply) => reply.redirect('/packets', 303));

  app.get('/packets', { config: { signedIn: true } }, async (request, reply) => {
    const packets = await list(request);
    return reply
      .type('text/html')
      .header('cache-control', 'no-store')
      .send(packetsPage(frame(request, reply.generateCsrf()), packets));
  });

  app.get(
    '/packets/:id',
    { config: { signedIn: true }, schema: { params: T.Object({ id: Id }) } },
    async (request, reply) => {
      const p = await one(request, request.params.id);
      return reply
        .type('text/html')
        .header('cache-control', 'no-store')
        .send(packetPage(frame(request, reply.generateCsrf()), p));
    },
  );

  app.get(
    '/packets/:id/images/:name',
    { config: { signedIn: true }, schema: { params: T.Object({ id: Id, name: ImageName }) } },
    async (request, reply) => {
      const { id, name } = request.params;
      const image = await deps.packets.image(id, name, role(request));
      if (image === undefined || image === 'hidden') {
        await audit(request, 'view-denied', `${id}/${name}`, {
          reason: image === 'hidden' ? 'not-visible-to-role' : 'no-such-image',
        });
        throw httpError(404, 'hub.error.noPacket');
      }
      if (image === 'unverified') {
        await audit(request, 'view-denied', `${id}/${name}`, { reason: 'does-not-verify' });
        throw httpError(409, 'hub.error.unverified');
      }
      // Who looked and when, burned into the pixels: a leaked screenshot or download names its account.
      const user = requireUser(request).username;
      const at = deps.clock.now().toISOString().slice(0, 16).replace('T', ' ');
      const marked = await watermarkJpeg(image.bytes, `${user} · ${at} UTC`);
      await audit(request, 'view', `${id}/${name}`, { image: name, watermark: `${user} ${at}` });
      return reply
        .type(image.mime)
        .header('cache-control', 'private, no-store')
        .header('content-disposition', `inline; filename="${name}"`)
        .send(marked);
    },
  );

  app.get(
    '/packets/:id/clip',
    { config: { signedIn: true }, schema: { params: T.Object({ id: Id }) } },
    async (request, reply) => {
      const { id } = request.params;
      const clip = await deps.packets.clip(id, role(request));
      if (clip === undefined || clip === 'hidden') {
        await audit(request, 'view-denied', `${id}/clip.mp4`, {
          reason: clip === 'hidden' ? 'not-visible-to-role' : 'no-such-image',
        });
        throw httpError(404, 'hub.error.noPacket');
      }
      if (clip === 'unverified') {
        await audit(request, 'view-denied', `${id}/clip.mp4`, { reason: 'does-not-verify' });
        throw httpError(409, 'hub.error.clipUnverified');
      }
      // Ranges so the player can seek; one view is one fetch from the start. A video is not watermarked (that would
      // mean re-encoding it here); the view is audited with who and when like every image.
      const range = byteRange(request.headers.range, clip.bytes.length);
      if (range === 'unsatisfiable')
        return reply.code(416).header('content-range', `bytes */${clip.bytes.length}`).send();
      if (!range || range[0] === 0) await audit(request, 'view', `${id}/clip.mp4`, { clip: true });
      reply
        .type(clip.mime)
        .header('cache-control', 'private, no-store')
        .header('accept-ranges', 'bytes')
        .header('content-disposition', 'inline; filename="clip.mp4"');
      if (!range) return reply.send(clip.bytes);
      return reply
        .code(206)
        .header('content-range', `bytes ${range[0]}-${range[1]}/${clip.bytes.length}`)
        .send(clip.bytes.subarray(range[0], range[1] + 1));
    },
  );

  app.get(
    '/api/packets',
    {
      config: { signedIn: true },
      schema: {
        summary: 'The packets this user may see, newest first (audited)',
        response: { 200: T.Object({ packets: T.Array(HubPacketViewSchema) }) },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return { packets: await list(request) };
    },
  );

  app.get(
    '/api/packets/:id',
    {
      config: { signedIn: true },
      schema: {
        summary: 'One packet, when this user may see it (audited)',
        params: T.Object({ id: Id }),
        response: { 200: HubPacketViewSchema, 404: ErrorReply },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return one(request, request.params.id);
    },
  );
}
