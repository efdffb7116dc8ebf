import { z } from 'zod';
import { isoDateTime, pageOf, paginationQuery, positiveDecimalString } from './common.ts';

export const WITHDRAWAL_STATUSES = ['pending_review', 'approved', 'completed', 'rejected', 'canceled'] as const;
export const withdrawalStatus = z.enum(WITHDRAWAL_STATUSES);
export type WithdrawalStatus = z.infer<typeof withdrawalStatus>;

export const createWithdrawalRequest = z
  .object({
    /** Asset symbol, e.g. `BTC`. */
    asset: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z0-9]{2,10}$/),
    amount: positiveDecimalString,
    /** The destination; or `addressId`, a usable entry of the address book (required in "address book only" mode unless the address matches one). */
    address: z.string().trim().min(20).max(128).optional(),
    network: z.string().trim().toLowerCase().max(20).optional(),
    addressId: z.uuid().optional(),
  })
  .refine((r) => (r.address === undefined) !== (r.addressId === undefined), { message: 'give either address or addressId', path: ['address'] });
// No code in the request: a withdrawal needs a recent step-up on the session (POST /api/auth/step-up), like every
// sensitive action; without one the answer is 403 STEP_UP_REQUIRED.
export type CreateWithdrawalRequest = z.infer<typeof createWithdrawalRequest>;

export const withdrawal = z.object({
  id: z.string(),
  asset: z.string(),
  amount: z.string(),
  fee: z.string(),
  /** amount + fee: what was locked on request. */
  total: z.string(),
  address: z.string(),
  network: z.string(),
  status: withdrawalStatus,
  amountUsd: z.string(),
  approvals: z.number().int(),
  requiredApprovals: z.number().int(),
  txHash: z.string().nullable(),
  rejectReason: z.string().nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type Withdrawal = z.infer<typeof withdrawal>;

export const withdrawalList = pageOf(withdrawal);
export const withdrawalListQuery = paginationQuery.extend({ status: withdrawalStatus.optional() });
