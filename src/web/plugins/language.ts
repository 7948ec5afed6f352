// Which language a request is answered in, and the switch on every page. A signed-in user's own choice (kept per
// account when the app has a LanguageChoices store) wins; then the browser's last choice (a cookie, so the sign-in
// page remembers it); then the browser's Accept-Language; then English.

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { LanguageChoices } from '../../core/ports/accounts.js';
import { fromAcceptLanguage, isLang, type Lang, type Words, words } from '../i18n/i18n.js';

export const LANG_COOKIE = 'bcrp_lang';

export function requestLang(request: FastifyRequest): Lang {
  const own = request.session?.user?.lang;
  if (isLang(own)) return own;
  const chosen = request.cookies?.[LANG_COOKIE];
  if (isLang(chosen)) return chosen;
  return fromAcceptLanguage(request.headers['accept-language']);
}

export function requestWords(request: FastifyRequest): Words {
  return words(requestLang(request));
}

/** Only same-site paths are followed after switching. */
function safeNext(next: string | undefined): string {
  return next && /^\/(?!\/)[\w\-/?=&%.#]*$/.test(next) ? next : '/';
}

/**
 * GET /language?to=cy&next=/incidents: a plain link, so it works on every page without JavaScript and before
 * sign-in. A cross-site link can at most change the language of the visitor's own browser; the account's stored
 * choice changes only with the (SameSite=Strict) session cookie, which a cross-site link does not carry.
 */
export async function languageRoutes(instance: FastifyInstance, o: { choices?: LanguageChoices | undefined }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/language',
    {
      schema: {
        hide: true,
        querystring: Type.Object({
          to: Type.Optional(Type.String({ maxLength: 5 })),
          next: Type.Optional(Type.String({ maxLength: 500 })),
        }),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const to: Lang = isLang(q.to) ? q.to : 'en';
      reply.setCookie(LANG_COOKIE, to, {
        path: '/',
        httpOnly: true,
        secure: true,
        sameSite: 'lax',
        maxAge: 365 * 24 * 3600,
      });
      const user = request.session?.user;
      if (user) {
        // A new object, so the session store sees the change and saves it.
        request.session.user = { ...user, lang: to };
        o.choices?.set(user.username, to);
      }
      return reply.redirect(safeNext(q.next), 303);
    },
  );

  // The page scripts' words: a file per language, so pages carry no inline data and the browser caches it.
  app.get(
    '/i18n/:file',
    { schema: { hide: true, params: Type.Object({ file: Type.String({ maxLength: 40 }) }) } },
    async (request, reply) => {
      const file = request.params.file;
      const lang = file.replace(/\.json$/, '');
      if (!isLang(lang) || !file.endsWith('.json')) return reply.callNotFound();
      const w = words(lang);
      return reply
        .header('cache-control', 'public, max-age=300')
        .send({ lang, locale: w.locale, messages: w.scriptMessages() });
    },
  );
}
