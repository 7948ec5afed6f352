// Builds the web UI's fastify instance from its ports. Never listens (server.ts does), so tests drive it with
// inject(). Security headers, sessions, CSRF, login rate limit, OpenAPI at /docs, static assets, JSON errors; the
// frame without the appliance's routes (buildBaseWebApp) is what the hub page is built on too.
import { fileURLToPath } from 'node:url';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { isAppError } from '../core/errors.js';
import type { LanguageChoices } from '../core/ports/accounts.js';
import { scrubCredentials } from '../core/secrets.js';
import type { Logger } from '../observability/logger.js';
import type { WebDeps } from './deps.js';
import type { Words } from './i18n/i18n.js';
import { type AuthOptions, authPlugin, currentUser, HttpError } from './plugins/auth.js';
import { languageRoutes, requestWords } from './plugins/language.js';
import { auditorRoutes } from './routes/auditor.js';
import { applianceLogin, authRoutes } from './routes/auth.js';
import { clipRoutes } from './routes/clips.js';
import { evidenceRoutes } from './routes/evidence.js';
import { incidentRoutes } from './routes/incidents.js';
import { installerRoutes } from './routes/installer.js';
import { managerRoutes } from './routes/manager.js';
import { opsRoutes } from './routes/ops.js';
import { pageRoutes } from './routes/pages.js';
import { errorPage } from './views/pages.js';

/** Static files (CSS, page scripts): the same relative place from src/web and dist/web. */
export const ASSETS_DIR = fileURLToPath(new URL('../../src/web/static/', import.meta.url));

const APP_ERROR_STATUS: Record<string, number> = {
  'not-found': 404,
  conflict: 409,
  forbidden: 403,
  'no-such-incident': 404,
  'no-such-hold': 404,
  'hold-not-active': 409,
};

export interface BuildOptions {
  /** TLS certificate and key when the instance will listen (server.ts); absent for inject() in tests. */
  https?: { cert: Buffer | string; key: Buffer | string };
}

/** What the frame shared by the appliance's web UI and the hub page needs. */
export interface BaseAppOptions extends BuildOptions {
  log: Logger;
  auth: AuthOptions;
  /** Names the server in the generic error message ("the appliance", "the hub"). */
  serverName: 'error.serverAppliance' | 'error.serverHub';
  /** The HTML error page, in the app's own frame; `csrfToken` is for its sign-out form ('' when signed out). */
  errorPage(request: FastifyRequest, csrfToken: string, title: string, message: string, w: Words): string;
  /** Each account's chosen language (the appliance); without it the choice lives in the session and a cookie. */
  languages?: LanguageChoices | undefined;
}

/**
 * The frame both web apps share: security headers (CSP without inline code), form bodies, the login rate limit,
 * sessions + CSRF + the permission guard, the static assets, and plain errors (HTML for pages, JSON for the API).
 */
export function buildBaseWebApp(o: BaseAppOptions): FastifyInstance {
  // fastify's types split HTTP and HTTPS instances; both are used only through the common FastifyInstance API.
  const app = Fastify({
    ...(o.https ? { https: o.https } : {}),
    loggerInstance: o.log,
    // Per-request lines would repeat what the audit chain and metrics already hold.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 256 * 1024,
    trustProxy: false,
    // Open event streams must not hold up a shutdown.
    forceCloseConnections: true,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
  });

  app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // same-origin, not no-referrer: nothing leaves for another site either way, but under no-referrer Chromium
    // sends `Origin: null` on our own form posts, and the sign-in refuses a null Origin as foreign.
    referrerPolicy: { policy: 'same-origin' },
    strictTransportSecurity: { maxAge: 31536000, includeSubDomains: false },
    crossOriginEmbedderPolicy: false,
  });
  app.register(formbody);
  app.register(rateLimit, { global: false });
  app.register(authPlugin, o.auth);
  app.register(async (routes) => languageRoutes(routes, { choices: o.languages }));
  app.register(fastifyStatic, {
    root: ASSETS_DIR,
    prefix: '/assets/',
    index: false,
    list: false,
    cacheControl: true,
    maxAge: 300_000,
  });

  // A signed-in user's error page carries a fresh CSRF token, or its "Sign out" form would itself be refused
  // (the 403 page on a shared till tablet). Nobody signed in: no token, so no session is stored for them.
  const pageToken = (request: FastifyRequest, reply: FastifyReply) =>
    currentUser(request) ? reply.generateCsrf() : '';

  // Browsers ask for it on every first visit; a 404 each time clutters the network panel and the metrics.
  app.get('/favicon.ico', { schema: { hide: true } }, (_request, reply) =>
    reply.header('cache-control', 'public, max-age=86400').sendFile('favicon.ico'),
  );

  app.setNotFoundHandler((request, reply) => {
    const w = requestWords(request);
    const message = w.t('error.noPage');
    if (wantsHtml(request))
      return reply
        .code(404)
        .type('text/html')
        .send(o.errorPage(request, pageToken(request, reply), w.t('error.notFoundTitle'), message, w));
    return reply.code(404).send({ error: message });
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const w = requestWords(request);
    const { status, message } = describe(error, w, o.serverName);
    if (status >= 500) request.log.error({ err: error, url: request.url }, 'request failed');
    if (wantsHtml(request)) {
      const title = status === 403 ? w.t('error.notAllowedTitle') : w.t('error.title');
      return reply
        .code(status)
        .type('text/html')
        .send(o.errorPage(request, pageToken(request, reply), title, message, w));
    }
    return reply.code(status).send({ error: message });
  });

  return app as unknown as FastifyInstance;
}

