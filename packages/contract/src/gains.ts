import { z } from 'zod';

/**
 * Realised gains and the yearly tax report (issue 22). How lots are matched to disposals:
 *   fifo     first in, first out: the oldest lot is sold first;
 *   hifo     highest in, first out: the lot with the highest cost per unit is sold first;
 *   average  average cost: every unit of an asset costs the pool's average (fees included); acquisition dates
 *            (for the holding period) are still taken oldest first.
 * See docs/tax-report.md.
 */
export const GAINS_METHODS = ['fifo', 'hifo', 'average'] as const;
export const gainsMethod = z.enum(GAINS_METHODS);
export type GainsMethod = z.infer<typeof gainsMethod>;

export const gainsSettings = z.object({ method: gainsMethod.describe('the cost-basis method used for realised gains and the tax report') });
export type GainsSettings = z.infer<typeof gainsSettings>;

/** Realised and unrealised P&L of one asset, in USD (decimal strings, cents). */
export const assetPnl = z.object({
  asset: z.string(),
  amount: z.string().describe('what the open lots hold (bought, deposited or received, not yet sold or sent)'),
  costBasisUsd: z.string().describe('cost of the open lots'),
  priceUsd: z.string().nullable(),
  valueUsd: z.string().nullable().describe('amount × current price; null without a price'),
  realizedUsd: z.string().describe('gains of every sale so far (proceeds net of fees − cost of the lots sold)'),
  unrealizedUsd: z.string().nullable().describe('valueUsd − costBasisUsd; null without a price'),
  totalUsd: z.string().nullable().describe('realizedUsd + unrealizedUsd'),
});
export const pnlResponse = z.object({
  method: gainsMethod,
  assets: z.array(assetPnl),
  realizedUsd: z.string(),
  unrealizedUsd: z.string(),
  totalUsd: z.string(),
});
export type PnlResponse = z.infer<typeof pnlResponse>;

/** Years are calendar years in UTC. */
export const taxReportQuery = z.object({
  year: z.coerce.number().int().min(2000).max(2100).optional().describe('the calendar year (UTC); defaults to the current one'),
  format: z.enum(['csv', 'pdf']).default('csv'),
  method: gainsMethod.optional().describe('defaults to the saved setting'),
});

/** Columns of the report's CSV, in order (one row per disposal and acquisition lot it used). */
export const TAX_REPORT_COLUMNS = [
  'asset',
  'quantity',
  'acquired_at',
  'disposed_at',
  'cost_usd',
  'proceeds_usd',
  'fee_usd',
  'gain_usd',
  'holding_period',
  'reference',
] as const;
