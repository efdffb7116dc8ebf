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

/** Fills of a user in execution order (portfolio average cost). */
export function filledOrders(executor: Executor, userId: string): Promise<Pick<OrderRow, 'base' | 'side' | 'filled' | 'cost' | 'feeCost'>[]> {
  return executor
    .select({ base: orders.base, side: orders.side, filled: orders.filled, cost: orders.cost, feeCost: orders.feeCost })
    .from(orders)
    .where(and(eq(orders.userId, userId), sql`${orders.filled} > 0`))
    .orderBy(orders.updatedAt, orders.id);
}
