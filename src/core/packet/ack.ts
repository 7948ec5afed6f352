// The hub's acknowledgement of one packet, signed with the hub's Ed25519 key. The device closes its outbox row
// only on a valid ack for a packet it sent from its own site.
import { type Static, Type as T } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export const ACK_SCHEMA_VERSION = 'bcrp-ack/1';

export const ACK_STATUSES = ['stored', 'duplicate', 'rejected'] as const;

export const PacketAckSchema = T.Object(
  {
    schema: T.Literal(ACK_SCHEMA_VERSION),
    packetId: T.String({ minLength: 1, maxLength: 64 }),
    siteId: T.String({ minLength: 1, maxLength: 64 }),
    status: T.Union(ACK_STATUSES.map((s) => T.Literal(s))),
    /** Why a packet was rejected: a short machine-readable code. */
    reason: T.Optional(T.String({ maxLength: 64 })),
    at: T.String({ minLength: 1, maxLength: 40 }),
  },
  { additionalProperties: false },
);
export type PacketAck = Static<typeof PacketAckSchema>;

export function isAck(value: unknown): value is PacketAck {
  return Value.Check(PacketAckSchema, value);
}
