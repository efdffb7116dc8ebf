import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { usingRedis } from '../../test/helpers.ts';
import { type Cache, FallbackCache, MemoryCache, RedisCache } from './cache.ts';
import { LeaderElection, type Locks, MemoryLocks, RedisLocks } from './locks.ts';
import { MemoryPubSub, type PubSub, RedisPubSub } from './pubsub.ts';
import { RateLimiter } from './ratelimit.ts';
import { createRedisClient } from './redis.ts';

const redisUrl = process.env.REDIS_URL;
const connections: { disconnect(): void }[] = [];
function redis(name: string) {
  const c = createRedisClient(redisUrl!, name, undefined, { enableOfflineQueue: true });
  connections.push(c);
  return c;
}
afterAll(() => {
  for (const c of connections) c.disconnect();
});

const prefix = `test:${Date.now()}:${Math.random().toString(36).slice(2)}:`;
const impls: [string, () => { cache: Cache; pubsub: PubSub; locks: Locks }][] = [
  ['memory', () => ({ cache: new MemoryCache(), pubsub: new MemoryPubSub(), locks: new MemoryLocks() })],
];
if (usingRedis) {
  impls.push([
    'redis',
    () => ({
      cache: new RedisCache(redis('cache'), prefix),
      pubsub: new RedisPubSub(redis('pub'), redis('sub'), prefix),
      locks: new RedisLocks(redis('locks'), `${prefix}lock:`),
    }),
  ]);
}

