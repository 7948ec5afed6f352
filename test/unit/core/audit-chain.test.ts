import { describe, expect, it } from 'vitest';
import { type AuditEntry, entryHash, GENESIS_HASH, nextEntry, verifyChain } from '../../../src/core/audit-chain.js';
import { canonicalJson } from '../../../src/core/canonical-json.js';

function chain(n: number): AuditEntry[] {
  const out: AuditEntry[] = [];
  const t0 = Date.parse('2026-11-23T10:00:00Z');
  for (let i = 0; i < n; i++) {
    out.push(
      nextEntry(out.at(-1), new Date(t0 + (i + 1) * 1000), {
        actor: 'staff:amy',
        action: 'view',
        subject: `inc-${i}`,
        details: { still: i },
      }),
    );
  }
  return out;
}

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops white space', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: null, y: 'é' }], c: true } })).toBe(
      '{"a":{"c":true,"d":[1,{"y":"é","z":null}]},"b":1}',
    );
  });
  it('refuses values it cannot encode the same way everywhere', () => {
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(/NaN/);
  });
});

describe('audit chain', () => {
  it('links each entry to the one before, starting from the genesis hash', () => {
    const c = chain(3);
    expect(c[0]?.prevHash).toBe(GENESIS_HASH);
    expect(c[1]?.prevHash).toBe(c[0]?.hash);
    expect(c.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(verifyChain(c)).toMatchObject({ ok: true, entries: 3, lastSeq: 3, headHash: c[2]?.hash });
  });

  it.each([
    ['actor', (e: AuditEntry) => ({ ...e, actor: 'someone-else' })],
    ['action', (e: AuditEntry) => ({ ...e, action: 'delete' })],
    ['subject', (e: AuditEntry) => ({ ...e, subject: 'inc-x' })],
    ['time', (e: AuditEntry) => ({ ...e, time: '2026-01-01T00:00:00.000Z' })],
    ['details', (e: AuditEntry) => ({ ...e, details: { still: 99 } })],
  ])('detects an edited %s and names the entry', (_field, edit) => {
    const c = chain(5);
    c[2] = edit(c[2] as AuditEntry);
    const r = verifyChain(c);
    expect(r.ok).toBe(false);
    expect(r.failure).toMatchObject({ seq: 3, fault: 'edited' });
    expect(r.entries).toBe(2);
  });

  it('detects an edit whose hash was recomputed, at the next entry', () => {
    const c = chain(5);
    const forged = { ...(c[1] as AuditEntry), subject: 'forged' };
    c[1] = { ...forged, hash: entryHash(forged) };
    expect(verifyChain(c).failure).toMatchObject({ seq: 3, fault: 'bad-link' });
  });

  it('detects a deleted entry', () => {
    const c = chain(5);
    c.splice(1, 1);
    expect(verifyChain(c).failure).toMatchObject({ seq: 2, fault: 'missing' });
  });

  it('detects an inserted entry', () => {
    const c = chain(4);
    const fake = nextEntry({ seq: 1, hash: 'f'.repeat(64) }, new Date(), { actor: 'x', action: 'note', subject: '-' });
    c.splice(1, 0, fake);
    expect(verifyChain(c).failure?.seq).toBe(2);
    expect(verifyChain(c).ok).toBe(false);
  });

  it('detects reordered entries', () => {
    const c = chain(4);
    const [a, b] = [c[1] as AuditEntry, c[2] as AuditEntry];
    c[1] = b;
    c[2] = a;
    expect(verifyChain(c).failure).toMatchObject({ seq: 2, fault: 'missing' });
    const swapped = chain(4);
    // Swapping contents but keeping the seq numbers in place breaks the hashes instead.
    const s1 = swapped[1] as AuditEntry;
    const s2 = swapped[2] as AuditEntry;
    swapped[1] = { ...s2, seq: 2 };
    swapped[2] = { ...s1, seq: 3 };
    expect(verifyChain(swapped).failure?.seq).toBe(2);
  });

  it('detects entries removed from the end against the recorded head', () => {
    const c = chain(5);
    const head = c[4] as AuditEntry;
    expect(verifyChain(c.slice(0, 3), { expectedHead: head }).failure).toMatchObject({ seq: 4, fault: 'truncated' });
  });

  it('verifies from a trusted checkpoint instead of genesis', () => {
    const c = chain(6);
    expect(verifyChain(c.slice(3), { startAfter: c[2] as AuditEntry })).toMatchObject({
      ok: true,
      entries: 3,
      firstSeq: 4,
    });
  });
});
