// Group commit for the PostgreSQL hub store: calls that arrive while earlier statements are still running are sent
// together as one statement when one finishes. With a single packet in flight nothing waits; with hundreds, each
// packet costs a fraction of a round trip and of a commit. A call is never answered by a statement sent before
// the call was made, so every read is as fresh as a read of its own.
export class Coalescer<I, O> {
  readonly #run: (inputs: I[]) => Promise<PromiseSettledResult<O>[]>;
  readonly #maxStatements: number;
  readonly #maxBatch: number;
  #queue: { input: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  #running = 0;

  /**
   * `run` answers each input in order (so one bad input can fail alone); at most `maxStatements` run at once, each
   * with at most `maxBatch` inputs.
   */
  constructor(
    run: (inputs: I[]) => Promise<PromiseSettledResult<O>[]>,
    options: { maxStatements: number; maxBatch: number },
  ) {
    this.#run = run;
    this.#maxStatements = options.maxStatements;
    this.#maxBatch = options.maxBatch;
  }

  add(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ input, resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#running < this.#maxStatements && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      this.#running++;
      this.#run(batch.map((b) => b.input))
        .then(
          (outputs) => {
            batch.forEach((b, i) => {
              const o = outputs[i];
              if (o?.status === 'fulfilled') b.resolve(o.value);
              else b.reject(o ? o.reason : new Error('no answer for a batched call'));
            });
          },
          (e: unknown) => {
            for (const b of batch) b.reject(e);
          },
        )
        .finally(() => {
          this.#running--;
          this.#pump();
        });
    }
  }
}
