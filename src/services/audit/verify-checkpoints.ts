// Proves the local audit chain is the one whose checkpoints the hub received: every checkpoint must carry a valid
// device signature and name an entry the local chain still has, with the same hash. A rebuilt or truncated local
// log fails here even when it is internally consistent.
import type { ChainReport } from '../../core/audit-chain.js';
import { AppError } from '../../core/errors.js';
import { readCheckpoint } from '../../core/packet/checkpoint.js';
import type { AuditLog } from '../../core/ports/audit-log.js';
import type { SignatureVerifier } from '../../core/ports/signer.js';
import { type AuditCheckpoint, CHECKPOINT_TYPE } from './checkpoints.js';

export type CheckpointFault = 'bad-signature' | 'not-a-checkpoint' | 'rebuilt' | 'truncated' | 'chain';

export interface CheckpointReport {
  ok: boolean;
  checkpoints: number;
  verifiedUpTo: number | null;
  chain: ChainReport;
  failure?: { seq: number | null; fault: CheckpointFault; message: string };
}

/** Reads the file the hub exports: JSON lines of compact JWS strings or {jws} objects, or one JSON array of them. */
export function parseCheckpointFile(text: string, name: string): string[] {
  const trimmed = text.trim();
  if (!trimmed) throw new AppError('checkpoints-empty', `${name} holds no checkpoints`);
  const items: unknown[] = [];
  try {
    if (trimmed.startsWith('[')) items.push(...(JSON.parse(trimmed) as unknown[]));
    else
      for (const line of trimmed.split(/\r?\n/))
        if (line.trim())
          items.push(line.trim().startsWith('{') || line.trim().startsWith('"') ? JSON.parse(line) : line.trim());
  } catch (e) {
    throw new AppError('checkpoints-unreadable', `${name} is not JSON lines of checkpoints: ${(e as Error).message}`);
  }
  return items.map((it, i) => {
    const jws = typeof it === 'string' ? it : (it as { jws?: unknown } | null)?.jws;
    if (typeof jws !== 'string' || jws.split('.').length !== 3)
      throw new AppError('checkpoints-unreadable', `${name}: item ${i + 1} is not a signed checkpoint (compact JWS)`);
    return jws;
  });
}

/** Checkpoints signed before there was one shape ({type: bcrp-audit-checkpoint, site, seq, hash, time}). */
function readLegacy(payload: unknown): { seq: number; hash: string; at: string } | undefined {
  const cp = payload as Partial<AuditCheckpoint> | null;
  if (cp?.type !== CHECKPOINT_TYPE || typeof cp.seq !== 'number' || typeof cp.hash !== 'string') return undefined;
  return { seq: cp.seq, hash: cp.hash, at: String(cp.time) };
}

/**
 * `publicKeyPems`: the keys the device may have signed with (its hub device key and its local checkpoint key); a
 * checkpoint passes when one of them verifies it.
 */
export async function verifyAgainstCheckpoints(
  audit: AuditLog,
  jwsList: readonly string[],
  publicKeyPems: string | readonly string[],
  verifier: SignatureVerifier,
): Promise<CheckpointReport> {
  const chain = audit.verify();
  const keys = typeof publicKeyPems === 'string' ? [publicKeyPems] : publicKeyPems;
  const checkpoints: { seq: number; hash: string; at: string }[] = [];
  const fail = (seq: number | null, fault: CheckpointFault, message: string): CheckpointReport => ({
    ok: false,
    checkpoints: jwsList.length,
    verifiedUpTo: null,
    chain,
    failure: { seq, fault, message },
  });
  for (const [i, jws] of jwsList.entries()) {
    let payload: unknown;
    for (const pem of keys) {
      try {
        payload = (await verifier.verify(jws, pem)).payload;
        break;
      } catch {
        // try the device's other key
      }
    }
    if (payload === undefined)
      return fail(null, 'bad-signature', `checkpoint ${i + 1} is not signed by this device's key`);
    const cp = readCheckpoint(payload) ?? readLegacy(payload);
    if (!cp) return fail(null, 'not-a-checkpoint', `item ${i + 1} is signed but is not an audit checkpoint`);
    checkpoints.push(cp);
  }
  if (!chain.ok)
    return fail(chain.failure?.seq ?? null, 'chain', `the local chain is broken: ${chain.failure?.message}`);
  let upTo: number | null = null;
  for (const cp of checkpoints.sort((a, b) => a.seq - b.seq)) {
    const [local] = [...audit.entries({ fromSeq: cp.seq, toSeq: cp.seq })];
    if (!local) {
      return fail(
        cp.seq,
        'truncated',
        `the hub holds a checkpoint at entry ${cp.seq} (${cp.at}) but the local chain ends at ${chain.lastSeq ?? 0}: entries were removed`,
      );
    }
    if (local.hash !== cp.hash) {
      return fail(
        cp.seq,
        'rebuilt',
        `entry ${cp.seq} differs from the one the hub was sent on ${cp.at}: the local log was rebuilt or rewritten before that point`,
      );
    }
    upTo = cp.seq;
  }
  return { ok: true, checkpoints: checkpoints.length, verifiedUpTo: upTo, chain };
}
