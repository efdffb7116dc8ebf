import { and, desc, eq, lt, or, type SQL, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '../../platform/db/client.ts';
import { users } from '../auth/users.schema.ts';
import type { Cursor } from '../notifications/paging.ts';
import { type TransferRow, transfers } from './transfers.schema.ts';

/** The user's available balance of `asset` ('0' without an account). A read, not a lock: the ledger's CHECK decides. */
export async function availableOf(ex: Executor, userId: string, asset: string): Promise<string> {
  const r = (await ex.execute(sql`select available::text as available from ledger_accounts where key = ${`user:${userId}:${asset}`}`)) as unknown as {
    rows: { available: string }[];
  };
  return r.rows[0]?.available ?? '0';
}

export async function findRecipient(ex: Executor, email: string) {
  const [u] = await ex
    .select({ id: users.id, email: users.email, name: users.name, verifiedAt: users.emailVerifiedAt, suspendedAt: users.suspendedAt })
    .from(users)
    .where(eq(users.email, email));
  return u ?? null;
}

export async function insertTransfer(ex: Executor, v: typeof transfers.$inferInsert): Promise<TransferRow> {
  const [row] = await ex.insert(transfers).values(v).returning();
  return row!;
}

const sender = alias(users, 'sender');
const recipient = alias(users, 'recipient');

export async function listForUser(ex: Executor, userId: string, limit: number, cursor: Cursor | null) {
  const conds: (SQL | undefined)[] = [or(eq(transfers.senderId, userId), eq(transfers.recipientId, userId))];
  if (cursor) conds.push(or(lt(transfers.createdAt, cursor.createdAt), and(eq(transfers.createdAt, cursor.createdAt), lt(transfers.id, cursor.id))));
  return ex
    .select({ t: transfers, senderEmail: sender.email, senderName: sender.name, recipientEmail: recipient.email, recipientName: recipient.name })
    .from(transfers)
    .innerJoin(sender, eq(sender.id, transfers.senderId))
    .innerJoin(recipient, eq(recipient.id, transfers.recipientId))
    .where(and(...conds))
    .orderBy(desc(transfers.createdAt), desc(transfers.id))
    .limit(limit + 1);
}
