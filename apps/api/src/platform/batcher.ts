/**
 * Group commit: work submitted while `maxInFlight` batches are already running waits and goes out together in the
 * next batch, so under load many items share one database round trip and one commit, and with nothing in flight an
 * item goes out at once (no timer, no added latency when idle).
 *
 * `run` gets the items of one batch and settles each one on its own: one item's failure is reported to that item's
 * caller only. If `run` itself throws, every item of the batch gets that error.
 */
export class Batcher<T, R> {
  private queue: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private inFlight = 0;

  constructor(
    private readonly run: (items: T[]) => Promise<PromiseSettledResult<R>[]>,
    private readonly options: { maxInFlight: number; maxBatch: number },
  ) {
    if (options.maxInFlight < 1 || options.maxBatch < 1) throw new Error('Batcher needs maxInFlight and maxBatch of at least 1');
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  /** Batches running now (for tests and metrics). */
  get running(): number {
    return this.inFlight;
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight++;
      this.run(batch.map((b) => b.item))
        .then(
          (results) => {
            batch.forEach((b, i) => {
              const r = results[i];
              if (!r) b.reject(new Error('batch settled fewer items than it was given'));
              else if (r.status === 'fulfilled') b.resolve(r.value);
              else b.reject(r.reason);
            });
          },
          (err: unknown) => {
            for (const b of batch) b.reject(err);
          },
        )
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }
}
