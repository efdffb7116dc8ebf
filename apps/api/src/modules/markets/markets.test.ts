import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { assetListResponse, assetSchema } from '@cryptovault/contract';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import type { PriceTick } from '../../platform/prices.ts';
import { TRADING_PAIRS } from './pairs.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestApp({ USE_MOCK_PRICES: 'true' });
});
afterAll(async () => {
  await ctx?.close();
});

const secret = () => randomBytes(32).toString('base64url');
const get = (url: string) => ctx.app.inject({ method: 'GET', url });

describe('markets endpoints (simulated market)', () => {
  it('GET /api/crypto lists every asset with fresh prices and a short cache lifetime', async () => {
    const res = await get('/api/crypto');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=1');
    const body = res.json();
    expect(body.source).toBe('simulated');
    expect(body.stale).toBe(false);
    expect(body.items).toHaveLength(20);
    expect(body.items[0]).toMatchObject({ id: 'bitcoin', symbol: 'BTC', rank: 1 });
    for (const a of body.items) expect(typeof a.priceUsd).toBe('string');
  });

  it('GET /api/crypto sends exactly the contract shape, with an ETag that answers 304 and compressed variants', async () => {
    const first = await get('/api/crypto');
    expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(first.headers.vary).toBe('Origin, Accept-Encoding');
    const body = first.json();
    expect(Object.keys(body)).toEqual(['items', 'updatedAt', 'source', 'stale']);
    expect(assetListResponse.strict().parse(body)).toEqual(body);
    for (const a of body.items) expect(Object.keys(a).sort()).toEqual(Object.keys(assetSchema.shape).sort());
    const etag = String(first.headers.etag);
    const again = await ctx.app.inject({ method: 'GET', url: '/api/crypto', headers: { 'if-none-match': etag } });
    // The simulated market ticks every second: the list is the same bytes until it does.
    if (JSON.parse((await get('/api/crypto')).body).updatedAt === body.updatedAt) {
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
      expect(again.headers.etag).toBe(etag);
    }
    const gz = await ctx.app.inject({ method: 'GET', url: '/api/crypto', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.etag).not.toBe(etag);
    expect(assetListResponse.strict().parse(JSON.parse(gunzipSync(gz.rawPayload).toString()))).toBeTruthy();
  });

  it('GET /api/crypto/:id by id or symbol; unknown is 404', async () => {
    const byId = await get('/api/crypto/ethereum');
    expect(byId.statusCode).toBe(200);
    expect(byId.json()).toMatchObject({ id: 'ethereum', symbol: 'ETH' });
    const bySymbol = await get('/api/crypto/eth');
    expect(bySymbol.json().id).toBe('ethereum');
    const missing = await get('/api/crypto/not-a-coin');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('NOT_FOUND');
  });

  it('GET /api/crypto/:id/history is cached, aligned and bounded', async () => {
    const res = await get('/api/crypto/BTC/history?interval=m5');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=60');
    const { items, interval, source } = res.json();
    expect(interval).toBe('m5');
    expect(source).toBe('simulated');
    expect(items.length).toBeGreaterThanOrEqual(288);
    for (const p of items) expect(p.time % 300_000).toBe(0);
    const again = await get('/api/crypto/BTC/history?interval=m5');
    expect(again.json()).toEqual(res.json());

    const tooMany = await get('/api/crypto/bitcoin/history?interval=m1&start=0&end=1700000000000');
    expect(tooMany.statusCode).toBe(400);
    const badInterval = await get('/api/crypto/bitcoin/history?interval=m2');
    expect(badInterval.statusCode).toBe(400);
    expect(badInterval.json().error.code).toBe('VALIDATION_ERROR');
  });

  it('GET /api/crypto/trading-pairs derives the pairs from the catalog', async () => {
    const res = await get('/api/crypto/trading-pairs');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=3600');
    const { items } = res.json();
    expect(items).toHaveLength(TRADING_PAIRS.length);
    expect(items[0]).toEqual({
      symbol: 'BTC/USD',
      base: 'BTC',
      quote: 'USD',
      assetId: 'bitcoin',
      pricePrecision: 2,
      amountPrecision: 8,
      minAmount: '0.00001',
      minCost: '1.00',
      maxCost: '1000000000.00',
      feeRate: '0.001',
    });
  });

  it('prices move on their own, with price.tick events on every tick', async () => {
    const ticks: PriceTick[] = [];
    const off = ctx.platform.events.on('price.tick', (t) => {
      ticks.push(t);
    });
    // One a second; polled rather than a fixed sleep, so a late timer on a loaded machine only takes longer.
    await vi.waitFor(() => expect(ticks.length).toBeGreaterThanOrEqual(2), { timeout: 10_000, interval: 100 });
    off();
    expect(Object.keys(ticks[0]!.prices)).toHaveLength(20);
    expect(ticks[1]!.ts).toBeGreaterThan(ticks[0]!.ts);
  });

  it('POST /api/dev/market/:assetId sets a price that goes through the pipeline and sticks', async () => {
    const ticks: PriceTick[] = [];
    const off = ctx.platform.events.on('price.tick', (t) => {
      ticks.push(t);
    });
    const res = await ctx.app.inject({ method: 'POST', url: '/api/dev/market/bitcoin', payload: { priceUsd: '43210.55' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ assetId: 'bitcoin', priceUsd: '43210.55' });
    // Applied before the response: readers on this machine see it at once.
    expect(ctx.platform.prices.get('BTC')?.priceUsd).toBe('43210.55');
    expect(ticks.some((t) => t.prices.bitcoin === '43210.55')).toBe(true);
    // The next regular ticks keep it (the simulator holds it, then continues from it).
    await new Promise((r) => setTimeout(r, 1500));
    off();
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(ticks.at(-1)!.prices.bitcoin).toBe('43210.55');
    expect((await get('/api/crypto/bitcoin')).json().priceUsd).toBe('43210.55');
    // The prebuilt list follows the new price too.
    const list = (await get('/api/crypto')).json();
    expect(list.items.find((a: { id: string }) => a.id === 'bitcoin').priceUsd).toBe('43210.55');

    const bad = await ctx.app.inject({ method: 'POST', url: '/api/dev/market/bitcoin', payload: { priceUsd: -5 } });
    expect(bad.statusCode).toBe(400);
    const unknown = await ctx.app.inject({ method: 'POST', url: '/api/dev/market/nope', payload: { priceUsd: '1' } });
    expect(unknown.statusCode).toBe(404);
  });

  it('/health reports the feed age', async () => {
    const res = await get('/health');
    const prices = res.json().checks.prices;
    expect(prices.status).toBe('ok');
    expect(prices.ageMs).toBeGreaterThanOrEqual(0);
    expect(prices.ageMs).toBeLessThan(2500);
    expect(ctx.platform.prices.isStale()).toBe(false);
  });
});

describe('markets in production', () => {
  it('has no dev price endpoint', async () => {
    const prod = await createTestApp({
      ENVIRONMENT: 'production',
      JWT_SECRET: secret(),
      CSRF_SECRET: secret(),
      DATA_ENCRYPTION_KEY: secret(),
      APP_URL: 'https://app.example.test',
      PUBLIC_API_URL: 'https://app.example.test',
      DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://unused@127.0.0.1:1/none',
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      USE_MOCK_PRICES: 'true',
      SENDGRID_API_KEY: 'SG.test',
      NOWPAYMENTS_API_KEY: 'np-test',
      NOWPAYMENTS_IPN_SECRET: secret(),
      PROOF_SIGNING_KEY: 'KAsx0Ad3LzmK9vwcgF2mRTcQzOl6l9BD8QNgUJ4fSbk=',
    });
    try {
      const res = await prod.app.inject({ method: 'POST', url: '/api/dev/market/bitcoin', payload: { priceUsd: '1' } });
      expect(res.statusCode).toBe(404);
    } finally {
      await prod.close();
    }
  });
});
