import { z } from 'zod';
import { isoDateTime, pageOf, paginationQuery, positiveDecimalString } from './common.ts';
import { deposit } from './payments.ts';
import { withdrawal, withdrawalStatus } from './withdrawals.ts';

export const adminUser = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(['user', 'admin']),
  emailVerified: z.boolean(),
  twoFactorEnabled: z.boolean(),
  suspended: z.boolean(),
  suspendedAt: isoDateTime.nullable(),
  /** Frozen by the owner's "this wasn't me" link or an operator; lifted with POST /api/admin/users/:id/unfreeze. */
  frozenAt: isoDateTime.nullable(),
  createdAt: isoDateTime,
});
export const adminUserList = pageOf(adminUser);
export const adminUserQuery = paginationQuery.extend({ q: z.string().trim().max(254).optional() });

export const adminBalance = z.object({ asset: z.string(), available: z.string(), locked: z.string(), total: z.string() });
export const adminUserDetail = adminUser.extend({
  balances: z.array(adminBalance),
  activeSessions: z.number().int(),
  pendingWithdrawals: z.number().int(),
  deposits: z.number().int(),
});

export const reasonRequest = z.object({ reason: z.string().trim().min(3).max(500) });
export const completeWithdrawalRequest = z.object({
  txHash: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{16,128}$/, 'must be a transaction hash'),
});
export const adminActionResult = z.object({ ok: z.literal(true), revokedSessions: z.number().int().optional() });

export const adminWithdrawal = withdrawal.extend({
  userId: z.string(),
  userEmail: z.string(),
  approvedBy: z.array(z.string()),
});
/**
 * What an operator needs beside a queue item to decide on it without opening three other screens: who the account
 * is, how old it is, what it holds of the asset in question, and what it has moved before.
 */
export const accountContext = z.object({
  name: z.string(),
  email: z.string(),
  createdAt: isoDateTime,
  emailVerified: z.boolean(),
  twoFactorEnabled: z.boolean(),
  suspended: z.boolean(),
  frozen: z.boolean(),
  /** KYC verification tier (0–2). */
  tier: z.number().int(),
  /** The account's balance of the queue item's asset (available + locked), a decimal string. */
  balance: z.object({ asset: z.string(), available: z.string(), locked: z.string() }),
  /** Credited deposits ever, and their USD value at the time. */
  deposits: z.object({ count: z.number().int(), creditedUsd: z.string() }),
  /** Completed withdrawals in the last 30 days (count and USD at request time), and rejected ones ever. */
  withdrawals: z.object({ completed30d: z.number().int(), completedUsd30d: z.string(), rejected: z.number().int() }),
  /** Filled orders ever. */
  trades: z.number().int(),
});
export const adminWithdrawalQueueItem = adminWithdrawal.extend({ account: accountContext });
export const adminWithdrawalList = pageOf(adminWithdrawalQueueItem);
export const adminWithdrawalQuery = paginationQuery.extend({ status: withdrawalStatus.default('pending_review') });

export const adminDeposit = deposit.extend({
  userId: z.string(),
  userEmail: z.string(),
  /** Why the deposit is under review (partially paid, mismatched amount, paid after expiry, refunded after credit). */
  reviewReason: z.string().nullable(),
  reviewNote: z.string().nullable(),
});
export const adminDepositQueueItem = adminDeposit.extend({ account: accountContext });
export const adminDepositList = pageOf(adminDepositQueueItem);
export const adminDepositQuery = paginationQuery.extend({ review: z.enum(['pending', 'resolved', 'any']).default('pending') });
export const resolveDepositRequest = z.object({
  note: z.string().trim().min(3).max(500),
  /** Credit this USD amount (at most the deposit's amount); omit to close without crediting. */
  creditUsd: positiveDecimalString.optional(),
});

export const platformStats = z.object({
  users: z.object({ total: z.number().int(), verified: z.number().int(), suspended: z.number().int(), admins: z.number().int(), newLast24h: z.number().int() }),
  deposits: z.object({ pending: z.number().int(), underReview: z.number().int(), finishedLast24h: z.number().int(), creditedUsdLast24h: z.string() }),
  withdrawals: z.object({ pendingReview: z.number().int(), approved: z.number().int(), completedLast24h: z.number().int() }),
  transfers: z.object({ last24h: z.number().int() }),
  alerts: z.object({ active: z.number().int() }),
  prices: z.object({ stale: z.boolean(), ageMs: z.number().nullable() }),
  /** Where the ledger's reconciliation report lives. */
  reconciliationUrl: z.string(),
  generatedAt: isoDateTime,
});

/** Per-day activity for the console's charts (UTC days, oldest first, every day present). */
export const statsSeriesQuery = z.object({ days: z.coerce.number().int().min(7).max(90).default(14) });
export const statsSeriesDay = z.object({
  day: z.iso.date(),
  signups: z.number().int(),
  depositsCreditedUsd: z.string(),
  withdrawalsCompletedUsd: z.string(),
  trades: z.number().int(),
  tradedUsd: z.string(),
});
export const statsSeries = z.object({ days: z.array(statsSeriesDay), generatedAt: isoDateTime });

export const auditEntry = z.object({
  id: z.string(),
  actorId: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  requestId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  createdAt: isoDateTime,
});
export const auditList = pageOf(auditEntry);
export const auditQuery = paginationQuery.extend({
  actorId: z.uuid().optional(),
  action: z.string().max(100).optional(),
  targetType: z.string().max(50).optional(),
  targetId: z.string().max(100).optional(),
});

export const announcementRequest = z.object({
  title: z.string().trim().min(1).max(120),
  message: z.string().trim().min(1).max(2000),
  level: z.enum(['info', 'warning', 'critical']).default('info'),
});
export const announcement = z.object({
  id: z.string(),
  title: z.string(),
  message: z.string(),
  level: z.enum(['info', 'warning', 'critical']),
  createdBy: z.string().nullable(),
  createdAt: isoDateTime,
});
/** Also the payload of the `announcement` socket event. */
export type Announcement = z.infer<typeof announcement>;
export const announcementList = z.object({ items: z.array(announcement) });
