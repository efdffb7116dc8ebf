import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.ts';

const turn = () => new Promise((r) => setImmediate(r));

/** A `run` the test releases by hand, recording the batches it was given. */
function manual() {
  const batches: number[][] = [];
  const pending: (() => void)[] = [];
  const run = (items: number[]) =>
    new Promise<PromiseSettledResult<number>[]>((resolve) => {
      batches.push(items);
      pending.push(() => resolve(items.map((n) => (n < 0 ? { status: 'rejected', reason: new Error(`bad ${n}`) } : { status: 'fulfilled', value: n * 10 }))));
    });
  /** Finishes the oldest running batch and lets the next turn of the event loop start what waits. */
  const finishOldest = async () => {
    pending.shift()!();
    await turn();
    await turn();
  };
  return { batches, run, finishOldest };
}

describe('Batcher (group commit)', () => {
  it('sends what is submitted in one turn together, and groups what arrives while it runs', async () => {
    const m = manual();
    const sizes: number[] = [];
    const b = new Batcher(m.run, { maxInFlight: 1, maxBatch: 100, onBatch: (n) => sizes.push(n) });
    const first = [b.submit(1), b.submit(2)];
    expect(m.batches).toEqual([]); // leaves at the end of this turn
    await turn();
    expect(m.batches).toEqual([[1, 2]]);
    const rest = [3, 4, 5].map((n) => b.submit(n));
    await turn();
    expect(m.batches).toHaveLength(1); // waits for the running batch
    await m.finishOldest();
    expect(await Promise.all(first)).toEqual([10, 20]);
    expect(m.batches).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
    await m.finishOldest();
    expect(await Promise.all(rest)).toEqual([30, 40, 50]);
    expect(b.running).toBe(0);
    expect(sizes).toEqual([2, 3]);
  });

  it('never runs more than maxInFlight batches or puts more than maxBatch items in one', async () => {
    const m = manual();
    const b = new Batcher(m.run, { maxInFlight: 2, maxBatch: 2 });
    const all = [1, 2, 3, 4, 5, 6].map((n) => b.submit(n));
    await turn();
    expect(m.batches).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(b.running).toBe(2);
    await m.finishOldest();
    expect(m.batches).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    await m.finishOldest();
    await m.finishOldest();
    expect(await Promise.all(all)).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it('spreads a crowd over the free slots, but runs a second batch beside the first only with minShare items', async () => {
    const m = manual();
    const b = new Batcher(m.run, { maxInFlight: 2, maxBatch: 64, minShare: 4 });
    // 10 at once: two batches of 5.
    const crowd = Array.from({ length: 10 }, (_, i) => b.submit(i + 1));
    await turn();
    expect(m.batches.map((x) => x.length)).toEqual([5, 5]);
    await m.finishOldest();
    await m.finishOldest();
    await Promise.all(crowd);
    // 3 at once (fewer than 2 × minShare): one batch.
    const few = [b.submit(1), b.submit(2), b.submit(3)];
    await turn();
    expect(m.batches.slice(2)).toEqual([[1, 2, 3]]);
    // While it runs, 3 more wait (fewer than minShare) ...
    const waiting = [b.submit(4), b.submit(5), b.submit(6)];
    await turn();
    expect(m.batches).toHaveLength(3);
    // ... and a fourth lets them run beside it.
    const fourth = b.submit(7);
    await turn();
    expect(m.batches.slice(3)).toEqual([[4, 5, 6, 7]]);
    await m.finishOldest();
    await m.finishOldest();
    expect(await Promise.all([...few, ...waiting, fourth])).toEqual([10, 20, 30, 40, 50, 60, 70]);
  });

  it("settles each item on its own: one item's failure reaches only its caller", async () => {
    const m = manual();
    const b = new Batcher(m.run, { maxInFlight: 1, maxBatch: 10 });
    const results = Promise.allSettled([b.submit(2), b.submit(-3), b.submit(4)]);
    await turn();
    await m.finishOldest();
    const r = await results;
    expect(r.map((x) => x.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((r[1] as PromiseRejectedResult).reason.message).toBe('bad -3');
  });

  it('when run itself throws, every item of that batch gets the error and later batches still run', async () => {
    let calls = 0;
    const b = new Batcher<number, number>(
      async (items) => {
        calls++;
        if (calls === 1) throw new Error('connection lost');
        return items.map((n) => ({ status: 'fulfilled', value: n }));
      },
      { maxInFlight: 1, maxBatch: 10 },
    );
    const [a, c] = await Promise.allSettled([b.submit(1), b.submit(2)]);
    expect(a).toMatchObject({ status: 'rejected', reason: { message: 'connection lost' } });
    expect(c).toMatchObject({ status: 'rejected', reason: { message: 'connection lost' } });
    expect(await b.submit(3)).toBe(3);
  });
});
