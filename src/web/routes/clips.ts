// The review page's clip: its record (frames, where the subject was lost, tracks that may be the subject again),
// the redacted MP4 (audited as a view, never to auditors) and the subject pick that makes it again.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type as T } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { byteRange } from '../../core/byte-range.js';
import { AppError } from '../../core/errors.js';
import type { ClipReview, StoredClip } from '../../core/ports/clips.js';
import type { WebDeps } from '../deps.js';
import { HttpError, httpError, requireUser } from '../plugins/auth.js';
import { eventStream } from './event-stream.js';

const Params = T.Object({ id: T.String({ minLength: 1, maxLength: 64 }) });
const BoxSchema = T.Tuple([
  T.Number({ minimum: 0 }),
  T.Number({ minimum: 0 }),
  T.Number({ exclusiveMinimum: 0 }),
  T.Number({ exclusiveMinimum: 0 }),
]);
const ChoiceSchema = T.Object(
  {
    picks: T.Array(T.Object({ box: BoxSchema, atSeconds: T.Number({ minimum: 0, maximum: 30 }) }), {
      minItems: 0,
      maxItems: 8,
    }),
    extra: T.Optional(
      T.Array(
        T.Object({
          box: BoxSchema,
          fromSeconds: T.Number({ minimum: 0, maximum: 30 }),
          toSeconds: T.Number({ minimum: 0, maximum: 30 }),
          toBox: T.Optional(BoxSchema),
        }),
        { maxItems: 50 },
      ),
    ),
  },
  { additionalProperties: false },
);

/** The record without where the encrypted file lives, with whether it will likely fit in the packet. */
function publicClip(c: StoredClip, clips: ClipReview) {
  const { file: _f, keyId: _k, ...rest } = c;
  const packet = clips.packetFit(c);
  return { ...rest, ...(packet ? { packet } : {}) };
}

export async function clipRoutes(instance: FastifyInstance, deps: WebDeps, clips: ClipReview): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  async function clipOf(id: string): Promise<StoredClip> {
    if (!(await deps.incidents.get(id))) throw httpError(404, 'error.noIncident');
    const c = clips.get(id);
    if (!c) throw httpError(404, 'error.noClipYet');
    return c;
  }

  app.get(
    '/api/incidents/:id/clip',
    {
      config: { permission: 'images:view' },
      schema: {
        summary: "The incident's redacted clip: frames, subject tracks, lost runs (no pixels)",
        tags: ['review'],
        params: Params,
      },
    },
    async (request) => publicClip(await clipOf(request.params.id), clips),
  );

  app.get(
    '/api/incidents/:id/clip/events',
    {
      config: { permission: 'images:view' },
      schema: {
        summary: 'Live clip updates (server-sent events): the record each time the clip is made or fails',
        tags: ['review'],
        params: Params,
        produces: ['text/event-stream'],
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!(await deps.incidents.get(id))) throw httpError(404, 'error.noIncident');
      const current = () => {
        const c = clips.get(id);
        return c ? publicClip(c, clips) : undefined;
      };
      eventStream(
        request,
        reply,
        current(),
        (push) =>
          clips.onChange((changed) => {
            const c = changed === id ? current() : undefined;
            if (c) push(c);
          }),
        'clip',
        () => false,
      );
    },
  );

  app.get(
    '/api/incidents/:id/clip/video',
    {
      config: { permission: 'images:view' },
      schema: {
        summary: 'The redacted clip (MP4, every face filled but the chosen subject)',
        tags: ['review'],
        params: Params,
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const c = await clipOf(request.params.id);
      const bytes = clips.bytes(request.params.id);
      if (!bytes)
        throw c.reason ? httpError(404, 'error.clipNotMade', { reason: c.reason }) : httpError(404, 'error.noClip');
      // Browsers fetch video in ranges (and cannot seek without them); one view is one fetch from the start.
      const range = byteRange(request.headers.range, bytes.length);
      if (range === 'unsatisfiable') return reply.code(416).header('content-range', `bytes */${bytes.length}`).send();
      if (!range || range[0] === 0)
        deps.audit.append({
          actor: user.username,
          action: 'view',
          subject: request.params.id,
          details: { clip: true, sha256: c.sha256, revealed: c.subjectTracks.length > 0 },
        });
      reply.header('cache-control', 'no-store').header('accept-ranges', 'bytes').type('video/mp4');
      if (!range) return reply.send(bytes);
      const [from, to] = range;
      return reply
        .code(206)
        .header('content-range', `bytes ${from}-${to}/${bytes.length}`)
        .send(bytes.subarray(from, to + 1));
    },
  );

  app.post(
    '/api/incidents/:id/clip/subject',
    {
      config: { permission: 'review' },
      schema: {
        summary: 'Keep the picked face(s) visible in the clip (boxes in clip pixels, at a time in the clip)',
        tags: ['review'],
        params: Params,
        body: ChoiceSchema,
      },
    },
    async (request) => {
      const user = requireUser(request);
      await clipOf(request.params.id);
      try {
        const c = await clips.choose(request.params.id, request.body, user.username);
        return publicClip(c, clips);
      } catch (e) {
        if (e instanceof AppError && (e.code === 'subject-not-found' || e.code === 'clip-not-found'))
          throw new HttpError(422, e.message);
        throw e;
      }
    },
  );
}
