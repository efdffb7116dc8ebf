import { Readable } from 'node:stream';
import { apiRoutes } from '@cryptovault/contract';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Platform } from '../../platform/index.ts';
import { requireUser } from '../../platform/principal.ts';
import { allTransactions, exportCsv, exportJson, listTransactions } from './transactions.service.ts';
import { endpoint } from '../../http/route-table.ts';

const tags = ['transactions'];

export async function registerTransactions(root: FastifyInstance, platform: Pick<Platform, 'database'>): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  app.route({
    ...endpoint(apiRoutes.transactions.list, {
      tags,
      summary: 'Your history, one row per trade, deposit, withdrawal, transfer or fee, derived from the ledger',
    }),
    handler: async (request) => {
      const { userId } = requireUser(request);
      const { limit, cursor, ...filter } = request.query;
      return listTransactions(platform.database.db, { userId, ...filter }, { limit, cursor });
    },
  });
  app.route({
    ...endpoint(apiRoutes.transactions.export, { tags, summary: 'Download the history as CSV or JSON (streamed; the same columns as the list)' }),
    handler: async (request, reply) => {
      const { userId } = requireUser(request);
      const { format, ...filter } = request.query;
      const source = allTransactions(platform.database.db, { userId, ...filter });
      const day = new Date().toISOString().slice(0, 10);
      reply
        .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="cryptovault-transactions-${day}.${format}"`)
        .header('cache-control', 'no-store');
      return reply.send(Readable.from(format === 'csv' ? exportCsv(source) : exportJson(source)));
    },
  });
}
