import { z } from 'zod';
import { isoDateTime, pageOf, paginationQuery, timestampFilter } from './common.ts';

export const transactionType = z.enum(['deposit', 'withdrawal', 'trade', 'fee', 'transfer_in', 'transfer_out', 'adjustment']);

/** One line of ledger-backed history: the net change of one asset for one purpose in one journal entry. */
export const transactionSchema = z.object({
  id: z.string(),
  entryId: z.string(),
  type: transactionType,
  asset: z.string(),
  amount: z.string().describe('signed: negative leaves the account'),
  reference: z.string().nullable(),
  createdAt: isoDateTime,
  /** Present on rows brought across from the original system (npm run import:legacy): read-only history. */
  imported: z.literal(true).optional(),
  description: z.string().optional().describe("imported rows: the original's description and status"),
});
export type Transaction = z.infer<typeof transactionSchema>;

const range = {
  from: timestampFilter.optional(),
  to: timestampFilter.optional(),
};
export const listTransactionsQuery = paginationQuery.extend({
  type: transactionType.optional(),
  asset: z
    .string()
    .regex(/^[A-Za-z0-9]{2,10}$/)
    .optional(),
  ...range,
});
export const transactionPage = pageOf(transactionSchema);
export const exportTransactionsQuery = z.object({ format: z.enum(['csv', 'json']).default('csv'), ...range });
