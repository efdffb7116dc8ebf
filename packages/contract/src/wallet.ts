import { z } from 'zod';

export const balanceItem = z.object({
  asset: z.string(),
  available: z.string(),
  locked: z.string().describe('held by open orders and pending withdrawals'),
  total: z.string(),
  valueUsd: z.string().nullable().describe('null when no current price is known'),
});
export type BalanceItem = z.infer<typeof balanceItem>;

/** GET /api/wallet/balances; also the payload of the `balance:update` socket event (`{ items }`). */
export const balancesResponse = z.object({ items: z.array(balanceItem), totalUsd: z.string() });
export type BalancesResponse = z.infer<typeof balancesResponse>;
export const balanceUpdateEvent = z.object({ items: z.array(balanceItem) });
export type BalanceUpdateEvent = z.infer<typeof balanceUpdateEvent>;

/** GET /api/admin/reconciliation: per asset, users' balances + platform accounts against the journal. */
export const reconciliationResponse = z.object({
  ok: z.boolean(),
  checkedAt: z.string(),
  items: z.array(
    z.object({
      asset: z.string(),
      usersTotal: z.string(),
      platformTotal: z.string(),
      journalTotal: z.string().describe('sum of every posting: zero in a balanced journal'),
      drift: z.string().describe('(users + platform) − journal: must be zero'),
      mismatchedAccounts: z.number().int().describe('accounts whose balance differs from the sum of their postings'),
      unbalancedEntries: z.number().int().describe('journal entries that do not sum to zero in this asset'),
    }),
  ),
});
export type Reconciliation = z.infer<typeof reconciliationResponse>;
