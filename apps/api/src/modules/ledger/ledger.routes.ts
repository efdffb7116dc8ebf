import { apiRoutes } from '@cryptovault/contract';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Platform } from '../../platform/index.ts';
import { requireAdmin, requireUser } from '../../platform/principal.ts';
import type { AppModule } from '../types.ts';
import { getBalances } from './balances.ts';
import { reconcile } from './reconciliation.ts';
import { endpoint } from '../../http/route-table.ts';

async function routes(root: FastifyInstance, platform: Platform): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  app.route({
    ...endpoint(apiRoutes.wallet.balances, { tags: ['wallet'], summary: 'Balances per asset (available, locked by orders/withdrawals)' }),
    handler: async (request) => getBalances(platform.database.db, platform.prices, requireUser(request).userId),
  });
  app.route({
    ...endpoint(apiRoutes.admin.reconciliation, { tags: ['admin'], summary: 'Ledger reconciliation per asset (must be zero drift)' }),
    handler: async (request) => {
      requireAdmin(request);
      return reconcile(platform.database.db);
    },
  });
}

/** The ledger: balances and the admin reconciliation. Other modules post through ledger.service.ts. */
export const ledgerModule: AppModule = { name: 'ledger', register: routes };
