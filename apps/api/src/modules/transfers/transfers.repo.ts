import { and, desc, eq, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import type { Cursor } from '../../platform/db/paging.ts';
import { type TransferRow, transfers } from './transfers.schema.ts';

/** The user's available balance of `asset` ('0' without an account). A read, not a lock: the ledger's CHECK decides. */
export async function availableOf(ex: Executor, userId: string, asset: string): Promise<string> {
  const r = (await ex.execute(sql`select available::text as available from ledger_accounts where key = ${`user:${userId}:${asset}`}`)) as unknown as {
    rows: { available: string }[];
  };
  return r.rows[0]?.available ?? '0';
}

export async function insertTransfer(ex: Executor, v: typeof transfers.$inferInsert): Promise<TransferRow> {
  const [row] = await ex.insert(transfers).values(v).returning();
  return row!;
}

export async function listForUser(ex: Executor, userId: string, limit: number, cursor: Cursor | null) {
  const conds: (SQL | undefined)[] = [or(eq(transfers.senderId, userId), eq(transfers.recipientId, userId))];
  if (cursor) conds.push(or(lt(transfers.createdAt, cursor.createdAt), and(eq(transfers.createdAt, cursor.createdAt), lt(transfers.id, cursor.id))));
  return ex
    .select()
    .from(transfers)
    .where(and(...conds))
    .orderBy(desc(transfers.createdAt), desc(transfers.id))
    .limit(limit + 1);
}
