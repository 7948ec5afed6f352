// Sessions (secure, HttpOnly, SameSite=Strict cookies kept in the store), CSRF on every state change, and the
// permission guard routes use. A route says what it needs with `config: { permission }`; routes without one are
// public (login, healthz, metrics with its own token). Shared by the appliance's web UI and the hub page.
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import session, { type SessionStore } from '@fastify/session';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ROLES, type Role } from '../../core/ports/accounts.js';
import type { HubRole } from '../../core/ports/hub-store.js';
import type { WebDeps, WebSessionStore } from '../deps.js';
import { type MessageKey, type Params, words } from '../i18n/i18n.js';
import { can, type Permission } from '../roles.js';
import { unencapsulated } from './unencapsulated.js';

export interface SessionUser {
  username: string;
  /** An appliance role, or a hub page role (the two apps never share a session store). */
  role: Role | HubRole;
  /** The language this user chose ("en", "cy"); absent until they choose. */
  lang?: string;
}

/** What the plugin needs: the appliance's WebDeps and the hub page's deps both provide it. */
export interface AuthOptions extends Pick<WebDeps, 'sessionSecret' | 'sessionHours'> {
  sessionStore: WebSessionStore;
  /** Default bcrp_session. Cookies ignore ports: apps on one host (the demo) need different names. */
  cookieName?: string;
  /** The account behind a session as it is now: undefined when removed. May be async (the hub's store is). */
  accounts: {
    get(
      username: string,
    ):
      | { role: string; disabledAt: string | null }
      | undefined
      | Promise<{ role: string; disabledAt: string | null } | undefined>;
  };
}

declare module 'fastify' {
  interface Session {
    user?: SessionUser;
    _csrf?: string;
  }
  interface FastifyContextConfig {
    /** What the caller must be allowed to do; absent means the route is public. */
    permission?: Permission;
    /** Any signed-in user (pages shared by all roles). */
    signedIn?: boolean;
    /** State-changing routes are CSRF-checked unless this is false (login only; see below). */
    csrf?: boolean;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * An error a user sees: its message is in English (logs, scripts), and `words` says which catalogue message to
 * show instead in the reader's language (the error handler does).
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly words?: { key: MessageKey; params?: Params },
  ) {
    super(message);
  }
}

/** An HttpError whose message comes from the catalogue. */
export function httpError(statusCode: number, key: MessageKey, params?: Params): HttpError {
  return new HttpError(statusCode, words('en').t(key, params), params ? { key, params } : { key });
}

export function currentUser(request: FastifyRequest): SessionUser | undefined {
  return request.session?.user;
}

export function requireUser(request: FastifyRequest): SessionUser {
  const user = currentUser(request);
  if (!user) throw httpError(401, 'error.signIn');
  return user;
}

/** The signed-in appliance user as the actor services check roles against (a hub session is never one). */
export function requireActor(request: FastifyRequest): { name: string; role: Role } {
  const user = requireUser(request);
  if (!(ROLES as readonly string[]).includes(user.role)) throw httpError(403, 'error.role');
  return { name: user.username, role: user.role as Role };
}

const isPage = (request: FastifyRequest) => !request.url.startsWith('/api/') && request.method === 'GET';

export const authPlugin = unencapsulated(async (app: FastifyInstance, deps: AuthOptions) => {
  await app.register(cookie);
  await app.register(session, {
    secret: deps.sessionSecret,
    cookieName: deps.cookieName ?? 'bcrp_session',
    // The store hands back what it was given; @fastify/session's type names its own Session class.
    store: deps.sessionStore as unknown as SessionStore,
    saveUninitialized: false,
    rolling: false,
    cookie: {
      secure: true,
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      maxAge: deps.sessionHours * 3600_000,
    },
  });
  await app.register(csrf, { sessionPlugin: '@fastify/session' });

  // preValidation, not preHandler: a caller without the right session or role is refused before its body is
  // validated, so it learns nothing of the route's schema (a 400 naming fields) and costs no validation work.
  app.addHook('preValidation', async (request: FastifyRequest, reply: FastifyReply) => {
    const config = request.routeOptions.config;
    let user = currentUser(request);
    // An account disabled (or removed) since sign-in loses its sessions at their next request.
    if (user) {
      const account = await deps.accounts.get(user.username);
      if (!account || account.disabledAt !== null || account.role !== user.role) {
        await request.session.destroy();
        user = undefined;
      }
    }
    if (config.permission || config.signedIn) {
      if (!user) {
        if (isPage(request)) {
          return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
        }
        throw httpError(401, 'error.signIn');
      }
      if (config.permission && !can(user.role, config.permission)) {
        throw httpError(403, 'error.role');
      }
    }
    return undefined;
  });
  // Login is exempt: it acts on no existing session, the cookie is SameSite=Strict, and a foreign Origin is
  // refused on it; scripts can then sign in with one POST.
  app.addHook('preValidation', (request, reply, done) => {
    if (SAFE_METHODS.has(request.method) || request.routeOptions.config.csrf === false) {
      done();
      return;
    }
    app.csrfProtection(request, reply, done);
  });
});
