import { and, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import { rows } from '../../platform/db/sql.ts';
import { type NewOrderRow, type OrderRow, orders } from './trading.schema.ts';

export type OrderWithCursor = OrderRow & { cursorTs: string };

/** A row of legacy_orders (migration 0015): an order imported from the original system, read-only. */
export interface LegacyOrderRow {
  id: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit' | 'stop_loss' | 'take_profit';
  original_type: string;
  status: 'closed' | 'canceled' | 'rejected' | 'expired';
  original_status: string;
  time_in_force: 'GTC' | 'IOC' | 'FOK';
  price: string | null;
  trigger_price: string | null;
  amount: string;
  filled: string;
  cost: string;
  average: string | null;
  fee_cost: string;
  fee_currency: string;
  created_at: string;
  updated_at: string;
  cursorTs: string;
}

/** Keyset position: creation time as fixed-width UTC text (microseconds), so orders and imported orders merge in order. */
const cursorText = (col: SQL) => sql<string>`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The order, row-locked for the rest of the transaction (fill and cancel both take this lock first). */
export async function lockOrder(executor: Executor, id: string, userId?: string): Promise<OrderRow | null> {
  const where = userId ? and(eq(orders.id, id), eq(orders.userId, userId)) : eq(orders.id, id);
  const [row] = await executor.select().from(orders).where(where).for('update');
  return row ?? null;
}

/**
 * The order and, for an OCO leg, its linked order, both row-locked. Locks are taken in id order in one statement,
 * whichever leg the caller names, so a fill of one leg and a cancel of the other cannot deadlock.
 */
export async function lockGroup(executor: Executor, id: string, userId?: string): Promise<{ row: OrderRow; linked: OrderRow | null } | null> {
  const where = userId ? and(eq(orders.id, id), eq(orders.userId, userId)) : eq(orders.id, id);
  const [peek] = await executor.select({ linkedOrderId: orders.linkedOrderId }).from(orders).where(where);
  if (!peek) return null;
  if (peek.linkedOrderId === null) {
    const row = await lockOrder(executor, id, userId);
    return row ? { row, linked: null } : null;
  }
  const locked = await executor
    .select()
    .from(orders)
    .where(inArray(orders.id, [id, peek.linkedOrderId]))
    .orderBy(orders.id)
    .for('update');
  const row = locked.find((r) => r.id === id);
  return row ? { row, linked: locked.find((r) => r.id !== id) ?? null } : null;
}

export async function updateOrder(executor: Executor, id: string, set: Partial<NewOrderRow>): Promise<OrderRow> {
  const [row] = await executor
    .update(orders)
    .set({ ...set, updatedAt: sql`now()` })
    .where(eq(orders.id, id))
    .returning();
  return row!;
}

export async function findOrder(executor: Executor, userId: string, id: string): Promise<OrderRow | null> {
  const [row] = await executor
    .select()
    .from(orders)
    .where(and(eq(orders.id, id), eq(orders.userId, userId)));
  return row ?? null;
}

export async function listOrders(
  executor: Executor,
  q: { userId: string; status: 'open' | 'closed' | 'all'; symbol?: string; limit: number; after?: { ts: string; id: string } },
): Promise<OrderWithCursor[]> {
  const conds: SQL[] = [eq(orders.userId, q.userId)];
  if (q.status === 'open') conds.push(eq(orders.status, 'open'));
  if (q.status === 'closed') conds.push(inArray(orders.status, ['closed', 'canceled', 'rejected', 'expired']));
  if (q.symbol) conds.push(eq(orders.symbol, q.symbol));
  if (q.after) conds.push(sql`(${orders.createdAt}, ${orders.id}) < (${q.after.ts}::timestamptz, ${q.after.id}::uuid)`);
  const rows = await executor
    .select({ order: orders, cursorTs: cursorText(sql`${orders.createdAt}`) })
    .from(orders)
    .where(and(...conds))
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(q.limit);
  return rows.map((r) => ({ ...r.order, cursorTs: r.cursorTs }));
}

/**
 * The user's imported orders (legacy_orders), for closed/all history: never open, so `open` asks for none. Same
 * keyset as listOrders, so the service merges the two pages.
 */
export async function listLegacyOrders(
  executor: Executor,
  q: { userId: string; status: 'open' | 'closed' | 'all'; symbol?: string | undefined; limit: number; after?: { ts: string; id: string } | undefined },
): Promise<LegacyOrderRow[]> {
  if (q.status === 'open') return [];
  const conds: SQL[] = [sql`user_id = ${q.userId}`];
  if (q.symbol) conds.push(sql`symbol = ${q.symbol}`);
  if (q.after) conds.push(sql`(created_at, id) < (${q.after.ts}::timestamptz, ${q.after.id}::uuid)`);
  return rows<LegacyOrderRow>(
    executor,
    sql`select id::text as id, symbol, side, type, original_type, status, original_status, time_in_force, price::text as price,
          trigger_price::text as trigger_price, amount::text as amount, filled::text as filled, cost::text as cost, average::text as average,
          fee_cost::text as fee_cost, fee_currency, created_at::text as created_at, updated_at::text as updated_at,
          ${cursorText(sql`created_at`)} as "cursorTs"
        from legacy_orders where ${sql.join(conds, sql` and `)}
        order by created_at desc, id desc
        limit ${q.limit}`,
  );
}

export async function findLegacyOrder(executor: Executor, userId: string, id: string): Promise<LegacyOrderRow | null> {
  const [row] = await rows<LegacyOrderRow>(
    executor,
    sql`select id::text as id, symbol, side, type, original_type, status, original_status, time_in_force, price::text as price,
          trigger_price::text as trigger_price, amount::text as amount, filled::text as filled, cost::text as cost, average::text as average,
          fee_cost::text as fee_cost, fee_currency, created_at::text as created_at, updated_at::text as updated_at,
          ${cursorText(sql`created_at`)} as "cursorTs"
        from legacy_orders where id = ${id}::uuid and user_id = ${userId}`,
  );
  return row ?? null;
}

/** Everything the engine needs to rebuild its book at start. */
export function openOrders(executor: Executor): Promise<OrderRow[]> {
  return executor.select().from(orders).where(eq(orders.status, 'open'));
}

/** Open orders whose good-till-date time has come (the engine's expiry sweep). */
export async function dueToExpire(executor: Executor, at: Date, limit: number): Promise<string[]> {
  const due = await executor
    .select({ id: orders.id })
    .from(orders)
    .where(and(eq(orders.status, 'open'), sql`${orders.expiresAt} <= ${at.toISOString()}::timestamptz`))
    .orderBy(orders.expiresAt)
    .limit(limit);
  return due.map((r) => r.id);
}

/**
 * Stores the trailing stops' new best prices and levels (one statement per tick). Only ever moves a best price
 * the favourable way, and only on open orders, so a late or repeated write cannot undo a newer one. Returns the
 * orders it moved, as stored.
 */
export async function storeTrailMoves(executor: Executor, moves: { id: string; ref: string; level: string }[]): Promise<OrderRow[]> {
  if (moves.length === 0) return [];
  const stored = await rows<{ id: string }>(
    executor,
    sql`
    update orders o set trail_ref = m.ref, trigger_price = m.level, updated_at = now()
    from jsonb_to_recordset(${JSON.stringify(moves)}::jsonb) as m(id uuid, ref numeric, level numeric)
    where o.id = m.id and o.status = 'open' and o.type = 'trailing_stop'
      and (case when o.side = 'sell' then m.ref > o.trail_ref else m.ref < o.trail_ref end)
    returning o.id::text as id`,
  );
  if (stored.length === 0) return [];
  return executor
    .select()
    .from(orders)
    .where(
      inArray(
        orders.id,
        stored.map((r) => r.id),
      ),
    );
}
