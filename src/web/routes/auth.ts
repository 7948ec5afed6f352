// Sign-in and sign-out, for the login form and for scripts (POST /api/login). Failed attempts are throttled per
// user name and per address with a growing lockout, and the whole route is rate-limited per address. The same
// routes serve the appliance and the hub page: each passes its accounts, audit and pages as LoginDeps.
// Nothing here stores a session before sign-in: the login form's CSRF check is a double-submit cookie, so an
// anonymous caller cannot fill the session table by asking for the sign-in page.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type as T, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditEvent } from '../../core/audit-chain.js';
import type { LoginThrottle } from '../../core/ports/accounts.js';
import type { WebDeps } from '../deps.js';
import type { Words } from '../i18n/i18n.js';
import { HttpError, httpError, type SessionUser } from '../plugins/auth.js';
import { requestWords } from '../plugins/language.js';
import { homePage } from '../roles.js';
import { ErrorReply, RoleSchema } from '../schemas.js';
import { loginPage } from '../views/pages.js';

export interface LoginDeps {
  accounts: {
    /** The account, when the name and password match an enabled account. */
    authenticate(username: string, password: string): Promise<SessionUser | undefined>;
    /** Whether the name exists (unknown names are not written to the audit log: they may be a password). */
    get(username: string): unknown;
  };
  throttle: LoginThrottle;
  /** Appends to the app's audit chain; awaited, so an async (hub store) chain works too. */
  audit: { append(event: AuditEvent): unknown };
  /** What the audit entries name as their subject ("web", "hub-web"). */
  auditSubject: string;
  loginRateLimit?: { max: number; timeWindowMs: number } | undefined;
  onLoginFailure?(): void;
  homePage(role: SessionUser['role']): string;
  roleSchema: TSchema;
  loginPage(o: { next?: string | undefined; error?: string; username?: string; csrfToken: string }, w: Words): string;
  /** The language an account chose before, restored at sign-in (a shared tablet shows each person theirs). */
  languageOf?(username: string): string | undefined;
  /** The login form's double-submit cookie; apps on one host (the demo) need different names. */
  loginCookieName?: string;
}

/** The appliance's web UI's sign-in. */
export function applianceLogin(deps: WebDeps): LoginDeps {
  return {
    accounts: deps.accounts,
    throttle: deps.throttle,
    audit: deps.audit,
    auditSubject: 'web',
    loginRateLimit: deps.loginRateLimit,
    onLoginFailure: () => deps.metrics.loginFailures.inc(),
    homePage,
    roleSchema: RoleSchema,
    loginPage: (o, w) => loginPage(deps, o, { w }),
    ...(deps.languages ? { languageOf: (u: string) => deps.languages?.get(u) } : {}),
  };
}

