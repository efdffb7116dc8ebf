/**
 * Group commit: items submitted in one turn of the event loop, or while batches are running, go out together, so
 * under load many items share one database round trip and one commit; with nothing running an item leaves at the end
 * of the current turn (no timer, no added latency when idle).
 *
 * At most `maxInFlight` batches run at once, each of at most `maxBatch` items. With nothing running, whatever waits
 * goes at once, spread evenly over the free slots but never into batches smaller than `minShare` (default 1). While
 * a batch runs, another starts beside it only with at least `minShare` items waiting; smaller groups wait for the
 * running batch to finish.
 *
 * `run` gets the items of one batch and settles each one on its own: one item's failure is reported to that item's
 * caller only. If `run` itself throws, every item of the batch gets that error.
 */
export class Batcher<T, R> {
  private queue: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly run: (items: T[]) => Promise<PromiseSettledResult<R>[]>,
    private readonly options: { maxInFlight: number; maxBatch: number; minShare?: number; onBatch?: (size: number) => void },
  ) {
    if (options.maxInFlight < 1 || options.maxBatch < 1 || (options.minShare ?? 1) < 1) {
      throw new Error('Batcher needs maxInFlight, maxBatch and minShare of at least 1');
    }
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Batches running now (for tests and metrics). */
  get running(): number {
    return this.inFlight;
  }

  /**
   * Batches leave at the end of the current turn of the event loop, so everything submitted in this turn (callers
   * answered by the batch that just finished, requests already read from the network) goes out together.
   */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    const free = this.options.maxInFlight - this.inFlight;
    if (free <= 0 || this.queue.length === 0) return;
    const minShare = this.options.minShare ?? 1;
    const lanes = Math.min(free, Math.floor(this.queue.length / minShare));
    const count = this.inFlight === 0 ? Math.max(1, lanes) : lanes;
    if (count === 0) return;
    const size = Math.min(this.options.maxBatch, Math.ceil(this.queue.length / count));
    for (let i = 0; i < count && this.queue.length > 0; i++) this.start(this.queue.splice(0, size));
  }

  private start(batch: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[]): void {
    this.inFlight++;
    this.options.onBatch?.(batch.length);
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
        this.schedule();
      });
  }
}