export function buildWebApp(deps: WebDeps, options: BuildOptions = {}): FastifyInstance {
  const app = buildBaseWebApp({
    ...options,
    log: deps.log.child({ module: 'web' }),
    auth: deps,
    serverName: 'error.serverAppliance',
    languages: deps.languages,
    errorPage: (request, csrfToken, title, message, w) =>
      errorPage(deps.site, currentUser(request), csrfToken, title, message, w, request.url),
  });
  app.register(swagger, {
    openapi: {
      info: {
        title: 'BCRP Edge appliance API',
        version: '1',
        description:
          'The JSON API behind the web UI. Sign in with POST /api/login; send the csrfToken it returns in a csrf-token header on every POST, PUT and DELETE.',
      },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'bcrp_session' } } },
      security: [{ session: [] }],
    },
  });
  app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: false,
    uiHooks: {
      onRequest: async (request: FastifyRequest, reply: FastifyReply) => {
        if (!currentUser(request)) return reply.redirect('/login?next=/docs', 303);
        return undefined;
      },
    },
  });
  app.register(async (routes) => {
    await authRoutes(routes, applianceLogin(deps));
    await opsRoutes(routes, deps);
    await incidentRoutes(routes, deps);
    if (deps.clips) await clipRoutes(routes, deps, deps.clips);
    if (deps.masters || deps.policeExports) await evidenceRoutes(routes, deps, deps.masters, deps.policeExports);
    await managerRoutes(routes, deps);
    await installerRoutes(routes, deps);
    await auditorRoutes(routes, deps);
    await pageRoutes(routes, deps);
  });

  // Belt and braces for "auditors never receive image bytes": whatever a route does, an image response to an
  // auditor is replaced by a refusal.
  app.addHook('onSend', async (request, reply, payload) => {
    const type = String(reply.getHeader('content-type') ?? '');
    if (
      (type.startsWith('image/') || type.startsWith('video/')) &&
      request.url.startsWith('/api/') &&
      currentUser(request)?.role === 'auditor'
    ) {
      reply.code(403).type('application/json');
      return JSON.stringify({ error: requestWords(request).t('error.noImagesForAuditors') });
    }
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.httpRequests.inc({
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    });
  });

  return app;
}

/** Pages, and forms posted from them (sign-out, capture without JavaScript): never raw JSON in the browser. */
function wantsHtml(request: FastifyRequest): boolean {
  if (request.url.startsWith('/api/') || request.url.startsWith('/assets/')) return false;
  return request.method === 'GET' || String(request.headers.accept ?? '').includes('text/html');
}

/** The field a schema error is about, for a message that names it in the reader's words. */
function invalidField(error: FastifyError): string | undefined {
  const v = error.validation?.[0];
  if (!v) return undefined;
  const missing = (v.params as { missingProperty?: unknown } | undefined)?.missingProperty;
  if (typeof missing === 'string') return missing;
  return v.instancePath
    .split('/')
    .filter((p) => p && !/^\d+$/.test(p))
    .pop();
}

function describe(
  error: FastifyError,
  w: Words,
  serverName: 'error.serverAppliance' | 'error.serverHub',
): { status: number; message: string } {
  if (error instanceof HttpError) {
    return {
      status: error.statusCode,
      message: error.words ? w.t(error.words.key, error.words.params) : error.message,
    };
  }
  if (error.validation) {
    // Never the schema's own words ("body/incidentIds must NOT have fewer than 1 items"): what to fix, in words.
    const field = invalidField(error);
    if (field === 'incidentIds') return { status: 400, message: w.t('error.tickIncident') };
    if (field === 'from' || field === 'to' || field === 'expiresAt') return { status: 400, message: w.t('error.date') };
    const label = field ? w.maybe(`field.${field}`) : undefined;
    return { status: 400, message: label ? w.t('error.invalidField', { field: label }) : w.t('error.invalid') };
  }
  if (error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET') {
    return { status: 403, message: w.t('error.expired') };
  }
  if (isAppError(error)) {
    return { status: APP_ERROR_STATUS[error.code] ?? 400, message: scrubCredentials(error.message) };
  }
  const status = error.statusCode ?? 500;
  if (status === 429) return { status, message: w.t('error.tooMany') };
  if (status >= 400 && status < 500) return { status, message: scrubCredentials(error.message) };
  return { status: 500, message: w.t('error.server', { server: w.t(serverName) }) };
}
