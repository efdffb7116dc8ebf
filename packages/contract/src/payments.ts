import { z } from 'zod';
import { isoDateTime, pageOf, paginationQuery, positiveDecimalString } from './common.ts';

/** NOWPayments payment statuses (the simulated provider uses the same). */
export const DEPOSIT_STATUSES = ['waiting', 'confirming', 'confirmed', 'sending', 'partially_paid', 'finished', 'failed', 'refunded', 'expired'] as const;
export const depositStatus = z.enum(DEPOSIT_STATUSES);
export type DepositStatus = z.infer<typeof depositStatus>;

export const createDepositRequest = z.object({
  /** What the user wants credited, in USD. */
  amountUsd: positiveDecimalString,
  /** Provider ticker of the coin to pay with, e.g. `btc`, `eth`, `usdterc20`. */
  payCurrency: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9]{2,20}$/, 'must be a currency ticker such as "btc"'),
});
export type CreateDepositRequest = z.infer<typeof createDepositRequest>;

export const deposit = z.object({
  id: z.string(),
  status: depositStatus,
  payAddress: z.string().nullable(),
  payAmount: z.string().nullable(),
  payCurrency: z.string(),
  amountUsd: z.string(),
  /** What the provider reports as received so far, in the pay currency. */
  actuallyPaid: z.string().nullable(),
  /** USD credited to the balance (null until credited). */
  creditedUsd: z.string().nullable(),
  expiresAt: isoDateTime.nullable(),
  provider: z.enum(['nowpayments', 'simulated']),
  providerPaymentId: z.string(),
  /** `pending` while an operator has to look at it (partially paid, refunded after credit, ...). */
  review: z.enum(['pending', 'resolved']).nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type Deposit = z.infer<typeof deposit>;

export const depositList = pageOf(deposit);
export const depositListQuery = paginationQuery;

export const devCompleteDepositRequest = z
  .object({ status: z.enum(['finished', 'partially_paid', 'failed', 'expired', 'confirming']).default('finished') })
  .default({ status: 'finished' });

export const webhookAck = z.object({ status: z.enum(['ok', 'accepted']) });
