import { realtimeModule } from '../realtime/realtime.module.ts';
import { adminModule } from './admin/admin.routes.ts';
import { alertsModule } from './alerts/alerts.routes.ts';
import { authModule } from './auth/auth.routes.ts';
import { devModule } from './dev/dev.routes.ts';
import { ledgerModule } from './ledger/ledger.routes.ts';
import { marketsModule } from './markets/markets.routes.ts';
import { notificationsModule } from './notifications/notifications.routes.ts';
import { opsModule } from './ops/ops.routes.ts';
import { paymentsModule } from './payments/payments.routes.ts';
import { polModule } from './pol/pol.routes.ts';
import { portfolioModule } from './portfolio/portfolio.routes.ts';
import { tradingModule } from './trading/trading.routes.ts';
import { transactionsModule } from './transactions/transactions.routes.ts';
import { transfersModule } from './transfers/transfers.routes.ts';
import { securityModule } from './security/security.routes.ts';
import type { AppModule } from './types.ts';
import { withdrawalsModule } from './withdrawals/withdrawals.routes.ts';

/** Every domain module, in registration order. */
export const modules: AppModule[] = [opsModule, marketsModule, authModule, securityModule, devModule, ledgerModule, tradingModule, portfolioModule, transactionsModule, notificationsModule, paymentsModule, realtimeModule, withdrawalsModule, transfersModule, adminModule, alertsModule, polModule];