const Credentials = T.Object(
  {
    username: T.String({ minLength: 1, maxLength: 64 }),
    password: T.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);
const LoginForm = T.Object({
  username: T.String({ maxLength: 64 }),
  password: T.String({ maxLength: 256 }),
  next: T.Optional(T.String({ maxLength: 500 })),
  _csrf: T.Optional(T.String({ maxLength: 100 })),
});
const LoginQuery = T.Object({ next: T.Optional(T.String({ maxLength: 500 })) });

const LOGIN_TOKEN_MINUTES = 60;

function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** Only same-site paths are followed after sign-in. */
function safeNext(next: string | undefined): string | undefined {
  return next && /^\/(?!\/)[\w\-/?=&%.]*$/.test(next) ? next : undefined;
}

export async function authRoutes(instance: FastifyInstance, deps: LoginDeps): Promise<void> {
  // Request parts take their types from the route schemas.
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const rateLimit = {
    max: deps.loginRateLimit?.max ?? 20,
    timeWindow: deps.loginRateLimit?.timeWindowMs ?? 60_000,
  };
  // The sign-in page and the session probe cost a render each; a page reload a second is plenty for a person.
  const pageRateLimit = { max: Math.max(60, rateLimit.max * 3), timeWindow: rateLimit.timeWindow };
  const loginCookie = deps.loginCookieName ?? 'bcrp_login';

  // `Origin: null` comes from sandboxed frames, data: pages and some redirects: nothing of ours, so foreign.
  function refuseForeignOrigin(request: FastifyRequest): void {
    const origin = request.headers.origin;
    if (origin === undefined) return;
    let host: string | undefined;
    try {
      host = origin === 'null' ? undefined : new URL(origin).host;
    } catch {
      host = undefined;
    }
    if (!host || host !== request.headers.host) throw httpError(403, 'error.loginOrigin');
  }

  /** A fresh token for the sign-in form, kept in a short-lived cookie scoped to /login instead of a session. */
  function loginToken(reply: FastifyReply): string {
    const token = randomBytes(24).toString('base64url');
    reply.setCookie(loginCookie, token, {
      path: '/login',
      httpOnly: true,
      secure: true,
      sameSite: 'strict',
      maxAge: LOGIN_TOKEN_MINUTES * 60,
    });
    return token;
  }

  /** Checks the throttle and the password; audits the outcome. Throws 401/429 with a plain message. */
  async function attempt(request: FastifyRequest, reply: FastifyReply, username: string, password: string) {
    // A mistyped password in the name field must not land in the audit log: unknown names are not recorded.
    const actor = (await deps.accounts.get(username)) ? username : '(unknown user)';
    const keys = [`user:${username.toLowerCase()}`, `ip:${request.ip}`];
    const waitMs = Math.max(...keys.map((k) => deps.throttle.retryAfterMs(k)));
    if (waitMs > 0) {
      await deps.audit.append({
        actor,
        action: 'login-failed',
        subject: deps.auditSubject,
        details: { reason: 'locked', address: request.ip },
      });
      reply.header('retry-after', String(Math.ceil(waitMs / 1000)));
      throw httpError(429, 'error.loginLocked', { n: Math.ceil(waitMs / 1000) });
    }
    const account = await deps.accounts.authenticate(username, password);
    if (!account) {
      let lockedMs = 0;
      for (const k of keys) lockedMs = Math.max(lockedMs, deps.throttle.failed(k).lockedMs);
      deps.onLoginFailure?.();
      await deps.audit.append({
        actor,
        action: 'login-failed',
        subject: deps.auditSubject,
        details: { reason: 'wrong-credentials', address: request.ip, lockedSeconds: Math.ceil(lockedMs / 1000) },
      });
      throw httpError(401, 'error.loginWrong');
    }
    for (const k of keys) deps.throttle.succeeded(k);
    // A new session id at sign-in, so a session planted before it cannot be taken over.
    await request.session.regenerate();
    const lang = deps.languageOf?.(account.username);
    request.session.user = { username: account.username, role: account.role, ...(lang ? { lang } : {}) };
    await deps.audit.append({
      actor: account.username,
      action: 'login',
      subject: deps.auditSubject,
      details: { role: account.role, address: request.ip },
    });
    return account;
  }

  const signedIn = (account: SessionUser, reply: FastifyReply) => ({
    username: account.username,
    role: account.role,
    home: deps.homePage(account.role),
    csrfToken: reply.generateCsrf(),
  });

  app.post(
    '/api/login',
    {
      config: { csrf: false, rateLimit },
      schema: {
        summary: 'Sign in',
        tags: ['session'],
        body: Credentials,
        response: {
          200: T.Object({ username: T.String(), role: deps.roleSchema, home: T.String(), csrfToken: T.String() }),
          401: ErrorReply,
          429: ErrorReply,
        },
      },
    },
    async (request, reply) => {
      refuseForeignOrigin(request);
      const { username, password } = request.body;
      const account = await attempt(request, reply, username, password);
      return signedIn(account, reply);
    },
  );

  app.get(
    '/api/session',
    {
      schema: {
        summary: 'Who is signed in, and a CSRF token for state-changing requests',
        tags: ['session'],
        response: {
          200: T.Object({
            username: T.Union([T.String(), T.Null()]),
            role: T.Union([deps.roleSchema, T.Null()]),
            csrfToken: T.Union([T.String(), T.Null()], {
              description: 'Null until signed in: POST /api/login needs none and returns one.',
            }),
          }),
        },
      },
      config: { rateLimit: pageRateLimit },
    },
    async (request, reply) => {
      const user = request.session.user;
      // No token (and so no stored session) for a caller who is not signed in.
      return {
        username: user?.username ?? null,
        role: user?.role ?? null,
        csrfToken: user ? reply.generateCsrf() : null,
      };
    },
  );

  app.post(
    '/api/logout',
    {
      config: { signedIn: true },
      schema: { summary: 'Sign out', tags: ['session'], response: { 200: T.Object({ ok: T.Boolean() }) } },
    },
    async (request) => {
      const user = request.session.user;
      if (user)
        await deps.audit.append({ actor: user.username, action: 'logout', subject: deps.auditSubject, details: {} });
      await request.session.destroy();
      return { ok: true };
    },
  );

  // The HTML form versions, so signing in works without JavaScript.
  app.get(
    '/login',
    { config: { rateLimit: pageRateLimit }, schema: { hide: true, querystring: LoginQuery } },
    async (request, reply) => {
      const user = request.session.user;
      if (user) return reply.redirect(deps.homePage(user.role), 303);
      const next = safeNext(request.query.next);
      return reply
        .type('text/html')
        .send(deps.loginPage({ next, csrfToken: loginToken(reply) }, requestWords(request)));
    },
  );

  app.post(
    '/login',
    { config: { csrf: false, rateLimit }, schema: { hide: true, body: LoginForm } },
    async (request, reply) => {
      const form = request.body;
      const next = safeNext(form.next);
      try {
        refuseForeignOrigin(request);
        if (!sameToken(form._csrf, request.cookies[loginCookie])) throw httpError(403, 'error.loginExpired');
        const account = await attempt(request, reply, form.username, form.password);
        return reply.redirect(next ?? deps.homePage(account.role), 303);
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        const w = requestWords(request);
        const error = e.words ? w.t(e.words.key, e.words.params) : e.message;
        return reply
          .code(e.statusCode)
          .type('text/html')
          .send(deps.loginPage({ next, error, username: form.username, csrfToken: loginToken(reply) }, w));
      }
    },
  );

  app.post('/logout', { config: { signedIn: true }, schema: { hide: true } }, async (request, reply) => {
    const user = request.session.user;
    if (user)
      await deps.audit.append({ actor: user.username, action: 'logout', subject: deps.auditSubject, details: {} });
    await request.session.destroy();
    return reply.redirect('/login', 303);
  });
}
