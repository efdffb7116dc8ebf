import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.ts';

/** A `run` the test releases by hand, recording the batches it was given. */
function manual() {
  const batches: number[][] = [];
  const pending: (() => void)[] = [];
  const run = (items: number[]) =>
    new Promise<PromiseSettledResult<number>[]>((resolve) => {
      batches.push(items);
      pending.push(() =>
        resolve(items.map((n) => (n < 0 ? { status: 'rejected', reason: new Error(`bad ${n}`) } : { status: 'fulfilled', value: n * 10 }))),
      );
    });
  const releaseNext = async () => {
    pending.shift()!();
    await new Promise((r) => setImmediate(r));
  };
  return { batches, run, releaseNext };
}

describe('Batcher (group commit)', () => {
  it('sends an item at once when nothing is in flight, and groups what arrives meanwhile', async () => {
    const m = manual();
    const b = new Batcher(m.run, { maxInFlight: 1, maxBatch: 100 });
    const first = b.submit(1);
    expect(m.batches).toEqual([[1]]);
    const rest = [2, 3, 4].map((n) => b.submit(n));
    expect(m.batches).toHaveLength(1);
    await m.releaseNext();
    expect(await first).toBe(10);
    expect(m.batches).toEqual([[1], [2, 3, 4]]);
    await m.releaseNext();
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    expect(b.running).toBe(0);
  });

  it('runs at most maxInFlight batches and at most maxBatch items per batch', async () => {
    const m = manual();
    const b = new Batcher(m.run, { maxInFlight: 2, maxBatch: 2 });
    const all = [1, 2, 3, 4, 5, 6].map((n) => b.submit(n));
    expect(m.batches).toEqual([[1], [2]]);
    expect(b.running).toBe(2);
    await m.releaseNext();
    expect(m.batches).toEqual([[1], [2], [3, 4]]);
    await m.releaseNext();
    await m.releaseNext();
    await m.releaseNext();
    expect(m.batches).toEqual([[1], [2], [3, 4], [5, 6]]);
    expect(await Promise.all(all)).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it("settles each item on its own: one item's failure reaches only its caller", async () => {
    const m = manual();
    const b = new Batcher(m.run, { maxInFlight: 1, maxBatch: 10 });
    const first = b.submit(1);
    const results = Promise.allSettled([b.submit(2), b.submit(-3), b.submit(4)]);
    await m.releaseNext();
    await m.releaseNext();
    await first;
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
    expect(c).toEqual({ status: 'fulfilled', value: 2 });
    expect(await b.submit(3)).toBe(3);
  });
});
