import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { CoinCapStandIn, STANDIN_KEY } from './coincap-standin.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let standIn: CoinCapStandIn;
beforeAll(async () => {
  standIn = await new CoinCapStandIn().start();
});
afterAll(async () => {
  await standIn?.stop();
});

const historyCalls = (since: number) => standIn.requests.filter((r) => r.at >= since && r.path.endsWith('/history'));

/** Deterministic "arbitrary" numbers, so a failure can be replayed. */
function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

async function coincapApp(env: Record<string, string> = {}): Promise<TestContext> {
  standIn.mode = 'ok';
  return createTestApp({ COINCAP_API_KEY: STANDIN_KEY, COINCAP_BASE_URL: standIn.baseUrl, PRICE_POLL_INTERVAL_MS: '60000', ...env });
}

describe('GET /api/crypto/:id/history against CoinCap (stand-in): arbitrary ranges do not each cost a billed call', () => {
  it('50 concurrent requests with arbitrary start/end cost at most two upstream calls, and each gets exactly its range', async () => {
    const ctx = await coincapApp();
    try {
      const now = Date.now();
      const rand = lcg(42);
      const ranges = Array.from({ length: 50 }, () => {
        const start = Math.floor(now - 60 * DAY + rand() * 50 * DAY);
        // Some ends lie in the future: there are no prices there, the range ends now.
        const end = Math.floor(start + 1 + rand() * 12 * DAY);
        return { start, end };
      });
      const since = Date.now();
      const answers = await Promise.all(
        ranges.map(({ start, end }) => ctx.app.inject({ method: 'GET', url: `/api/crypto/bitcoin/history?interval=h1&start=${start}&end=${end}` })),
      );
      expect(historyCalls(since).length).toBeLessThanOrEqual(2);
      answers.forEach((res, i) => {
        expect(res.statusCode).toBe(200);
        const { start, end } = ranges[i]!;
        const times = (res.json().items as { time: number }[]).map((p) => p.time);
        const expected: number[] = [];
        for (let t = Math.ceil(start / HOUR) * HOUR; t <= Math.min(end, now); t += HOUR) expected.push(t);
        // The stand-in has a point every hour: the answer is every one of them inside the range, nothing else.
        expect(times.slice(0, 3)).toEqual(expected.slice(0, 3));
        expect(times.length).toBeGreaterThanOrEqual(expected.length - 1);
        expect(times.every((t) => t >= start && t <= end)).toBe(true);
      });
      // Asked again, the same ranges are served from the chunks already fetched.
      const again = Date.now();
      await Promise.all(
        ranges
          .slice(0, 10)
          .map(({ start, end }) => ctx.app.inject({ method: 'GET', url: `/api/crypto/bitcoin/history?interval=h1&start=${start}&end=${end}` })),
      );
      expect(historyCalls(again)).toHaveLength(0);
    } finally {
      await ctx.close();
    }
  });

  it('ranges scattered over years stay within the platform-wide budget per minute: cached history or 503, never a call more', async () => {
    const ctx = await coincapApp({ PRICE_HISTORY_CALLS_PER_MINUTE: '3' });
    try {
      const rand = lcg(7);
      const now = Date.now();
      const since = Date.now();
      const answers = [];
      for (let i = 0; i < 50; i++) {
        const start = Math.floor(now - 3000 * DAY + rand() * 2900 * DAY);
        answers.push(await ctx.app.inject({ method: 'GET', url: `/api/crypto/bitcoin/history?interval=h1&start=${start}&end=${start + 10 * DAY}` }));
      }
      expect(historyCalls(since).length).toBeLessThanOrEqual(3);
      const statuses = new Set(answers.map((a) => a.statusCode));
      expect([...statuses].every((s) => s === 200 || s === 503)).toBe(true);
      const refused = answers.find((a) => a.statusCode === 503);
      expect(refused?.json().error.code).toBe('UNAVAILABLE');
      expect(Number(refused?.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await ctx.close();
    }
  });

  it('keeps the range rules: start after end and too many points are 400', async () => {
    const ctx = await coincapApp();
    try {
      const now = Date.now();
      const backwards = await ctx.app.inject({ method: 'GET', url: `/api/crypto/bitcoin/history?interval=h1&start=${now - HOUR}&end=${now - 2 * HOUR}` });
      expect(backwards.statusCode).toBe(400);
      const tooMany = await ctx.app.inject({ method: 'GET', url: `/api/crypto/bitcoin/history?interval=m1&start=${now - 30 * DAY}&end=${now}` });
      expect(tooMany.statusCode).toBe(400);
      expect(tooMany.json().error.code).toBe('VALIDATION_ERROR');
    } finally {
      await ctx.close();
    }
  });
});
