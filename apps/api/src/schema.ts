/**
 * Every Drizzle table, re-exported from the module that owns it. The SQL that creates them lives in
 * apps/api/migrations; schema.test.ts checks the two agree. It lives outside platform/ (which must not import
 * modules): the database client needs no schema, since repos name their tables.
 */
export * from './platform/idempotency/idempotency.schema.ts';
export * from './platform/documents/documents.schema.ts';
export * from './modules/auth/users.schema.ts';
export * from './modules/auth/auth.schema.ts';
export * from './modules/audit/audit.schema.ts';
export * from './modules/payments/payments.schema.ts';
export * from './modules/notifications/notifications.schema.ts';
export * from './modules/ledger/ledger.schema.ts';
export * from './modules/trading/trading.schema.ts';
export * from './modules/withdrawals/withdrawals.schema.ts';
export * from './modules/transfers/transfers.schema.ts';
export * from './modules/alerts/alerts.schema.ts';
export * from './modules/security/security.schema.ts';
export * from './modules/markets/candles.schema.ts';
export * from './modules/portfolio/portfolio.schema.ts';
export * from './modules/watchlist/watchlist.schema.ts';
export * from './modules/apikeys/apikeys.schema.ts';
export * from './modules/kyc/kyc.schema.ts';
export * from './modules/legal/legal.schema.ts';
export * from './modules/support/support.schema.ts';
export * from './modules/telegram/telegram.schema.ts';
export * from './modules/recurring/recurring.schema.ts';
export * from './modules/gains/gains.schema.ts';
