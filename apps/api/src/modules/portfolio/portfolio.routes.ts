import { apiRoutes, historyResponse } from '@cryptovault/contract';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Platform } from '../../platform/index.ts';
import { requireUser } from '../../platform/principal.ts';
import { D } from '../ledger/index.ts';
import { createHistoryCache, type PriceHistory, portfolioHistory } from './portfolio.history.ts';
import { createPortfolioJson } from './portfolio.service.ts';
import { MONEY, requestVersion } from '../../platform/versioned-cache.ts';
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
  const portfolioJson = createPortfolioJson(platform);
  const pastPoints = createHistoryCache(platform.cache);
  app.route({
    ...endpoint(apiRoutes.portfolio.get, { tags, summary: 'Holdings at current prices, average cost, unrealised P&L' }),
    handler: async (request, reply) => {
      const principal = requireUser(request);
      // Already validated against the response schema and serialised by createPortfolioJson: sent as it is (a plain
      // FastifyReply, whose send is not typed by the schema; a JSON string with its content type skips the serializer).
      const json = await portfolioJson(principal.userId, requestVersion(principal, MONEY));
      return (reply as FastifyReply).type('application/json; charset=utf-8').send(json);
    },
  });
  app.route({
    ...endpoint(apiRoutes.portfolio.history, { tags, summary: 'Portfolio value over time (ledger + price history)' }),
    handler: async (request) => ({ items: await portfolioHistory(platform, history, requireUser(request).userId, request.query.range, pastPoints) }),
  });
}
