// JSON schemas shared by the routes (TypeBox: one schema gives validation, the TypeScript type and the OpenAPI
// description).
import { Type as T } from '@sinclair/typebox';
import { INCIDENT_CATEGORIES, INCIDENT_STATUSES } from '../core/incident.js';
import { ROLES } from '../core/ports/accounts.js';

export const ErrorReply = T.Object({ error: T.String() }, { $id: 'ErrorReply' });
export const Ok = T.Object({ ok: T.Boolean() });

export const IncidentId = T.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'Incident id' });
export const StillId = T.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'Still id' });
export const IncidentParams = T.Object({ id: IncidentId });
export const StillParams = T.Object({ id: IncidentId, stillId: StillId });

export const BoxSchema = T.Tuple([
  T.Integer({ minimum: 0, maximum: 20000 }),
  T.Integer({ minimum: 0, maximum: 20000 }),
  T.Integer({ minimum: 1, maximum: 20000 }),
  T.Integer({ minimum: 1, maximum: 20000 }),
]);

export const Status = T.Union(
  INCIDENT_STATUSES.map((s) => T.Literal(s)),
  { description: 'Incident status' },
);
export const Category = T.Union(INCIDENT_CATEGORIES.map((c) => T.Literal(c)));
export const RoleSchema = T.Union(ROLES.map((r) => T.Literal(r)));

export const IncidentSchema = T.Object({
  id: T.String(),
  siteId: T.String(),
  camera: T.Integer(),
  triggerTime: T.String(),
  source: T.String(),
  status: Status,
  statusReason: T.Union([T.String(), T.Null()]),
  category: T.Union([T.String(), T.Null()]),
  createdAt: T.String(),
  updatedAt: T.String(),
});

export const IncidentSummarySchema = T.Composite([
  IncidentSchema,
  T.Object({ stills: T.Integer(), held: T.Boolean() }),
]);

export const StillInfoSchema = T.Object({
  id: T.String(),
  capturedAt: T.String(),
  width: T.Integer(),
  height: T.Integer(),
});

export const IncidentDetailSchema = T.Composite([
  IncidentSchema,
  T.Object({ stills: T.Array(StillInfoSchema), held: T.Boolean() }),
]);

export const ReviewDraftSchema = T.Object(
  {
    subject: T.Union([T.Object({ stillId: StillId, face: T.Integer({ minimum: 0, maximum: 1000 }) }), T.Null()]),
    extraBoxes: T.Array(T.Object({ stillId: StillId, box: BoxSchema }), { maxItems: 50 }),
    category: T.Union([Category, T.Null()]),
    contextStills: T.Array(StillId, { maxItems: 20 }),
    confirmedStills: T.Optional(T.Array(StillId, { maxItems: 20 })),
    description: T.String({ maxLength: 280 }),
  },
  { additionalProperties: false },
);

export const HoldSchema = T.Object({
  id: T.String(),
  incidentId: T.String(),
  reason: T.String(),
  reference: T.Union([T.String(), T.Null()]),
  placedBy: T.String(),
  placedAt: T.String(),
  expiresAt: T.Union([T.String(), T.Null()]),
  releasedAt: T.Union([T.String(), T.Null()]),
  releasedBy: T.Union([T.String(), T.Null()]),
  active: T.Boolean(),
});

export const CheckResultSchema = T.Object({ name: T.String(), ok: T.Boolean(), detail: T.String() });

export const SelfTestStepSchema = T.Object({
  id: T.String(),
  title: T.String(),
  camera: T.Optional(T.Integer()),
  status: T.Union(['ok', 'workaround', 'warn', 'fail', 'skip'].map((s) => T.Literal(s))),
  detail: T.String(),
  workaround: T.Optional(T.String()),
  fix: T.Optional(T.String()),
});

const PartHealth = T.Object({
  code: T.Optional(T.String({ description: 'The reason as a catalogue code (js.why.<code>)' })),
  params: T.Optional(T.Record(T.String(), T.Union([T.String(), T.Number()]))),
  state: T.Union([T.Literal('ok'), T.Literal('degraded'), T.Literal('down'), T.Literal('unknown')]),
  detail: T.String(),
});
export const StatusSchema = T.Object({
  nvr: PartHealth,
  broker: PartHealth,
  hub: PartHealth,
  queueDepth: T.Integer(),
  disk: T.Composite([PartHealth, T.Object({ freeBytes: T.Union([T.Number(), T.Null()]) })]),
  clock: T.Composite([PartHealth, T.Object({ synchronised: T.Union([T.Boolean(), T.Null()]) })]),
  detector: T.Optional(PartHealth),
});

export const AuditEntrySchema = T.Object({
  seq: T.Integer(),
  time: T.String(),
  actor: T.String(),
  action: T.String(),
  subject: T.String(),
  details: T.Record(T.String(), T.Unknown()),
  prevHash: T.String(),
  hash: T.String(),
});
