import { AppError } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import { D, post, release, toSql } from '../ledger/index.ts';
import { retryTransient } from '../../platform/db/sql.ts';
import { findPair } from '../markets/index.ts';
import { lockOrder, updateOrder } from './orders.repo.ts';
import { executionPrice, fillEntry } from './settlement.ts';
import { type Effects, type LocalBook, publishEffects } from './trading.events.ts';

export type FillOutcome = 'filled' | 'skipped' | 'rejected';

/**
 * Fills one triggered order at `priceUsd` in its own transaction. The order row is locked and must still be open:
 * a cancel, another engine or a retry that got there first leaves nothing to do ('skipped'), so a fill can never
 * happen twice. A triggered buy whose price gapped beyond what it held and cannot be paid is rejected and its
 * hold released.
 */
export async function fillTriggered(platform: Platform, book: LocalBook, orderId: string, priceUsd: string): Promise<FillOutcome> {
  const db = platform.database.db;
  let effects: Effects | null = null;
  try {
    effects = await retryTransient(() =>
      db.transaction(async (tx) => {
        const row = await lockOrder(tx, orderId);
        if (row?.status !== 'open') return null;
        const pair = findPair(row.symbol);
        if (!pair) throw new Error(`order ${row.id} has unknown symbol ${row.symbol}`);
        const price = executionPrice(pair, priceUsd);
        const amount = new D(row.amount);
        const fill = fillEntry({
          userId: row.userId,
          orderId: row.id,
          pair,
          side: row.side,
          amount,
          price,
          feeRate: new D(row.feeRate),
          held: new D(row.held),
          heldAsset: row.heldAsset,
        });
        const updated = await updateOrder(tx, row.id, {
          status: 'closed',
          held: '0',
          filled: toSql(amount),
          cost: toSql(fill.cost),
          average: toSql(price),
          feeCost: toSql(fill.fee),
        });
        const posted = await post(tx, fill.entry);
        return { orders: [updated], balances: posted.balances };
      }),
    );
  } catch (err) {
    if (!(err instanceof AppError && err.code === 'INSUFFICIENT_FUNDS')) throw err;
    effects = await reject(platform, orderId, 'INSUFFICIENT_FUNDS');
    if (effects) publishEffects(platform, book, effects);
    return 'rejected';
  }
  if (!effects) return 'skipped';
  publishEffects(platform, book, effects);
  return 'filled';
}

async function reject(platform: Pick<Platform, 'database'>, orderId: string, reason: string): Promise<Effects | null> {
  return platform.database.db.transaction(async (tx) => {
    const row = await lockOrder(tx, orderId);
    if (row?.status !== 'open') return null;
    const updated = await updateOrder(tx, row.id, { status: 'rejected', held: '0', rejectReason: reason });
    const balances = new D(row.held).gt(0)
      ? (await release(tx, { userId: row.userId, asset: row.heldAsset, amount: row.held, reference: `order:${row.id}` })).balances
      : [];
    return { orders: [updated], balances };
  });
}
