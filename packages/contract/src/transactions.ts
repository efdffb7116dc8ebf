import { z } from 'zod';
import { isoDateTime, pageOf, paginationQuery, timestampFilter } from './common.ts';

/** What a history row is. `trade` carries its fee; `fee` is a fee charged on its own. */
export const transactionType = z.enum(['deposit', 'withdrawal', 'trade', 'fee', 'transfer_in', 'transfer_out', 'adjustment']);
export type TransactionType = z.infer<typeof transactionType>;

/** The history filter: `transfer` is both directions; `fee` is every row that charged a fee (trades, withdrawals, fees on their own). */
export const transactionFilterType = z.enum(['trade', 'deposit', 'withdrawal', 'transfer', 'transfer_in', 'transfer_out', 'fee', 'adjustment']);
export type TransactionFilterType = z.infer<typeof transactionFilterType>;

/**
 * One row of history as a person reads it: a trade, a deposit, a withdrawal, a transfer sent or received, a fee or
 * an adjustment, derived from the journal entry that moved the money (one row per trade, one per asset otherwise).
 * Every field is present on every row (null when it does not apply), in the order of the CSV export's columns.
 */
export const transactionSchema = z.object({
  id: z.string(),
  createdAt: isoDateTime,
  type: transactionType,
  /** In words: "Buy", "Sell", "Deposit", "Withdrawal", "Sent", "Received", "Fee", "Adjustment". */
  label: z.string(),
  /** Trades: the pair, e.g. "BTC/USD". */
  pair: z.string().nullable(),
  side: z.enum(['buy', 'sell']).nullable(),
  asset: z.string(),
  amount: z.string().describe('signed change of `asset`: negative leaves the account'),
  /** Trades: the execution price in the quote currency. */
  price: z.string().nullable(),
  /** Trades: amount × price, in the quote currency, before the fee. */
  value: z.string().nullable(),
  fee: z.string().nullable(),
  feeAsset: z.string().nullable(),
  /** Signed change of `totalAsset`, fee included: what the row did to the balance. */
  total: z.string(),
  totalAsset: z.string(),
  /** Transfers: the other person, as the transfers list shows them ("Name (email)"). */
  counterparty: z.string().nullable(),
  /** The journal reference, e.g. `order:<id>`, `deposit:<id>`. */
  reference: z.string().nullable(),
  /** Where the web app shows the order or payment behind the row (a path), when it has a page. */
  link: z.string().nullable(),
  /** Rows brought across from the original system (npm run import:legacy): read-only history. */
  imported: z.boolean(),
  /** Imported rows: the original's description and status. */
  description: z.string().nullable(),
});
export type Transaction = z.infer<typeof transactionSchema>;

/** The CSV export's header: the same fields, in the same order, as each JSON row. */
export const TRANSACTION_COLUMNS = Object.keys(transactionSchema.shape) as (keyof Transaction)[];

const range = {
  from: timestampFilter.optional(),
  to: timestampFilter.optional(),
};
const filters = {
  type: transactionFilterType.optional(),
  asset: z
    .string()
    .regex(/^[A-Za-z0-9]{2,10}$/, 'must be an asset symbol such as BTC')
    .optional(),
  ...range,
};
export const listTransactionsQuery = paginationQuery.extend(filters);
export const transactionPage = pageOf(transactionSchema);
export const exportTransactionsQuery = z.object({ format: z.enum(['csv', 'json']).default('csv'), ...filters });
