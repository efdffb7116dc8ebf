import { formatMoney } from '@cryptovault/contract';
import { QUOTE_ASSET } from '../../platform/assets.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import { recordAudit } from '../audit/index.ts';
import { credit, D, emitBalanceChanges, type UserBalance } from '../ledger/index.ts';
import { notify } from '../notifications/index.ts';
import { recordKycUsage, releaseKycUsage } from '../kyc/index.ts';
import { contactOf, contactsOf } from '../auth/index.ts';
import { decodeCursor, page } from '../../platform/db/paging.ts';
import * as repo from './payments.repo.ts';
import type { DepositRow } from './payments.schema.ts';
import { depositView } from './payments.service.ts';

function adminDepositView(r: DepositRow, email: string) {
  return { ...depositView(r), userId: r.userId, userEmail: email, reviewReason: r.reviewReason, reviewNote: r.reviewNote };
}

async function emails(platform: Platform, ids: string[]): Promise<Map<string, string>> {
  const contacts = await contactsOf(platform.database.db, ids);
  return new Map([...contacts].map(([id, c]) => [id, c.email]));
}

/** Deposits an operator has to look at (partially paid, mismatched), newest first. */
export async function reviewQueue(platform: Platform, q: { limit: number; cursor?: string; review: 'pending' | 'resolved' | 'any' }) {
  const rows = await repo.listReviewDeposits(platform.database.db, q.review, q.limit, decodeCursor(q.cursor));
  const byId = await emails(platform, [...new Set(rows.map((r) => r.userId))]);
  return page(rows, q.limit, (r) => adminDepositView(r, byId.get(r.userId) ?? ''));
}

/**
 * Closes a review, optionally crediting what the operator established was received (at most the deposit's amount,
 * and only if nothing was credited for it yet).
 */
export async function resolveDeposit(
  platform: Platform,
  ctx: { adminId: string; requestId: string; channel?: 'console' | 'telegram' },
  id: string,
  input: { note: string; creditUsd?: string },
) {
  let balances: UserBalance[] = [];
  const row = await platform.database.db.transaction(async (tx) => {
    const dep = await repo.lockDeposit(tx, id);
    if (!dep) throw notFound('Deposit');
    if (dep.review !== 'pending') throw new AppError('INVALID_STATE', 'This deposit is not waiting for review');
    if (dep.userId === ctx.adminId) throw new AppError('FORBIDDEN', 'Another operator must decide on your own deposit');
    const set: Partial<repo.NewDeposit> = { review: 'resolved', reviewNote: input.note };
    if (input.creditUsd) {
      if (dep.creditedAt) throw new AppError('CONFLICT', 'This deposit was already credited');
      if (new D(input.creditUsd).gt(dep.amountUsd) || new D(input.creditUsd).decimalPlaces() > 2) {
        throw new AppError('VALIDATION_ERROR', `The amount to credit must be at most ${formatMoney(dep.amountUsd, QUOTE_ASSET)}, in cents`);
      }
      const posted = await credit(tx, {
        userId: dep.userId,
        asset: QUOTE_ASSET,
        amount: input.creditUsd,
        reference: `deposit:${dep.id}`,
        memo: { review: input.note },
      });
      balances = posted.balances;
      // What was credited counts against the tier's deposit allowance (an expired deposit had given its reservation back).
      await releaseKycUsage(tx, `deposit:${dep.id}`);
      await recordKycUsage(tx, { userId: dep.userId, kind: 'deposit', amountUsd: input.creditUsd, reference: `deposit:${dep.id}` });
      // An operator credits USD, also for a deposit that asked for its coin.
      set.creditAsset = QUOTE_ASSET;
      set.creditedUsd = input.creditUsd;
      set.creditedAmount = input.creditUsd;
      set.creditedAt = new Date();
    }
    const updated = await repo.updateDeposit(tx, id, set);
    await recordAudit(tx, {
      actorId: ctx.adminId,
      action: 'deposit.resolve',
      targetType: 'deposit',
      targetId: id,
      requestId: ctx.requestId,
      details: { userId: dep.userId, status: dep.status, creditUsd: input.creditUsd ?? null, note: input.note, channel: ctx.channel ?? 'console' },
    });
    return updated;
  });
  emitBalanceChanges(platform, balances);
  platform.realtime.toUser(row.userId, 'deposit:update', depositView(row));
  if (row.creditedUsd && input.creditUsd) {
    await notify(platform, {
      userId: row.userId,
      type: 'deposit',
      title: 'Deposit credited after review',
      body: `${formatMoney(row.creditedUsd, QUOTE_ASSET)} was credited to your balance.`,
      data: { depositId: row.id },
      email: true,
    });
  }
  const u = await contactOf(platform.database.db, row.userId);
  return adminDepositView(row, u?.email ?? '');
}
