import type { FastifyInstance } from 'fastify';
import type { Root } from '../compose.ts';
import { registerRealtime } from '../realtime/realtime.module.ts';
import { registerAdmin } from './admin/admin.routes.ts';
import { registerAlerts } from './alerts/alerts.routes.ts';
import { registerApiKeys } from './apikeys/apikeys.routes.ts';
import { registerAuth } from './auth/auth.routes.ts';
import { registerDev } from './dev/dev.routes.ts';
import { registerDocuments } from './documents/documents.routes.ts';
import { registerKyc } from './kyc/kyc.routes.ts';
import { registerGains } from './gains/gains.routes.ts';
import { registerLedger } from './ledger/ledger.routes.ts';
import { legalGate } from './legal/index.ts';
import { registerLegal } from './legal/legal.routes.ts';
import { registerMarkets } from './markets/markets.routes.ts';
import { registerNotifications } from './notifications/notifications.routes.ts';
import { registerOperators } from './operators/operators.routes.ts';
import { registerOps } from './ops/ops.routes.ts';
import { registerPayments } from './payments/payments.routes.ts';
import { registerPol } from './pol/pol.routes.ts';
import { registerRecurring } from './recurring/recurring.routes.ts';
import { registerPortfolio } from './portfolio/portfolio.routes.ts';
import { registerSecurity } from './security/security.routes.ts';
import { registerSupport } from './support/support.routes.ts';
import { registerTelegram } from './telegram/telegram.routes.ts';
import { registerTrading } from './trading/trading.routes.ts';
import { registerTransactions } from './transactions/transactions.routes.ts';
import { registerTransfers } from './transfers/transfers.routes.ts';
import type { Registrar } from './types.ts';
import { registerWatchlist } from './watchlist/watchlist.routes.ts';
import { registerWithdrawals } from './withdrawals/withdrawals.routes.ts';

/**
 * Every module's routes, each on its own encapsulated scope and given only what it uses from the composition root.
 * No registrar produces anything another needs (the root built everything before), so the order below is only the
 * order of routes and hooks; the dependency order lives in compose.ts, where the type checker holds it.
 */
export async function registerModules(app: FastifyInstance, root: Root): Promise<void> {
  const { platform } = root;
  const mount = <D>(name: string, register: Registrar<D>, deps: D) => app.register(async (scope) => register(scope, deps), { name });
  // Country restrictions and the terms gate, before the handlers of the routes they cover (modules/legal/gate.ts).
  app.addHook('preHandler', legalGate(platform, root.legal.service));
  await mount('ops', registerOps, { platform, priceHealth: root.markets.health });
  await mount('markets', registerMarkets, { config: platform.config, metrics: platform.metrics, feed: root.markets.feed, service: root.markets.service });
  await mount('auth', registerAuth, root.auth.deps);
  await mount('security', registerSecurity, root.auth.deps);
  await mount('dev', registerDev, platform);
  await mount('ledger', registerLedger, platform);
  await mount('trading', registerTrading, root.trading);
  await mount('portfolio', registerPortfolio, platform);
  await mount('gains', registerGains, platform);
  await mount('transactions', registerTransactions, platform);
  await mount('notifications', registerNotifications, platform);
  await mount('payments', registerPayments, root.payments);
  await mount('realtime', registerRealtime, { platform, authenticator: root.auth.authenticator });
  await mount('withdrawals', registerWithdrawals, platform);
  await mount('transfers', registerTransfers, platform);
  await mount('admin', registerAdmin, platform);
  await mount('operators', registerOperators, platform);
  await mount('alerts', registerAlerts, platform);
  await mount('watchlist', registerWatchlist, platform);
  await mount('support', registerSupport, platform);
  await mount('proof-of-liabilities', registerPol, platform);
  await mount('api-keys', registerApiKeys, { service: root.apiKeys.service, stepUpTtlSeconds: platform.config.auth.stepUpTtlSeconds });
  await mount('documents', registerDocuments, platform);
  await mount('kyc', registerKyc, platform);
  await mount('legal', registerLegal, { platform, legal: root.legal.service });
  await mount('telegram', registerTelegram, { platform, telegram: root.telegram });
  await mount('recurring-buys', registerRecurring, root.recurring);
}
