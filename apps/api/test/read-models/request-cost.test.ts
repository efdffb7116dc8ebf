import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credit } from '../../src/modules/ledger/index.ts';
import { MemoryCache } from '../../src/platform/cache.ts';
import { asUser, signUpVerified, type TestSession } from '../auth-helpers.ts';
import { createTestApp, type TestContext } from '../helpers.ts';
import { TestPrices, waitFor } from '../prices.ts';

/** A shared cache that counts the round trips made to it (a GET or an MGET is one each). */
class CountingCache extends MemoryCache {
  reads = 0;
  override async get(key: string) {
    this.reads++;
    return super.get(key);
  }
  override async getMany(keys: readonly string[]) {
    this.reads++;
    return super.getMany(keys);
  }
}

// The cache given to the app is only used without Redis: this file runs on the in-memory cache in both modes
// (REDIS_URL unset here), so that every round trip to the shared cache can be counted.
const cache = new CountingCache();
const prices = new TestPrices();
let t: TestContext;
let s: TestSession;

beforeAll(async () => {
  t = await createTestApp(
    { REDIS_URL: undefined, COINCAP_API_KEY: 'test-key', COINCAP_BASE_URL: 'http://127.0.0.1:9', PRICE_POLL_INTERVAL_MS: '3600000' },
    { cache, prices },
  );
  prices.tick({ bitcoin: '50000' });
  await waitFor(() => t.platform.prices.get('bitcoin') !== null);
  s = await signUpVerified(t);
  await t.platform.database.db.transaction((tx) => credit(tx, { userId: s.user.id, asset: 'BTC', amount: '1', reference: `test:fund:${randomUUID()}` }));
});
afterAll(async () => {
  await t?.close();
  await cache.close();
});

const readsOf = async (url: string) => {
  const before = cache.reads;
  const res = await asUser(t, s).inject({ method: 'GET', url });
  expect(res.statusCode, res.body).toBe(200);
  return { reads: cache.reads - before, body: res.json() };
};

describe('a signed-in money read costs one round trip to the shared cache', () => {
  it('GET /api/portfolio and /api/wallet/balances read the auth and money versions together (one MGET)', async () => {
    await readsOf('/api/portfolio'); // loads the session, the holdings and the balances into this machine's caches
    await readsOf('/api/wallet/balances');
    const portfolio = await readsOf('/api/portfolio');
    expect(portfolio.body.totalUsd).toBe('50000.00');
    expect(portfolio.reads).toBe(1);
    expect((await readsOf('/api/wallet/balances')).reads).toBe(1);
    expect((await readsOf('/api/auth/me')).reads).toBe(1);
  });

  it('a posting in between is still seen on the next read (the version read with the session is the new one)', async () => {
    await readsOf('/api/portfolio');
    await t.platform.database.db.transaction((tx) => credit(tx, { userId: s.user.id, asset: 'BTC', amount: '1', reference: `test:fund:${randomUUID()}` }));
    const next = await readsOf('/api/portfolio');
    expect(next.body.totalUsd).toBe('100000.00');
  });
});
