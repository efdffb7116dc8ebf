import { apiRoutes, errorBodySchema } from '@cryptovault/contract';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { endpoint } from '../../http/route-table.ts';
import type { Platform } from '../../platform/index.ts';
import { requireUser } from '../../platform/principal.ts';
import { addToWatchlist, listWatchlist, removeFromWatchlist } from './watchlist.service.ts';

const tags = ['watchlist'];
const errors = { 401: errorBodySchema, 404: errorBodySchema };

/** The signed-in user's starred assets (the markets page's "Watchlist" filter). */
export async function registerWatchlist(root: FastifyInstance, platform: Platform): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  app.route({
    ...endpoint(apiRoutes.watchlist.list, { tags, summary: 'Your starred assets, oldest first' }, { 401: errorBodySchema }),
    handler: async (request) => listWatchlist(platform, requireUser(request).userId),
  });
  app.route({
    ...endpoint(apiRoutes.watchlist.add, { tags, summary: 'Star an asset (idempotent)' }, errors),
    handler: async (request) => addToWatchlist(platform, requireUser(request).userId, request.params.assetId),
  });
  app.route({
    ...endpoint(apiRoutes.watchlist.remove, { tags, summary: 'Unstar an asset (idempotent)' }, errors),
    handler: async (request, reply) => {
      await removeFromWatchlist(platform, requireUser(request).userId, request.params.assetId);
      return reply.code(204).send(null);
    },
  });
}
