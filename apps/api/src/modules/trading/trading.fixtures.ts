import type { CreateOrderBody } from '@cryptovault/contract';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { TestPrices, waitFor } from '../../../test/prices.ts';
import { insertUser } from '../../../test/users.ts';
import { credit, getBalances } from '../ledger/index.ts';

/**
 * Test environment without a live feed: the market module polls a CoinCap stand-in that does not answer, so the
 * only prices are the ones a test sets through TestPrices.
 */
export const QUIET_MARKET_ENV = { COINCAP_API_KEY: 'test-key', COINCAP_BASE_URL: 'http://127.0.0.1:9', PRICE_POLL_INTERVAL_MS: '3600000' };

/** An app for the trading tests with a controllable feed: pass the result to tradingFixture. */
export async function createTradingApp(env: Record<string, string | undefined> = {}): Promise<{ t: TestContext; prices: TestPrices }> {
  const prices = new TestPrices();
  return { t: await createTestApp({ ...QUIET_MARKET_ENV, ...env }, { prices }), prices };
}

/** Shared set-up for the trading tests: a controllable feed, the service, funded users. */
export async function tradingFixture({ t, prices }: { t: TestContext; prices: TestPrices }) {
  prices.tick({ bitcoin: '50000', ethereum: '2000' });
  const engine = t.root.trading.engine;
  await waitFor(() => engine.isRunning);
  const { orders } = t.root.trading;
  const db = t.platform.database.db;
  return {
    prices,
    orders,
    async user(funds: Record<string, string> = {}) {
      const u = await insertUser(t.platform.database);
      for (const [asset, amount] of Object.entries(funds)) {
        await db.transaction((tx) => credit(tx, { userId: u.id, asset, amount, reference: 'test:fund' }));
      }
      return u.id;
    },
    async balance(userId: string, asset: string) {
      const r = await getBalances(db, t.platform.prices, userId);
      const i = r.items.find((x) => x.asset === asset);
      return { available: i?.available ?? '0', locked: i?.locked ?? '0' };
    },
    place(userId: string, body: Omit<CreateOrderBody, 'side' | 'type' | 'symbol'> & Partial<CreateOrderBody>, key: string | null = null) {
      return orders.place(userId, { symbol: 'BTC/USD', side: 'buy', type: 'market', ...body } as CreateOrderBody, key).then((r) => r.order);
    },
    /** Emits a tick and waits until the engine has evaluated it and done its fills. */
    async tick(p: Record<string, string>) {
      prices.tick(p);
      await engine.idle();
    },
  };
}
