/**
 * After a fault: what the books and the order table must look like. Read through a connection of our own (the
 * API under test may be gone).
 */
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { rows } from '../../src/platform/db/sql.ts';
import { credit } from '../../src/modules/ledger/ledger.service.ts';
import { reconcile } from '../../src/modules/ledger/reconciliation.ts';
import { createDatabase, type Database } from '../../src/platform/db/client.ts';
import type { OrderLedger } from './load.ts';

export function openDatabase(url: string): Promise<Database> {
  return createDatabase({ database: { kind: 'postgres', url, poolSize: 2 } });
}

export async function fund(db: Database, userId: string, funds: Record<string, string>): Promise<void> {
  for (const [asset, amount] of Object.entries(funds)) {
    await db.db.transaction((tx) => credit(tx, { userId, asset, amount, reference: 'test:faults' }));
  }
}

/** Every asset at zero drift, no mismatched account, no unbalanced entry. */
export async function expectReconciled(db: Database): Promise<void> {
  const rec = await reconcile(db.db);
  expect(rec.ok, JSON.stringify(rec.items)).toBe(true);
}

interface OrderRow {
  id: string;
  client_order_id: string | null;
  type: string;
  status: string;
  amount: string;
  filled: string;
  trades: number;
}

/**
 * No order lost or duplicated and none half-done: each client key has at most one order; each key answered 2xx has
 * exactly that order; each closed market order has exactly one trade entry and a filled amount equal to its amount;
 * no trade entry points at a missing order.
 */
export async function expectOrdersWhole(db: Database, userIds: string[], ledger: OrderLedger): Promise<{ orders: number }> {
  const list = sql.join(
    userIds.map((u) => sql`${u}::uuid`),
    sql`, `,
  );
  const orders = await rows<OrderRow>(
    db.db,
    sql`select o.id::text, o.client_order_id, o.type, o.status, o.amount::text, o.filled::text,
          (select count(*)::int from journal_entries e where e.reference = 'order:' || o.id::text and e.type = 'trade') as trades
        from orders o where o.user_id in (${list})`,
  );
  const byKey = new Map<string, OrderRow[]>();
  for (const o of orders) if (o.client_order_id) byKey.set(o.client_order_id, [...(byKey.get(o.client_order_id) ?? []), o]);
  const duplicated = [...byKey].filter(([, os]) => os.length > 1).map(([k]) => k);
  expect(duplicated, 'client keys with more than one order').toEqual([]);

  const lost: string[] = [];
  const ghosts: string[] = [];
  for (const [key, r] of ledger.results) {
    const found = byKey.get(key)?.[0];
    if (r.status < 300 && (!found || found.id !== r.orderId)) lost.push(key);
    if (r.status >= 400 && found && found.status !== 'rejected') ghosts.push(key);
  }
  expect(lost, 'orders answered 2xx but missing').toEqual([]);
  expect(ghosts, 'orders answered 4xx but present').toEqual([]);
  const unanswered = [...byKey.keys()].filter((k) => !ledger.results.has(k));
  expect(unanswered, 'orders in the table whose client never got a definitive answer').toEqual([]);

  const partial = orders.filter((o) => o.type === 'market' && o.status === 'closed' && (o.trades !== 1 || o.filled !== o.amount));
  expect(partial, 'market orders closed without exactly one complete trade').toEqual([]);
  const stuck = orders.filter((o) => o.type === 'market' && o.status === 'open');
  expect(stuck, 'market orders left open').toEqual([]);

  const orphans = await rows<{ reference: string }>(
    db.db,
    sql`select e.reference from journal_entries e where e.reference like 'order:%'
          and not exists (select 1 from orders o where 'order:' || o.id::text = e.reference)`,
  );
  expect(orphans, 'trade entries without an order').toEqual([]);
  return { orders: orders.length };
}
