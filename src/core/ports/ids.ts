// Identifiers come through this port: UUIDv7 in production (time-ordered, so incident and packet ids sort by
// creation time and the hub can de-duplicate on them), a counter in tests.
import { v7 as uuidv7 } from 'uuid';
import type { Clock } from './clock.js';

export interface IdSource {
  next(): string;
}

/** RFC 9562 UUIDv7 whose time part comes from the injected clock. */
export function uuidV7Source(clock: Clock): IdSource {
  return { next: () => uuidv7({ msecs: clock.now().getTime() }) };
}

export function counterIds(prefix = 'id'): IdSource {
  let n = 0;
  return { next: () => `${prefix}-${String(++n).padStart(4, '0')}` };
}
