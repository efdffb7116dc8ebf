import { AppError } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import type { Executor } from '../../platform/db/client.ts';
import { D, type Dec, post, release, toSql, type UserBalance } from '../ledger/index.ts';
import { retryTransient } from '../../platform/db/sql.ts';
import { findPair } from '../markets/index.ts';
import { lockGroup, updateOrder } from './orders.repo.ts';
import { executionPrice, fillEntry } from './settlement.ts';
import { type Effects, type LocalBook, publishEffects } from './trading.events.ts';
import type { OrderRow } from './trading.schema.ts';

export type FillOutcome = 'filled' | 'triggered' | 'expired' | 'skipped' | 'rejected';

/** A stop-limit's limit is marketable at `price`: a buy at or below its limit, a sell at or above. */
function limitReached(row: OrderRow, price: Dec): boolean {
  return row.price !== null && (row.side === 'buy' ? price.lte(row.price) : price.gte(row.price));
}

/**
 * Fills one triggered order at `priceUsd` in its own transaction. The order row (and an OCO leg's linked order) is
 * locked and must still be open: a cancel, another engine or a retry that got there first leaves nothing to do
 * ('skipped'), so a fill can never happen twice. An OCO leg's fill cancels the other leg in the same transaction
 * and releases what the pair held. A stop-limit whose trigger fires while its limit is not reachable is marked
 * triggered and rests as a limit ('triggered'). A GTD order past its time expires instead ('expired'). A
 * triggered buy whose price gapped beyond what it held and cannot be paid is rejected and its hold released.
 */
export async function fillTriggered(platform: Platform, book: LocalBook, orderId: string, priceUsd: string): Promise<FillOutcome> {
  const db = platform.database.db;
  let result: { effects: Effects; outcome: FillOutcome } | null = null;
  try {
    result = await retryTransient(() =>
      db.transaction(async (tx) => {
        const group = await lockGroup(tx, orderId);
        if (group?.row.status !== 'open') return null;
        const { row, linked } = group;
        if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) return { effects: await closeGroup(tx, group, 'expired'), outcome: 'expired' as const };
        const pair = findPair(row.symbol);
        if (!pair) throw new Error(`order ${row.id} has unknown symbol ${row.symbol}`);
        const price = executionPrice(pair, priceUsd);
        if (row.type === 'stop_limit' && row.triggeredAt === null && !limitReached(row, price)) {
          const updated = await updateOrder(tx, row.id, { triggeredAt: new Date() });
          return { effects: { orders: [updated], balances: [] }, outcome: 'triggered' as const };
        }
        const amount = new D(row.amount);
        const held = new D(row.held).plus(linked?.status === 'open' ? linked.held : 0);
        const fill = fillEntry({
          userId: row.userId,
          orderId: row.id,
          pair,
          side: row.side,
          amount,
          price,
          feeRate: new D(row.feeRate),
          held,
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
        const changed = [updated];
        if (linked?.status === 'open') changed.push(await updateOrder(tx, linked.id, { status: 'canceled', held: '0' }));
        const posted = await post(tx, fill.entry);
        return { effects: { orders: changed, balances: posted.balances }, outcome: 'filled' as const };
      }),
    );
  } catch (err) {
    if (!(err instanceof AppError && err.code === 'INSUFFICIENT_FUNDS')) throw err;
    const effects = await db.transaction(async (tx) => {
      const group = await lockGroup(tx, orderId);
      return group?.row.status === 'open' ? closeGroup(tx, group, 'rejected', 'INSUFFICIENT_FUNDS') : null;
    });
    if (effects) publishEffects(platform, book, effects);
    return 'rejected';
  }
  if (!result) return 'skipped';
  publishEffects(platform, book, result.effects);
  return result.outcome;
}

/**
 * Closes a locked open order with `status` (an OCO's other leg is canceled with it) and releases everything the
 * pair held, in the caller's transaction.
 */
export async function closeGroup(
  tx: Executor,
  { row, linked }: { row: OrderRow; linked: OrderRow | null },
  status: 'canceled' | 'expired' | 'rejected',
  rejectReason?: string,
): Promise<Effects> {
  const changed = [await updateOrder(tx, row.id, { status, held: '0', ...(rejectReason ? { rejectReason } : {}) })];
  let held = new D(row.held);
  if (linked?.status === 'open') {
    held = held.plus(linked.held);
    changed.push(await updateOrder(tx, linked.id, { status: status === 'expired' ? 'expired' : 'canceled', held: '0' }));
  }
  const balances: UserBalance[] = held.gt(0)
    ? (await release(tx, { userId: row.userId, asset: row.heldAsset, amount: held, reference: `order:${row.id}` })).balances
    : [];
  return { orders: changed, balances };
}

/** Expires one GTD order whose time has come (and its OCO partner), releasing its hold. False when nothing was due. */
export async function expireOrder(platform: Platform, book: LocalBook, orderId: string, at: Date): Promise<boolean> {
  const effects = await retryTransient(() =>
    platform.database.db.transaction(async (tx) => {
      const group = await lockGroup(tx, orderId);
      if (group?.row.status !== 'open' || !group.row.expiresAt || group.row.expiresAt.getTime() > at.getTime()) return null;
      return closeGroup(tx, group, 'expired');
    }),
  );
  if (!effects) return false;
  publishEffects(platform, book, effects);
  return true;
}
