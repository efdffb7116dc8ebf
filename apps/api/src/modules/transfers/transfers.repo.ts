import { and, desc, eq, inArray, lt, or, type SQL } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import type { Cursor } from '../../platform/db/paging.ts';
import { type TransferRow, transfers } from './transfers.schema.ts';

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

/** The transfers among `ids` that `userId` sent or received. */
export async function findForUser(ex: Executor, userId: string, ids: readonly string[]): Promise<TransferRow[]> {
  if (ids.length === 0) return [];
  return ex
    .select()
    .from(transfers)
    .where(and(inArray(transfers.id, [...ids]), or(eq(transfers.senderId, userId), eq(transfers.recipientId, userId))));
}
