import type { Adjustment, OperatorRole } from '@cryptovault/contract';
import { formatMoney } from '@cryptovault/contract';
import { findAsset, QUOTE_ASSET, USD_PRECISION } from '../../platform/assets.ts';
import type { Tx } from '../../platform/db/client.ts';
import { createdAtCursor, pageBy, type Paged } from '../../platform/db/paging.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import { recordAudit } from '../audit/index.ts';
import { contactOf, contactsOf } from '../auth/index.ts';
import { adjust, availableOf, D, emitBalanceChanges } from '../ledger/index.ts';
import * as repo from './adjustments.repo.ts';

/**
 * Maker-checker balance adjustments (issue 21). A finance operator proposes (user, asset, signed amount, reason,
 * evidence); a DIFFERENT finance operator approves, which posts one balanced ledger entry (ledger `adjust`: the
 * user's available balance against the platform `adjustments` account) in the same transaction that marks the
 * proposal posted, or rejects it with a reason. Every step is audited. The row lock on the proposal makes approval
 * idempotent: a double click or two operators at once post it once (the second finds it posted and answers it).
 */

export interface OperatorCtx {
  adminId: string;
  requestId: string;
  roles?: readonly OperatorRole[];
}

type Deps = Pick<Platform, 'database' | 'realtime' | 'prices'>;

/** The asset's symbol and how many decimals its amounts may have (USD: cents). */
function assetRule(asset: string): { symbol: string; places: number } {
  const symbol = asset.trim().toUpperCase();
  if (symbol === QUOTE_ASSET) return { symbol, places: USD_PRECISION };
  const a = findAsset(symbol);
  if (!a || a.symbol !== symbol) throw new AppError('VALIDATION_ERROR', `Unknown asset ${symbol}: use a listed symbol such as USD or BTC`);
  return { symbol, places: a.amountPrecision };
}

async function views(platform: Deps, list: repo.AdjustmentRow[]): Promise<Adjustment[]> {
  const db = platform.database.db;
  const people = await contactsOf(
    db,
    list.flatMap((r) => [r.userId, r.proposedBy, ...(r.decidedBy ? [r.decidedBy] : [])]),
  );
  return Promise.all(
    list.map(async (r) => ({
      id: r.id,
      userId: r.userId,
      userEmail: people.get(r.userId)?.email ?? '',
      userName: people.get(r.userId)?.name ?? '',
      asset: r.asset,
      amount: new D(r.amount).toFixed(),
      reason: r.reason,
      evidence: r.evidence,
      status: r.status,
      proposedBy: r.proposedBy,
      proposedByEmail: people.get(r.proposedBy)?.email ?? null,
      proposedAt: r.proposedAt.toISOString(),
      decidedBy: r.decidedBy,
      decidedByEmail: r.decidedBy ? (people.get(r.decidedBy)?.email ?? null) : null,
      decidedAt: r.decidedAt?.toISOString() ?? null,
      rejectReason: r.rejectReason,
      entryId: r.entryId,
      userAvailable: new D(await availableOf(db, r.userId, r.asset)).toFixed(),
    })),
  );
}

export async function listAdjustments(
  platform: Deps,
  q: { status: 'pending' | 'posted' | 'rejected' | 'any'; limit: number; cursor?: string | undefined },
): Promise<Paged<Adjustment>> {
  const found = await repo.listAdjustments(platform.database.db, q.status, q.limit, createdAtCursor.decode(q.cursor));
  const paged = pageBy(
    found,
    q.limit,
    (r) => r,
    (last) => createdAtCursor.encode({ createdAt: last.proposedAt, id: last.id }),
  );
  return { items: await views(platform, paged.items), nextCursor: paged.nextCursor };
}

export async function proposeAdjustment(
  platform: Deps,
  ctx: OperatorCtx,
  input: { userId: string; asset: string; amount: string; reason: string; evidence: string },
): Promise<Adjustment> {
  const { symbol, places } = assetRule(input.asset);
  const amount = new D(input.amount);
  if (amount.decimalPlaces() > places) {
    throw new AppError('VALIDATION_ERROR', `${symbol} amounts have at most ${places} decimal places`, { field: 'amount' });
  }
  if (input.userId === ctx.adminId) throw new AppError('FORBIDDEN', 'You cannot propose an adjustment of your own balance');
  const db = platform.database.db;
  const row = await db.transaction(async (tx) => {
    const user = await contactOf(tx, input.userId);
    if (!user) throw notFound('User');
    if (amount.isNegative()) {
      // An early answer for the proposer; the ledger's CHECK decides again at approval.
      const available = new D(await availableOf(tx, input.userId, symbol));
      if (available.lt(amount.abs())) {
        throw new AppError(
          'INSUFFICIENT_FUNDS',
          `The debit is larger than the user's available balance (${formatMoney(available.toFixed(), symbol)}): an adjustment cannot take a balance below zero`,
          { available: available.toFixed() },
        );
      }
    }
    const created = await repo.insertAdjustment(tx, {
      userId: input.userId,
      asset: symbol,
      amount: amount.toFixed(),
      reason: input.reason,
      evidence: input.evidence,
      proposedBy: ctx.adminId,
    });
    await recordAudit(tx, {
      actorId: ctx.adminId,
      action: 'adjustment.proposed',
      targetType: 'adjustment',
      targetId: created.id,
      requestId: ctx.requestId,
      details: { userId: input.userId, asset: symbol, amount: amount.toFixed(), reason: input.reason, evidence: input.evidence },
    });
    return created;
  });
  return (await views(platform, [row]))[0]!;
}

