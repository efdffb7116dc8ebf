import { and, desc, eq, inArray, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import type { DepositStatus } from '@cryptovault/contract';
import type { Executor } from '../../platform/db/client.ts';
import type { Cursor } from '../../platform/db/paging.ts';
import { type DepositRow, deposits, depositStatusHistory, paymentWebhookInbox } from './payments.schema.ts';

export type NewDeposit = typeof deposits.$inferInsert;

export async function insertDeposit(ex: Executor, v: NewDeposit): Promise<DepositRow> {
  const [row] = await ex.insert(deposits).values(v).returning();
  return row!;
}

export async function findDeposit(ex: Executor, id: string, userId?: string): Promise<DepositRow | null> {
  const conds = [eq(deposits.id, id)];
  if (userId) conds.push(eq(deposits.userId, userId));
  const [row] = await ex
    .select()
    .from(deposits)
    .where(and(...conds));
  return row ?? null;
}

/** Locks the deposit row: callbacks and polls for one payment apply one after another. */
export async function lockDepositByPaymentId(ex: Executor, provider: string, paymentId: string): Promise<DepositRow | null> {
  const [row] = await ex
    .select()
    .from(deposits)
    .where(and(eq(deposits.provider, provider as DepositRow['provider']), eq(deposits.providerPaymentId, paymentId)))
    .for('update');
  return row ?? null;
}

export async function lockDeposit(ex: Executor, id: string): Promise<DepositRow | null> {
  const [row] = await ex.select().from(deposits).where(eq(deposits.id, id)).for('update');
  return row ?? null;
}

export async function updateDeposit(ex: Executor, id: string, v: Partial<NewDeposit>): Promise<DepositRow> {
  const [row] = await ex
    .update(deposits)
    .set({ ...v, updatedAt: sql`now()` })
    .where(eq(deposits.id, id))
    .returning();
  return row!;
}

/** false when this deposit already reached `status` once (the callback is a repeat). */
export async function recordStatus(
  ex: Executor,
  depositId: string,
  status: string,
  source: 'create' | 'ipn' | 'poll' | 'expiry' | 'operator',
): Promise<boolean> {
  const rows = await ex.insert(depositStatusHistory).values({ depositId, status, source }).onConflictDoNothing().returning({ s: depositStatusHistory.status });
  return rows.length > 0;
}

function keyset(cursor: Cursor | null): SQL | undefined {
  if (!cursor) return undefined;
  return or(lt(deposits.createdAt, cursor.createdAt), and(eq(deposits.createdAt, cursor.createdAt), lt(deposits.id, cursor.id)));
}

export async function listUserDeposits(ex: Executor, userId: string, limit: number, cursor: Cursor | null): Promise<DepositRow[]> {
  return ex
    .select()
    .from(deposits)
    .where(and(eq(deposits.userId, userId), keyset(cursor)))
    .orderBy(desc(deposits.createdAt), desc(deposits.id))
    .limit(limit + 1);
}

/** How many deposits a user ever started (the admin's user detail). */
export async function countUserDeposits(ex: Executor, userId: string): Promise<number> {
  const res = (await ex.execute(sql`select count(*)::int as n from deposits where user_id = ${userId}`)) as unknown as { rows: { n: number }[] };
  return res.rows[0]?.n ?? 0;
}

export async function listReviewDeposits(ex: Executor, review: 'pending' | 'resolved' | 'any', limit: number, cursor: Cursor | null): Promise<DepositRow[]> {
  const cond = review === 'any' ? sql`${deposits.review} is not null` : eq(deposits.review, review);
  return ex
    .select()
    .from(deposits)
    .where(and(cond, keyset(cursor)))
    .orderBy(desc(deposits.createdAt), desc(deposits.id))
    .limit(limit + 1);
}

const OPEN: DepositStatus[] = ['waiting', 'confirming', 'confirmed', 'sending'];

/** Open deposits whose last news is older than `quietMs`: their callbacks may be late. */
export async function depositsToPoll(ex: Executor, quietMs: number, limit: number): Promise<DepositRow[]> {
  const before = new Date(Date.now() - quietMs);
  return ex
    .select()
    .from(deposits)
    .where(and(inArray(deposits.status, OPEN), lt(deposits.updatedAt, before), or(isNull(deposits.lastPolledAt), lt(deposits.lastPolledAt, before))))
    .orderBy(deposits.updatedAt)
    .limit(limit);
}

export async function depositsToExpire(ex: Executor, graceMs: number, limit: number): Promise<DepositRow[]> {
  return ex
    .select()
    .from(deposits)
    .where(and(eq(deposits.status, 'waiting'), lt(deposits.expiresAt, new Date(Date.now() - graceMs))))
    .limit(limit);
}

export type NewInboxRow = typeof paymentWebhookInbox.$inferInsert;

export async function insertInbox(ex: Executor, v: NewInboxRow): Promise<number> {
  const [row] = await ex.insert(paymentWebhookInbox).values(v).returning({ id: paymentWebhookInbox.id });
  return row!.id;
}

/** Deletes callbacks whose signature did not verify once they are older than `olderThanMs`; returns how many. */
export async function pruneUnsignedInbox(ex: Executor, olderThanMs: number): Promise<number> {
  const rows = await ex
    .delete(paymentWebhookInbox)
    .where(and(sql`${paymentWebhookInbox.signatureValid} is not true`, lt(paymentWebhookInbox.receivedAt, new Date(Date.now() - olderThanMs))))
    .returning({ id: paymentWebhookInbox.id });
  return rows.length;
}

export async function finishInbox(
  ex: Executor,
  id: number,
  v: { outcome: string; signatureValid?: boolean; paymentId?: string | null; paymentStatus?: string | null; error?: string | null },
): Promise<void> {
  await ex
    .update(paymentWebhookInbox)
    .set({ ...v, processedAt: v.outcome === 'pending' ? null : sql`now()` })
    .where(eq(paymentWebhookInbox.id, id));
}

/** Verified callbacks that were not processed (timed out or failed): retried by the maintenance job. */
export async function pendingInbox(ex: Executor, olderThanMs: number, limit: number) {
  return ex
    .select()
    .from(paymentWebhookInbox)
    .where(
      and(
        inArray(paymentWebhookInbox.outcome, ['pending', 'error']),
        eq(paymentWebhookInbox.signatureValid, true),
        lt(paymentWebhookInbox.receivedAt, new Date(Date.now() - olderThanMs)),
        sql`${paymentWebhookInbox.receivedAt} > now() - interval '1 day'`,
      ),
    )
    .orderBy(paymentWebhookInbox.id)
    .limit(limit);
}
