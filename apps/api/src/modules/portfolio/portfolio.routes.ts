import { apiRoutes, historyResponse } from '@cryptovault/contract';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Platform } from '../../platform/index.ts';
import { requireUser } from '../../platform/principal.ts';
import { D } from '../ledger/index.ts';
import { createHistoryCache, type PriceHistory, portfolioHistory } from './portfolio.history.ts';
import { createHoldingsReader, getPortfolio } from './portfolio.service.ts';
import { endpoint } from '../../http/route-table.ts';

const tags = ['portfolio'];

export async function registerPortfolio(root: FastifyInstance, platform: Platform): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  // Price history through the markets module's public endpoint (cached there), not its internals.
  const history: PriceHistory = async (assetId, interval, start, end) => {
    const res = await root.inject({
      method: 'GET',
      url: `/api/crypto/${encodeURIComponent(assetId)}/history`,
      query: { interval, start: String(start), end: String(end) },
    });
    if (res.statusCode !== 200) return [];
    const body = historyResponse.parse(res.json());
    return body.items.map((i) => [i.time, new D(i.priceUsd)] as [number, InstanceType<typeof D>]).sort((a, b) => a[0] - b[0]);
  };
  const holdings = createHoldingsReader(platform.cache);
  const pastPoints = createHistoryCache(platform.cache);
  app.route({
    ...endpoint(apiRoutes.portfolio.get, { tags, summary: 'Holdings at current prices, average cost, unrealised P&L' }),
    handler: async (request) => getPortfolio(platform, requireUser(request).userId, holdings),
  });
  app.route({
    ...endpoint(apiRoutes.portfolio.history, { tags, summary: 'Portfolio value over time (ledger + price history)' }),
    handler: async (request) => ({ items: await portfolioHistory(platform, history, requireUser(request).userId, request.query.range, pastPoints) }),
  });
}
