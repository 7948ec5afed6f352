// Group commit for the PostgreSQL hub store: calls made while a statement runs go together in the next one, a
// call is never answered by a statement sent before it was made, and one refused input fails alone.
import { describe, expect, it } from 'vitest';
import { Coalescer } from '../../src/adapters/hub-store/coalesce.js';

/** A fake statement runner whose statements finish only when the test says so. */
function fakeRunner() {
  const sent: { inputs: number[]; finish: () => void }[] = [];
  let version = 0;
  const run = (inputs: number[]) =>
    new Promise<PromiseSettledResult<string>[]>((resolve) => {
      const seen = version;
      sent.push({
        inputs,
        finish: () =>
          resolve(
            inputs.map((i) =>
              i < 0
                ? { status: 'rejected', reason: new Error(`refused ${i}`) }
                : { status: 'fulfilled', value: `${i}@v${seen}` },
            ),
          ),
      });
    });
  return { sent, run, bump: () => version++ };
}

describe('Coalescer', () => {
  it('sends the first call at once and the calls made meanwhile together, each seeing only later writes', async () => {
    const f = fakeRunner();
    const c = new Coalescer(f.run, { maxStatements: 1, maxBatch: 10 });
    const first = c.add(1);
    expect(f.sent.map((s) => s.inputs)).toEqual([[1]]);
    f.bump(); // a write (say a revocation) lands after the first statement was sent
    const later = [c.add(2), c.add(3), c.add(4)];
    expect(f.sent).toHaveLength(1);
    f.sent[0]!.finish();
    expect(await first).toBe('1@v0');
    await Promise.resolve();
    expect(f.sent.map((s) => s.inputs)).toEqual([[1], [2, 3, 4]]);
    f.sent[1]!.finish();
    expect(await Promise.all(later)).toEqual(['2@v1', '3@v1', '4@v1']);
  });

  it('keeps to maxStatements and maxBatch, and a refused input fails alone', async () => {
    const f = fakeRunner();
    const c = new Coalescer(f.run, { maxStatements: 2, maxBatch: 2 });
    const calls = [1, 2, 3, -4, 5].map((i) => c.add(i).catch((e: Error) => e.message));
    expect(f.sent.map((s) => s.inputs)).toEqual([[1], [2]]);
    f.sent[0]!.finish();
    f.sent[1]!.finish();
    await new Promise((r) => setImmediate(r));
    expect(f.sent.map((s) => s.inputs)).toEqual([[1], [2], [3, -4], [5]]);
    f.sent[2]!.finish();
    f.sent[3]!.finish();
    expect(await Promise.all(calls)).toEqual(['1@v0', '2@v0', '3@v0', 'refused -4', '5@v0']);
  });

  it('fails every call of a statement that fails as a whole', async () => {
    const c = new Coalescer<number, string>(async () => Promise.reject(new Error('connection lost')), {
      maxStatements: 1,
      maxBatch: 10,
    });
    await expect(Promise.all([c.add(1), c.add(2)])).rejects.toThrow('connection lost');
  });
});
