import { z } from 'zod';

export const holdingSchema = z.object({
  asset: z.string(),
  amount: z.string(),
  priceUsd: z.string().nullable(),
  valueUsd: z.string().nullable(),
  allocation: z.string().describe('share of totalUsd, 0..1'),
  averageCostUsd: z.string().nullable().describe('average cost per unit from fills (fees included); null without fills'),
  unrealizedPnlUsd: z.string().nullable(),
});
export const portfolioResponse = z.object({
  totalUsd: z.string(),
  change24hUsd: z.string().describe('what the current holdings gained or lost over 24 h at market prices'),
  holdings: z.array(holdingSchema),
});
export type Portfolio = z.infer<typeof portfolioResponse>;

export const portfolioRange = z.enum(['1d', '7d', '30d', '1y']);
export const portfolioHistoryQuery = z.object({ range: portfolioRange.default('7d') });
export const portfolioHistoryResponse = z.object({
  items: z.array(z.object({ time: z.string(), valueUsd: z.string() })),
});
