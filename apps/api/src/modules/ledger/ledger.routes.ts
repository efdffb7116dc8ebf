import { apiRoutes } from '@cryptovault/contract';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Platform } from '../../platform/index.ts';
import { requireAdmin, requireUser } from '../../platform/principal.ts';
import { createBalanceReader, getBalances } from './balances.ts';
import { reconcile } from './reconciliation.ts';
import { endpoint } from '../../http/route-table.ts';
import { MONEY, requestVersion } from '../../platform/versioned-cache.ts';

/** The ledger: balances and the admin reconciliation. Other modules post through ledger.service.ts. */
export async function registerLedger(root: FastifyInstance, platform: Pick<Platform, 'database' | 'prices' | 'cache'>): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const balanceRows = createBalanceReader(platform.cache);
  app.route({
    ...endpoint(apiRoutes.wallet.balances, { tags: ['wallet'], summary: 'Balances per asset (available, locked by orders/withdrawals)' }),
    handler: async (request) => {
      const principal = requireUser(request);
      const version = requestVersion(principal, MONEY);
      return getBalances(platform.database.db, platform.prices, principal.userId, (ex, userId) => balanceRows(ex, userId, version));
    },
  });
  app.route({
    ...endpoint(apiRoutes.admin.reconciliation, { tags: ['admin'], summary: 'Ledger reconciliation per asset (must be zero drift)' }),
    handler: async (request) => {
      requireAdmin(request);
      return reconcile(platform.database.db);
    },
  });
}
