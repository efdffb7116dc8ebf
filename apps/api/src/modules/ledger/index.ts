/** The ledger module's public surface: balances, postings, the decimal type, reconciliation. */
export { emitBalanceChanges, getBalances, usdPrice } from './balances.ts';
export { insufficientFunds, moneyWords, shortfall } from './insufficient.ts';
export { availableOf, type UserHoldingsRow, userBalances, userHoldingsPage } from './ledger.repo.ts';
export { adjust, credit, hold, holdEntry, openingBalances, post, release, settleWithdrawal, shardFor, transfer } from './ledger.service.ts';
export type { AccountRef, JournalEntryInput, PostingInput, UserBalance } from './ledger.types.ts';
export { createLedgerWriter, type LedgerWriter } from './ledger.writer.ts';
export { D, type Dec, decimalPlaces, fixed, toSql, ZERO } from './money.ts';
export { reconcile } from './reconciliation.ts';
