import { apiRoutes, errorBodySchema, setMarketPriceBody, setMarketPriceResponse } from '@cryptovault/contract';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { Gauge } from 'prom-client';
import { z } from 'zod';
import { prebuiltGet } from '../../http/fast-path.ts';
import type { Platform } from '../../platform/index.ts';
import type { Metrics } from '../../platform/metrics.ts';
import { CoinCapClient, CoinCapProvider } from './coincap.ts';
import { PriceFeed } from './feed.ts';
import { HISTORY_TTL_S } from './history.ts';
import type { MarketsService } from './markets.service.ts';
import { TRADING_PAIRS } from './pairs.ts';
import type { PriceStore } from './price-store.ts';
import { SimulatedMarket } from './simulated.ts';
import { endpoint } from '../../http/route-table.ts';

/** The simulated market moves once a second; CoinCap is polled every PRICE_POLL_INTERVAL_MS. */
export const SIMULATED_TICK_MS = 1000;

const tags = ['markets'];
const errors = { 400: errorBodySchema, 404: errorBodySchema, 503: errorBodySchema };

/** The feed that fills `store` (the platform's price store) from the configured source; built by compose.ts. */
export function createFeed(platform: Platform, store: PriceStore, namespace: string): PriceFeed {
  const { prices } = platform.config;
  if (prices.source === 'simulated') {
    const sim = new SimulatedMarket();
    return new PriceFeed(platform, sim, store, { namespace, intervalMs: SIMULATED_TICK_MS }, sim);
  }
  const client = new CoinCapClient({ baseUrl: prices.coincapBaseUrl, apiKey: prices.coincapApiKey ?? '' });
  return new PriceFeed(platform, new CoinCapProvider(client), store, { namespace, intervalMs: prices.pollIntervalMs }, null);
}

function registerMetrics(metrics: Metrics, feed: PriceFeed): void {
  const registers = [metrics.registry];
  new Gauge({
    name: 'price_feed_age_seconds',
    help: 'Age of the newest price tick on this machine (-1 before the first)',
    registers,
    collect() {
      const age = feed.store.ageMs();
      this.set(age === null ? -1 : age / 1000);
    },
  });
  new Gauge({
    name: 'price_feed_leader',
    help: '1 when this machine polls the price provider for the platform',
    registers,
    collect() {
      this.set(feed.isLeader ? 1 : 0);
    },
  });
}

/** Prices and history; the feed (built by compose.ts) starts when the app is ready and stops when it closes. */
export async function registerMarkets(
  root: FastifyInstance,
  { config, metrics, feed, service }: Pick<Platform, 'config' | 'metrics'> & { feed: PriceFeed; service: MarketsService },
): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  registerMetrics(metrics, feed);
  app.addHook('onReady', async () => {
    service.startCandles();
    await feed.start();
  });
  app.addHook('onClose', async () => {
    await feed.stop();
    await service.stopCandlesRecording();
  });

  // Browsers and CDNs may reuse a price list for about half a tick.
  const listMaxAge = Math.max(1, Math.min(15, Math.floor((feed.source === 'simulated' ? SIMULATED_TICK_MS : config.prices.pollIntervalMs) / 2000)));

  const listCacheControl = `public, max-age=${listMaxAge}`;
  // Every open page polls this: answered before Fastify's pipeline when it can be (http/fast-path.ts).
  await root.register(prebuiltGet, {
    // The contract's route (GET): the fast path answers it with the prebuilt body, Fastify's route keeps the schema.
    path: apiRoutes.markets.assets.path,
    schema: { tags, summary: 'Listed assets with current prices', response: apiRoutes.markets.assets.response },
    body: () => service.listBody(),
    cacheControl: listCacheControl,
  });

  app.route({
    ...endpoint(apiRoutes.markets.tradingPairs, { tags, summary: 'Tradable pairs and their precisions and minimums' }),
    handler: async (_req, reply) => {
      reply.header('cache-control', 'public, max-age=3600');
      return { items: TRADING_PAIRS.map((p) => ({ ...p, feeRate: config.trading.feeRate })) };
    },
  });

  app.route({
    ...endpoint(apiRoutes.markets.asset, { tags, summary: 'One asset by id (bitcoin) or symbol (BTC)' }, { ...errors }),
    handler: async (request, reply) => {
      const asset = service.get(request.params.id);
      reply.header('cache-control', `public, max-age=${listMaxAge}`);
      return asset;
    },
  });

  app.route({
    ...endpoint(apiRoutes.markets.history, { tags, summary: 'Price history' }, { ...errors }),
    handler: async (request, reply) => {
      const body = await service.history(request.params.id, request.query);
      reply.header('cache-control', `public, max-age=${HISTORY_TTL_S[request.query.interval]}`);
      return body;
    },
  });

  app.route({
    ...endpoint(
      apiRoutes.markets.candles,
      { tags, summary: 'OHLC + volume candles built from the platform price feed (1m kept 7 days, larger longer)' },
      { ...errors },
    ),
    handler: async (request, reply) => {
      const body = await service.candles(request.params.id, request.query);
      // A candle's bucket is written every FLUSH_MS (10 s) while it is open.
      reply.header('cache-control', 'public, max-age=5');
      return body;
    },
  });

  if (config.devToolsEnabled) {
    app.post(
      '/api/dev/market/:assetId',
      {
        schema: {
          tags: ['development'],
          summary: 'Set a simulated price (development only); it holds for holdMs, then the market moves on from it',
          params: z.object({ assetId: z.string().min(1).max(64) }),
          body: setMarketPriceBody,
          response: { 200: setMarketPriceResponse, ...errors, 409: errorBodySchema },
        },
      },
      async (request) => service.setSimulatedPrice(request.params.assetId, request.body.priceUsd, request.body.holdMs),
    );
  }
}
