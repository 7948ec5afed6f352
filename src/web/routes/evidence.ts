// The police master on the incident page (where it stands, live over server-sent events from the bus's master-*
// events) and police exports a manager runs from the page: started for a held incident, followed with progress,
// the files and hashes listed, the folder downloaded as one ZIP (each download audited).
import { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type as T } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { MasterStatusService, PoliceExportService } from '../../core/ports/evidence-desk.js';
import type { WebDeps } from '../deps.js';
import { httpError, requireUser } from '../plugins/auth.js';
import { ErrorReply, IncidentParams } from '../schemas.js';
import { eventStream } from './event-stream.js';

const Phase = T.Union(['waiting', 'acquiring', 'sealed', 'short', 'failed'].map((p) => T.Literal(p)));
const Nullable = <S extends ReturnType<typeof T.String>>(s: S) => T.Union([s, T.Null()]);
const NumOrNull = T.Union([T.Number(), T.Null()]);

export const MasterStatusSchema = T.Object({
  incidentId: T.String(),
  phase: Phase,
  windowFrom: T.String(),
  windowTo: T.String(),
  windowSeconds: T.Number(),
  startsAt: Nullable(T.String()),
  bytes: NumOrNull,
  seconds: NumOrNull,
  sha256: Nullable(T.String()),
  method: Nullable(T.String()),
  sealedAt: Nullable(T.String()),
  clockOffsetMs: NumOrNull,
  clockWarning: T.Boolean(),
  attempts: T.Integer(),
  reason: Nullable(T.String()),
  nextTry: Nullable(T.String()),
});

const JobSchema = T.Object({
  id: T.String(),
  incidentId: T.String(),
  reference: T.String(),
  step: T.String(),
  bytes: T.Number(),
  totalBytes: NumOrNull,
  startedAt: T.String(),
  error: Nullable(T.String()),
  result: T.Union([
    T.Object({
      files: T.Array(T.Object({ path: T.String(), sha256: T.String(), bytes: T.Number() })),
      exhibit: Nullable(T.String()),
      masterSha256: Nullable(T.String()),
      auditSeq: T.Integer(),
    }),
    T.Null(),
  ]),
});

const JobParams = T.Object({ job: T.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });

export async function evidenceRoutes(
  instance: FastifyInstance,
  deps: WebDeps,
  masters: MasterStatusService | undefined,
  exports: PoliceExportService | undefined,
): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  if (masters) masterRoutes(app, masters);
  if (exports) exportRoutes(app, deps, exports);
}

function masterRoutes(instance: FastifyInstance, masters: MasterStatusService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const statusOf = (id: string) => {
    const s = masters.status(id);
    if (!s) throw httpError(404, 'error.noIncident');
    return s;
  };

  app.get(
    '/api/incidents/:id/master',
    {
      config: { permission: 'incidents:read' },
      schema: {
        summary:
          "Where the incident's police master stands: waiting, acquiring (bytes, seconds), sealed, short, failed",
        tags: ['evidence'],
        params: IncidentParams,
        response: { 200: MasterStatusSchema, 404: ErrorReply },
      },
    },
    async (request) => statusOf(request.params.id),
  );

  app.get(
    '/api/incidents/:id/master/events',
    {
      config: { permission: 'incidents:read' },
      schema: {
        summary: 'The police master live (server-sent events, one `master` event per change)',
        tags: ['evidence'],
        params: IncidentParams,
        produces: ['text/event-stream'],
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const first = statusOf(id);
      // Sealed, short or given up: nothing more will happen (a failure with a retry to come stays open).
      const final = (s: typeof first) =>
        s.phase === 'sealed' || s.phase === 'short' || (s.phase === 'failed' && !s.nextTry);
      eventStream(request, reply, first, (push) => masters.subscribe(id, push), 'master', final);
    },
  );
}

function exportRoutes(instance: FastifyInstance, deps: WebDeps, exports: PoliceExportService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/api/incidents/:id/police-export',
    {
      config: { permission: 'police:export' },
      schema: {
        summary: 'Export a held incident for the police (master, working copy, hashes, continuity, witness statement)',
        tags: ['evidence'],
        params: IncidentParams,
        body: T.Object(
          {
            officer: T.String({ minLength: 3, maxLength: 120, pattern: '\\S' }),
            reference: T.String({ minLength: 1, maxLength: 80, pattern: '\\S' }),
          },
          { additionalProperties: false },
        ),
        response: { 202: JobSchema, 404: ErrorReply, 409: ErrorReply },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const { id } = request.params;
      if (!(await deps.incidents.get(id))) throw httpError(404, 'error.noIncident');
      // Only a held incident: the hold keeps the master's source past its retention date.
      if (!deps.holds.activeHold(id)) throw httpError(409, 'error.policeNotHeld');
      const job = exports.start(
        { incidentId: id, officer: request.body.officer.trim(), reference: request.body.reference.trim() },
        user.username,
      );
      return reply.code(202).send(job);
    },
  );

  const jobOf = (id: string) => {
    const j = exports.job(id);
    if (!j) throw httpError(404, 'error.noPoliceExport');
    return j;
  };

  app.get(
    '/api/police-exports/:job',
    {
      config: { permission: 'police:export' },
      schema: {
        summary: 'A police export: its step, progress and, when done, every file with its SHA-256',
        tags: ['evidence'],
        params: JobParams,
        response: { 200: JobSchema, 404: ErrorReply },
      },
    },
    async (request) => jobOf(request.params.job),
  );

  app.get(
    '/api/police-exports/:job/events',
    {
      config: { permission: 'police:export' },
      schema: {
        summary: 'A police export live (server-sent events, one `export` event per step or MiB)',
        tags: ['evidence'],
        params: JobParams,
        produces: ['text/event-stream'],
      },
    },
    async (request, reply) => {
      const id = request.params.job;
      const first = jobOf(id);
      const final = (j: typeof first) => j.step === 'done' || j.step === 'failed';
      eventStream(request, reply, first, (push) => exports.subscribe(id, push), 'export', final);
    },
  );

  app.get(
    '/api/police-exports/:job/zip',
    {
      config: { permission: 'police:export' },
      schema: {
        summary: 'A finished police export as one ZIP file (streamed; audited as a download)',
        tags: ['evidence'],
        params: JobParams,
        response: {
          200: {
            description: 'The export folder as a ZIP',
            content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } },
          },
          404: ErrorReply,
        },
      },
    },
    async (request, reply) => {
      const zip = exports.archive(request.params.job, requireUser(request).username);
      if (!zip) throw httpError(404, 'error.noPoliceExport');
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="${zip.fileName}"`)
        .header('cache-control', 'no-store')
        .send(Readable.from(zip.stream));
    },
  );
}
