import { afterAll, beforeAll, expect, it } from 'vitest';
import { CoinCapStandIn, STANDIN_KEY } from '../../src/modules/markets/coincap-standin.ts';
import type { Database } from '../../src/platform/db/client.ts';
import { signUpVerified, type TestSession } from '../auth-helpers.ts';
import { type Api, asTestContext, faultDatabase, health, startApi } from './api.ts';
import { expectReconciled, fund, openDatabase } from './checks.ts';
import { freePort, Switch, sleep, until } from './infra.ts';
import { request } from './load.ts';

/**
 * The price provider (CoinCap, here a local stand-in behind a switchable port) goes away: prices turn stale,
 * market orders are refused with PRICE_STALE, nothing triggers on the frozen prices, and fresh prices bring
 * everything back (including the triggers that became due).
 */
let standIn: CoinCapStandIn;
let provider: Switch;
let api: Api;
let check: Database | null = null;
let user: TestSession;
/** What became of the stop-loss order placed while prices were stale (checked by the known-issue test below). */
let stopWhileStale: { status: string; average: string | null } | null = null;

const bearer = () => ({ authorization: `Bearer ${user.accessToken}` });
const placeMarket = () =>
  request(api.url, {
    what: 'order',
    method: 'POST',
    path: '/api/orders',
    headers: bearer(),
    body: { symbol: 'BTC/USD', side: 'buy', type: 'market', amount: '0.001' },
  });

beforeAll(async () => {
  const { url } = await faultDatabase('prices');
  standIn = await new CoinCapStandIn().start();
  standIn.prices = { bitcoin: '60000', ethereum: '3000' };
  provider = new Switch(await freePort(), Number(new URL(standIn.baseUrl).port));
  await provider.on();
  api = await startApi({
    DATABASE_URL: url,
    COINCAP_API_KEY: STANDIN_KEY,
    COINCAP_BASE_URL: `http://127.0.0.1:${provider.port}/v3`,
    PRICE_POLL_INTERVAL_MS: '1000',
    PRICE_MAX_AGE_MS: '3000',
  });
  check = await openDatabase(url);
  user = await signUpVerified(asTestContext(api));
  await fund(check, user.user.id, { USD: '100000', BTC: '1' });
});
afterAll(async () => {
  await api?.close();
  await provider?.off();
  await standIn?.stop();
  await check?.close();
});

it('goes stale without the provider, refuses market orders, triggers nothing, and recovers', async () => {
  await until('fresh prices from the provider', async () => (await health(api.url)).checks.prices?.status === 'ok', 30_000);
  expect((await placeMarket()).status).toBe(201);

  const offAt = Date.now();
  await provider.off();
  await until('prices to turn stale', async () => (await health(api.url)).checks.prices?.status === 'degraded', 30_000);
  const staleAfterMs = Date.now() - offAt;
  const h = await health(api.url);
  expect(h.http).toBe(200);
  expect(h.status).toBe('degraded');
  expect(h.checks.prices?.detail).toContain('stale');
  const crypto = await request(api.url, { what: 'crypto', path: '/api/crypto' });
  expect(crypto.status).toBe(200);
  expect(JSON.parse(crypto.body ?? '{}').stale).toBe(true);

  const refused = await placeMarket();
  expect(refused.status).toBe(422);
  expect(JSON.parse(refused.body ?? '{}').error.code).toBe('PRICE_STALE');

  // Both would fire at the last (stale) price of 60000: an alert below 70000 and a stop-loss sell at 70000.
  const alert = await request(api.url, {
    what: 'alert',
    method: 'POST',
    path: '/api/alerts',
    headers: bearer(),
    body: { assetId: 'bitcoin', condition: 'below', targetPrice: '70000' },
  });
  expect(alert.status).toBe(201);
  const alertId = JSON.parse(alert.body ?? '{}').id as string;
  const stop = await request(api.url, {
    what: 'stop',
    method: 'POST',
    path: '/api/orders',
    headers: bearer(),
    body: { symbol: 'BTC/USD', side: 'sell', type: 'stop_loss', amount: '0.01', triggerPrice: '70000' },
  });
  // Refusing the stop order while stale would be fine too; accepting it must not fill it on frozen prices.
  expect([201, 422]).toContain(stop.status);
  const stopId = stop.status === 201 ? (JSON.parse(stop.body ?? '{}').id as string) : null;
  await sleep(4_000);
  const alertsWhileStale = JSON.parse((await request(api.url, { what: 'alerts', path: '/api/alerts', headers: bearer() })).body ?? '{}');
  expect(alertsWhileStale.items.find((a: { id: string }) => a.id === alertId)?.lastTriggeredAt).toBeNull();
  if (stopId) {
    const o = JSON.parse((await request(api.url, { what: 'order', path: `/api/orders/${stopId}`, headers: bearer() })).body ?? '{}');
    stopWhileStale = { status: o.status, average: o.average };
  }

  standIn.prices = { bitcoin: '59000', ethereum: '3000' };
  const onAt = Date.now();
  await provider.on();
  await until('fresh prices again', async () => (await health(api.url)).checks.prices?.status === 'ok', 30_000);
  const recoveredAfterMs = Date.now() - onAt;
  expect((await placeMarket()).status).toBe(201);
  await until(
    'the alert to fire on fresh prices',
    async () => {
      const body = JSON.parse((await request(api.url, { what: 'alerts', path: '/api/alerts', headers: bearer() })).body ?? '{}');
      return Boolean(body.items.find((a: { id: string }) => a.id === alertId)?.lastTriggeredAt);
    },
    20_000,
  );
  if (stopId && stopWhileStale?.status === 'open') {
    await until(
      'the stop order to fill on fresh prices',
      async () => {
        const o = JSON.parse((await request(api.url, { what: 'order', path: `/api/orders/${stopId}`, headers: bearer() })).body ?? '{}');
        return o.status === 'closed';
      },
      20_000,
    );
  }
  console.log(
    `price provider fault: stale ${staleAfterMs} ms after the provider went away; fresh ${recoveredAfterMs} ms after it returned; stop order placed while stale: ${stopId ? JSON.stringify(stopWhileStale) : 'refused'}`,
  );
  await expectReconciled(check!);
});

/**
 * A stop order placed while the feed is stale must not be evaluated against the engine's remembered price
 * (TradingEngine.queue skips while stale); it fills on the first fresh tick instead.
 */
it('a stop order placed on stale prices stays open until fresh prices arrive', () => {
  expect(stopWhileStale?.status ?? 'refused').not.toBe('closed');
});
