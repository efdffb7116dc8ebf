import { and, count, desc, eq, gt, inArray, lt, or, type SQL, sql } from 'drizzle-orm';
import type { WithdrawalStatus } from '@cryptovault/contract';
import type { Executor } from '../../platform/db/client.ts';
import type { Cursor } from '../../platform/db/paging.ts';
import { type WithdrawalRow, withdrawalApprovals, withdrawals } from './withdrawals.schema.ts';

export type NewWithdrawal = typeof withdrawals.$inferInsert;

/** Serialises one user's withdrawal requests (daily limit check + hold) without locking their user row. */
export async function lockUserWithdrawals(ex: Executor, userId: string): Promise<void> {
  await ex.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`withdrawals:${userId}`}, 0))`);
}

/** USD value requested in the last 24 h, not counting rejected or canceled ones. */
export async function usdInLastDay(ex: Executor, userId: string): Promise<string> {
  const [row] = await ex
    .select({ total: sql<string>`coalesce(sum(${withdrawals.amountUsd}), 0)::text` })
    .from(withdrawals)
    .where(
      and(
        eq(withdrawals.userId, userId),
        inArray(withdrawals.status, ['pending_review', 'approved', 'completed']),
        gt(withdrawals.createdAt, sql`now() - interval '24 hours'`),
      ),
    );
  return row?.total ?? '0';
}

export async function insertWithdrawal(ex: Executor, v: NewWithdrawal): Promise<WithdrawalRow> {
  const [row] = await ex.insert(withdrawals).values(v).returning();
  return row!;
}

export async function lockWithdrawal(ex: Executor, id: string, userId?: string): Promise<WithdrawalRow | null> {
  const conds = [eq(withdrawals.id, id)];
  if (userId) conds.push(eq(withdrawals.userId, userId));
  const [row] = await ex
    .select()
    .from(withdrawals)
    .where(and(...conds))
    .for('update');
  return row ?? null;
}

/** One withdrawal of `userId` (another user's is null, as an unknown id), without a lock. */
export async function findWithdrawal(ex: Executor, id: string, userId: string): Promise<WithdrawalRow | null> {
  const [row] = await ex
    .select()
    .from(withdrawals)
    .where(and(eq(withdrawals.id, id), eq(withdrawals.userId, userId)));
  return row ?? null;
}

export async function updateWithdrawal(ex: Executor, id: string, v: Partial<NewWithdrawal>): Promise<WithdrawalRow> {
  const [row] = await ex
    .update(withdrawals)
    .set({ ...v, updatedAt: sql`now()` })
    .where(eq(withdrawals.id, id))
    .returning();
  return row!;
}

/** false when this admin already approved it (primary key). */
export async function addApproval(ex: Executor, withdrawalId: string, adminId: string): Promise<boolean> {
  const rows = await ex.insert(withdrawalApprovals).values({ withdrawalId, adminId }).onConflictDoNothing().returning({ a: withdrawalApprovals.adminId });
  return rows.length > 0;
}

export async function approversOf(ex: Executor, ids: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (ids.length === 0) return out;
  const rows = await ex.select().from(withdrawalApprovals).where(inArray(withdrawalApprovals.withdrawalId, ids)).orderBy(withdrawalApprovals.createdAt);
  for (const r of rows) out.set(r.withdrawalId, [...(out.get(r.withdrawalId) ?? []), r.adminId]);
  return out;
}

function keyset(cursor: Cursor | null, newestFirst: boolean): SQL | undefined {
  if (!cursor) return undefined;
  const cmp = newestFirst ? lt : gt;
  return or(cmp(withdrawals.createdAt, cursor.createdAt), and(eq(withdrawals.createdAt, cursor.createdAt), cmp(withdrawals.id, cursor.id)));
}

export async function listUserWithdrawals(ex: Executor, userId: string, o: { limit: number; cursor: Cursor | null; status?: WithdrawalStatus }) {
  return ex
    .select()
    .from(withdrawals)
    .where(and(eq(withdrawals.userId, userId), o.status ? eq(withdrawals.status, o.status) : undefined, keyset(o.cursor, true)))
    .orderBy(desc(withdrawals.createdAt), desc(withdrawals.id))
    .limit(o.limit + 1);
}

/** The admin queue: oldest first. */
export async function listQueue(ex: Executor, o: { limit: number; cursor: Cursor | null; status: WithdrawalStatus }) {
  return ex
    .select()
    .from(withdrawals)
    .where(and(eq(withdrawals.status, o.status), keyset(o.cursor, false)))
    .orderBy(withdrawals.createdAt, withdrawals.id)
    .limit(o.limit + 1);
}

export async function countByStatus(ex: Executor, userId: string, status: WithdrawalStatus): Promise<number> {
  const [r] = await ex
    .select({ n: count() })
    .from(withdrawals)
    .where(and(eq(withdrawals.userId, userId), eq(withdrawals.status, status)));
  return Number(r?.n ?? 0);
}
