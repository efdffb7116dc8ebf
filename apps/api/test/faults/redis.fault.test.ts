import { afterAll, beforeAll, expect, it } from 'vitest';
import { signUpVerified, type TestSession } from '../auth-helpers.ts';
import { type Api, asTestContext, faultDatabase, health, startApi } from './api.ts';
import { type RedisServer, startRedis, until } from './infra.ts';
import { countBy, type Req, request, runLoad } from './load.ts';

/**
 * Redis killed under load (our own redis-server, SIGKILL): the API keeps answering from local fallbacks, /health
 * says `degraded`, the login limit still holds (per process, not open), and everything is back once Redis is.
 */
let redis: RedisServer;
let api: Api;
let user: TestSession;

beforeAll(async () => {
  const { url } = await faultDatabase('redis');
  redis = await startRedis();
  api = await startApi({ DATABASE_URL: url, REDIS_URL: redis.url });
  user = await signUpVerified(asTestContext(api));
  await until('prices', () => api.platform.prices.get('bitcoin') !== null);
});
afterAll(async () => {
  await api?.close();
  await redis?.kill();
});

it('keeps serving with Redis down, limits login locally, and recovers by itself', async () => {
  const t0 = Date.now();
  const auth = { authorization: `Bearer ${user.accessToken}` };
  const mix: Req[] = [
    { what: 'crypto', path: '/api/crypto' },
    { what: 'balances', path: '/api/wallet/balances', headers: auth },
    { what: 'me', path: '/api/auth/me', headers: auth },
    { what: 'portfolio', path: '/api/portfolio', headers: auth },
  ];
  const load = runLoad(api.url, (i) => mix[i % mix.length]!, { workers: 4, maxMs: 90_000, maxRequests: 20_000, pauseMs: 5 });
  try {
    await until('a healthy cache', async () => (await health(api.url)).checks.cache?.status === 'ok', 10_000);

    const killedAt = Date.now();
    await redis.kill();
    await until(
      'health to report the cache degraded',
      async () => {
        const h = await health(api.url);
        return h.http === 200 && h.status === 'degraded' && h.checks.cache?.status === 'degraded';
      },
      15_000,
    );
    const degradedAfterMs = Date.now() - killedAt;

    // The per-IP login limit (30 per 15 minutes) still holds on the local counters: the 31st attempt is refused.
    const logins: number[] = [];
    for (let i = 0; i < 31; i++) {
      const o = await request(api.url, {
        what: 'login',
        method: 'POST',
        path: '/api/auth/login',
        body: { email: `nobody-${i}-${killedAt}@example.test`, password: 'wrong password 123' },
      });
      logins.push(o.status ?? 0);
    }
    expect(
      logins.slice(0, 30).every((s) => s === 401),
      logins.join(','),
    ).toBe(true);
    expect(logins[30]).toBe(429);

    await new Promise((r) => setTimeout(r, 1_000));
    const restartedAt = Date.now();
    await redis.start();
    await until('health to report the cache ok again', async () => (await health(api.url)).checks.cache?.status === 'ok', 30_000);
    const recoveredAfterMs = Date.now() - restartedAt;
    await new Promise((r) => setTimeout(r, 1_000));
    await load.stop();

    const during = load.between(killedAt, restartedAt);
    const bad = load.outcomes.filter((o) => o.status === null || o.status >= 500);
    console.log(
      `redis fault: ${load.outcomes.length} requests in ${Date.now() - t0} ms, ${during.length} while Redis was down;`,
      `degraded after ${degradedAfterMs} ms, recovered ${recoveredAfterMs} ms after restart; statuses`,
      countBy(load.outcomes, (o) => String(o.status ?? o.error)),
    );
    expect(during.length).toBeGreaterThan(20);
    expect(bad.slice(0, 5)).toEqual([]);
    expect((await health(api.url)).status).not.toBe('down');
  } finally {
    await load.stop();
  }
});