/** The proposal under its row lock, with the four-eyes checks every decision shares. */
async function lockedForDecision(tx: Tx, ctx: OperatorCtx, id: string) {
  const row = await repo.findAdjustment(tx, id, true);
  if (!row) throw notFound('Adjustment');
  if (row.status !== 'pending') return { row, decided: true as const };
  if (row.proposedBy === ctx.adminId) {
    throw new AppError('FORBIDDEN', 'You proposed this adjustment: a different finance operator must approve or reject it');
  }
  if (row.userId === ctx.adminId) throw new AppError('FORBIDDEN', 'You cannot decide an adjustment of your own balance');
  return { row, decided: false as const };
}

/**
 * Approves and posts. Already posted (a double click, a concurrent approval): answers it as it is, posting nothing.
 * Rejected: 409 INVALID_STATE. A debit the balance no longer covers: 400 INSUFFICIENT_FUNDS, and the proposal stays
 * pending with nothing written.
 */
export async function approveAdjustment(platform: Deps, ctx: OperatorCtx, id: string): Promise<Adjustment> {
  const db = platform.database.db;
  const { row, balances } = await db.transaction(async (tx) => {
    const locked = await lockedForDecision(tx, ctx, id);
    if (locked.decided) {
      if (locked.row.status === 'posted') return { row: locked.row, balances: [] };
      throw new AppError('INVALID_STATE', 'This adjustment was rejected; propose a new one if it is still needed');
    }
    const p = locked.row;
    let posted: Awaited<ReturnType<typeof adjust>>;
    try {
      posted = await adjust(tx, {
        reference: `adjustment:${p.id}`,
        userId: p.userId,
        asset: p.asset,
        amount: p.amount,
        memo: { adjustmentId: p.id, proposedBy: p.proposedBy, approvedBy: ctx.adminId, reason: p.reason },
      });
    } catch (err) {
      if (err instanceof AppError && err.code === 'INSUFFICIENT_FUNDS') {
        throw new AppError('INSUFFICIENT_FUNDS', "The user's available balance no longer covers this debit: reject it, or wait until it does");
      }
      throw err;
    }
    const updated = await repo.markPosted(tx, p.id, ctx.adminId, posted.entryId);
    await recordAudit(tx, {
      actorId: ctx.adminId,
      action: 'adjustment.approved',
      targetType: 'adjustment',
      targetId: p.id,
      requestId: ctx.requestId,
      details: { userId: p.userId, asset: p.asset, amount: new D(p.amount).toFixed(), proposedBy: p.proposedBy, entryId: posted.entryId },
    });
    return { row: updated, balances: posted.balances };
  });
  if (balances.length) emitBalanceChanges(platform, balances);
  return (await views(platform, [row]))[0]!;
}

/** Rejects with a reason (a different operator than the proposer). Already rejected: answered as it is; posted: 409. */
export async function rejectAdjustment(platform: Deps, ctx: OperatorCtx, id: string, reason: string): Promise<Adjustment> {
  const row = await platform.database.db.transaction(async (tx) => {
    const locked = await lockedForDecision(tx, ctx, id);
    if (locked.decided) {
      if (locked.row.status === 'rejected') return locked.row;
      throw new AppError('INVALID_STATE', 'This adjustment was already approved and posted; correct it with a new adjustment');
    }
    const updated = await repo.markRejected(tx, id, ctx.adminId, reason);
    await recordAudit(tx, {
      actorId: ctx.adminId,
      action: 'adjustment.rejected',
      targetType: 'adjustment',
      targetId: id,
      requestId: ctx.requestId,
      details: { reason, userId: updated.userId, asset: updated.asset, amount: new D(updated.amount).toFixed(), proposedBy: updated.proposedBy },
    });
    return updated;
  });
  return (await views(platform, [row]))[0]!;
}