describe.each(impls)('%s cache, pub/sub and locks', (_name, make) => {
  const { cache, pubsub, locks } = make();

  it('cache: set, get, expire, delete', async () => {
    // TTLs and windows of a second or so: a loaded machine's pauses stay well inside them.
    await cache.set('a', '1', 800);
    expect(await cache.get('a')).toBe('1');
    await sleep(1000);
    expect(await cache.get('a')).toBeNull();
    await cache.set('b', '2', 10_000);
    await cache.del('b');
    expect(await cache.get('b')).toBeNull();
  });

  it('cache: several keys in one read, in the order asked, missing ones null', async () => {
    await cache.set('m1', 'one', 10_000);
    await cache.set('m3', 'three', 10_000);
    expect(await cache.getMany(['m3', 'm2', 'm1'])).toEqual(['three', null, 'one']);
    expect(await cache.getMany([])).toEqual([]);
  });

  it('cache: windowed counter', async () => {
    const first = await cache.incr('c', 1000);
    const second = await cache.incr('c', 1000);
    expect([first.count, second.count]).toEqual([1, 2]);
    expect(second.ttlMs).toBeGreaterThan(0);
    expect(second.ttlMs).toBeLessThanOrEqual(1000);
    await sleep(1100);
    expect((await cache.incr('c', 1000)).count).toBe(1);
  });

  it('rate limiter refuses past the limit with a Retry-After', async () => {
    const rl = new RateLimiter(cache);
    const rule = { name: 't', limit: 3, windowMs: 5_000 };
    for (let i = 0; i < 3; i++) await rl.consume(rule, 'ip1');
    await expect(rl.consume(rule, 'ip1')).rejects.toMatchObject({ code: 'RATE_LIMITED', statusCode: 429, retryAfter: expect.any(Number) });
    await rl.consume(rule, 'ip2');
  });

  it('cache: a counter grows by more than one at a time, with the window set by the first increment', async () => {
    const a = await cache.incr('by', 5_000, 7);
    const b = await cache.incr('by', 60_000, 3);
    expect([a.count, b.count]).toEqual([7, 10]);
    expect(b.ttlMs).toBeLessThanOrEqual(5_000);
  });

  it('coalesced rate limit: machines share one window, each sending its count at most every interval', async () => {
    let clock = Date.now();
    const now = () => clock;
    const machineA = new RateLimiter(cache, now);
    const machineB = new RateLimiter(cache, now);
    const rule = { name: `co${Math.random()}`, limit: 5, windowMs: 60_000 };
    const allowedA: boolean[] = [];
    for (let i = 0; i < 5; i++) allowedA.push((await machineA.checkCoalesced(rule, 'ip')).allowed);
    expect(allowedA).toEqual([true, true, true, true, true]);
    // Over the limit on A by its own count alone, before any further trip.
    const sixth = await machineA.checkCoalesced(rule, 'ip');
    expect(sixth).toMatchObject({ allowed: false, remaining: 0 });
    expect(sixth.retryAfterSeconds).toBeGreaterThan(50);
    expect(sixth.retryAfterSeconds).toBeLessThanOrEqual(60);
    // One interval later A's next check sends what it counted; B's first check waits for the shared count.
    clock += 150;
    await machineA.checkCoalesced(rule, 'ip');
    await sleep(50);
    expect((await machineB.checkCoalesced(rule, 'ip')).allowed).toBe(false);
    // Another subject is untouched.
    expect((await machineB.checkCoalesced(rule, 'other')).allowed).toBe(true);
  });

  it('coalesced rate limit: a new window starts fresh', async () => {
    const rule = { name: `cw${Math.random()}`, limit: 2, windowMs: 1000 };
    const rl = new RateLimiter(cache);
    const first = [];
    for (let i = 0; i < 3; i++) first.push((await rl.checkCoalesced(rule, 'ip')).allowed);
    expect(first).toEqual([true, true, false]);
    await sleep(1100);
    expect((await rl.checkCoalesced(rule, 'ip')).allowed).toBe(true);
  });

  it('pub/sub delivers to every subscriber and stops after unsubscribe', async () => {
    const got: string[] = [];
    const un1 = await pubsub.subscribe('ch', (m) => got.push(`1:${m}`));
    const un2 = await pubsub.subscribe('ch', (m) => got.push(`2:${m}`));
    await pubsub.publish('ch', 'hello');
    await vi.waitFor(() => expect([...got].sort()).toEqual(['1:hello', '2:hello']), { timeout: 3000 });
    await un1();
    await un2();
    await pubsub.publish('ch', 'again');
    await sleep(100);
    expect(got).toHaveLength(2);
  });

  it('locks: exclusive, renewable by the holder only, released', async () => {
    const t1 = await locks.acquire('l', 500);
    expect(t1).toBeTruthy();
    expect(await locks.acquire('l', 500)).toBeNull();
    expect(await locks.renew('l', 'not-the-token', 500)).toBe(false);
    expect(await locks.renew('l', t1!, 500)).toBe(true);
    await locks.release('l', t1!);
    expect(await locks.acquire('l', 500)).toBeTruthy();
  });

  it('leader election hands over when the leader stops', async () => {
    const events: string[] = [];
    // A 1.5 s lease renewed every 0.5 s: only a pause of a second would cost the leader its lease.
    const a = new LeaderElection(locks, 'leader', 1500, { onElected: () => void events.push('a+'), onRevoked: () => void events.push('a-') });
    const b = new LeaderElection(locks, 'leader', 1500, { onElected: () => void events.push('b+'), onRevoked: () => void events.push('b-') });
    a.start();
    await vi.waitFor(() => expect(a.isLeader).toBe(true), { timeout: 3000 });
    b.start();
    await sleep(700);
    expect(a.isLeader).toBe(true);
    expect(b.isLeader).toBe(false);
    await a.stop();
    await vi.waitFor(() => expect(b.isLeader).toBe(true), { timeout: 5000 });
    await b.stop();
    expect(events).toEqual(['a+', 'a-', 'b+', 'b-']);
  });
});

describe('fallback cache', () => {
  it('keeps counting locally while the remote fails, and reports degraded', async () => {
    let up = false;
    const remote = new MemoryCache();
    const flaky: Cache = {
      kind: 'redis',
      get: (k) => (up ? remote.get(k) : Promise.reject(new Error('down'))),
      getMany: (ks) => (up ? remote.getMany(ks) : Promise.reject(new Error('down'))),
      set: (k, v, t) => (up ? remote.set(k, v, t) : Promise.reject(new Error('down'))),
      del: (k) => (up ? remote.del(k) : Promise.reject(new Error('down'))),
      incr: (k, w) => (up ? remote.incr(k, w) : Promise.reject(new Error('down'))),
      ping: () => (up ? remote.ping() : Promise.reject(new Error('down'))),
      close: () => remote.close(),
    };
    const states: boolean[] = [];
    const cache = new FallbackCache(flaky, (d) => states.push(d));
    const rl = new RateLimiter(cache);
    const rule = { name: 'login', limit: 2, windowMs: 10_000 };
    await rl.consume(rule, 'x');
    await rl.consume(rule, 'x');
    await expect(rl.consume(rule, 'x')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(cache.degraded).toBe(true);
    up = true;
    await cache.ping();
    expect(cache.degraded).toBe(false);
    expect(states).toEqual([true, false]);
  });
});
