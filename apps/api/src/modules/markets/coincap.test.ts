import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { waitFor } from '../../../test/prices.ts';
import { ASSETS } from '../../platform/assets.ts';
import { CoinCapClient, CoinCapProvider } from './coincap.ts';
import { CoinCapStandIn, STANDIN_KEY } from './coincap-standin.ts';
import { ProviderError } from './provider.ts';

let standIn: CoinCapStandIn;
beforeAll(async () => {
  standIn = await new CoinCapStandIn().start();
});
afterAll(async () => {
  await standIn?.stop();
});

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ProviderError) return err;
    throw err;
  }
  throw new Error('expected a ProviderError');
}

describe('CoinCap v3 client (local stand-in)', () => {
  const client = () => new CoinCapClient({ baseUrl: standIn.baseUrl, apiKey: STANDIN_KEY, timeoutMs: 400 });

  it('fetches every listed asset in one Bearer-authenticated call and keeps decimal strings exact', async () => {
    standIn.mode = 'ok';
    standIn.requests = [];
    const snap = await new CoinCapProvider(client()).snapshot(Date.now());
    expect(standIn.requests).toHaveLength(1);
    const req = standIn.requests[0]!;
    expect(req.authorization).toBe(`Bearer ${STANDIN_KEY}`);
    expect(req.query.get('ids')!.split(',')).toEqual(ASSETS.map((a) => a.id));
    const btc = snap.assets.find((a) => a.id === 'bitcoin')!;
    expect(btc.priceUsd).toBe('65123.123456789012345678');
    expect(btc.marketCapUsd).toBe('1283456789012.1234567890123456');
    expect(btc.changePercent24Hr).toBe('-1.2345678901234567');
    expect(snap.assets.find((a) => a.id === 'ethereum')!.priceUsd).toBe('3456.000000000000000001');
  });

  it('maps history items', async () => {
    const end = Date.UTC(2026, 0, 2);
    const items = await new CoinCapProvider(client()).history('bitcoin', 'h1', end - 5 * 3_600_000, end);
    expect(items).toHaveLength(6);
    expect(items[0]).toEqual({ time: end - 5 * 3_600_000, priceUsd: '65000.0000000000000001', date: new Date(end - 5 * 3_600_000).toISOString() });
    expect(standIn.requests.at(-1)!.query.get('interval')).toBe('h1');
  });

  it('classifies 401, 429 (with Retry-After), 500, timeouts and malformed bodies', async () => {
    const cases: [typeof standIn.mode, string][] = [
      ['unauthorized', 'unauthorized'],
      ['rate_limited', 'rate_limited'],
      ['server_error', 'server'],
      ['hang', 'timeout'],
      ['malformed', 'malformed'],
      ['not_json', 'malformed'],
    ];
    standIn.retryAfterSeconds = 7;
    for (const [mode, kind] of cases) {
      standIn.mode = mode;
      const err = await failure(client().assets(['bitcoin']));
      expect(err.kind, mode).toBe(kind);
      if (mode === 'rate_limited') expect(err.retryAfterMs).toBe(7000);
    }
    standIn.mode = 'ok';
    const wrongKey = new CoinCapClient({ baseUrl: standIn.baseUrl, apiKey: 'wrong' });
    expect((await failure(wrongKey.assets(['bitcoin']))).kind).toBe('unauthorized');
    const nobody = new CoinCapClient({ baseUrl: 'http://127.0.0.1:1/v3', apiKey: STANDIN_KEY });
    expect((await failure(nobody.assets(['bitcoin']))).kind).toBe('network');
  });
});

describe('CoinCap feed in the app: backoff, last good prices, staleness', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    standIn.mode = 'ok';
    ctx = await createTestApp({
      COINCAP_API_KEY: STANDIN_KEY,
      COINCAP_BASE_URL: standIn.baseUrl,
      PRICE_POLL_INTERVAL_MS: '1000',
      PRICE_MAX_AGE_MS: '2000',
    });
  });
  afterAll(async () => {
    await ctx?.close();
  });

  const list = async () => (await ctx.app.inject({ method: 'GET', url: '/api/crypto' })).json();
  const gaps = (from: number) => {
    const times = standIn.requests.filter((r) => r.at >= from && r.path === '/v3/assets').map((r) => r.at);
    return times.slice(1).map((t, i) => t - times[i]!);
  };

  it('serves CoinCap prices as polled', async () => {
    await waitFor(async () => (await list()).items.length === 2);
    const body = await list();
    expect(body).toMatchObject({ source: 'coincap', stale: false });
    expect(body.items.find((a: { id: string }) => a.id === 'bitcoin').priceUsd).toBe('65123.123456789012345678');
    expect(ctx.platform.prices.get('BTC')?.priceUsd).toBe('65123.123456789012345678');
  });

  it('ignores a malformed body: last good prices stay, then turn stale (and /health degraded)', async () => {
    standIn.mode = 'malformed';
    await new Promise((r) => setTimeout(r, 1200));
    expect((await list()).items.find((a: { id: string }) => a.id === 'bitcoin').priceUsd).toBe('65123.123456789012345678');
    await waitFor(async () => (await list()).stale === true, 6000);
    const body = await list();
    expect(body.items).toHaveLength(2);
    expect(ctx.platform.prices.ageMs()).toBeGreaterThan(2000);
    expect(ctx.platform.prices.isStale()).toBe(true);
    const health = (await ctx.app.inject({ method: 'GET', url: '/health' })).json();
    expect(health.status).toBe('degraded');
    expect(health.checks.prices).toMatchObject({ status: 'degraded' });
    expect(health.checks.prices.ageMs).toBeGreaterThan(2000);
    expect(health.checks.prices.detail).toContain('malformed');
  });

  it('backs off exponentially on 500s and recovers', async () => {
    // Fresh prices first: a success resets the backoff the malformed bodies above started.
    standIn.mode = 'ok';
    await waitFor(async () => (await list()).stale === false, 10_000);
    standIn.mode = 'server_error';
    const from = Date.now();
    // interval × 2^n: 2 s, 4 s, ... (the first gap may be cut by the switch); polled, not a fixed sleep, so a slow
    // machine only takes longer.
    await waitFor(() => gaps(from).some((g) => g >= 3800), 20_000);
    expect(gaps(from).every((g) => g >= 900)).toBe(true);
    standIn.mode = 'ok';
    standIn.prices.bitcoin = '66000.5';
    await waitFor(async () => (await list()).stale === false, 10_000);
    expect(ctx.platform.prices.get('bitcoin')?.priceUsd).toBe('66000.5');
  }, 60_000);

  it('waits at least Retry-After after a 429', async () => {
    standIn.mode = 'rate_limited';
    standIn.retryAfterSeconds = 3;
    const from = Date.now();
    await waitFor(() => standIn.requests.some((r) => r.at >= from), 3000);
    const first = standIn.requests.find((r) => r.at >= from)!.at;
    await waitFor(() => standIn.requests.some((r) => r.at > first), 6000);
    const second = standIn.requests.find((r) => r.at > first)!.at;
    expect(second - first).toBeGreaterThanOrEqual(2950);
    standIn.mode = 'ok';
  }, 20_000);
});
