import { and, asc, count, desc, eq, inArray, lte, ne, or, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import { rows } from '../../platform/db/sql.ts';
import { type RecurringBuyRow, type RecurringBuyRunRow, recurringBuyRuns, recurringBuys, schedulerLeases } from './recurring.schema.ts';

export type NewRecurringBuy = typeof recurringBuys.$inferInsert;
export type NewRun = typeof recurringBuyRuns.$inferInsert;

/** Serialises one user's schedule creation so the per-account cap holds under concurrency. */
export async function lockUserSchedules(ex: Executor, userId: string): Promise<void> {
  await ex.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`recurring:${userId}`}, 0))`);
}

export async function countLive(ex: Executor, userId: string): Promise<number> {
  const [r] = await ex
    .select({ n: count() })
    .from(recurringBuys)
    .where(and(eq(recurringBuys.userId, userId), ne(recurringBuys.status, 'deleted')));
  return Number(r?.n ?? 0);
}

export async function insertSchedule(ex: Executor, v: NewRecurringBuy): Promise<RecurringBuyRow> {
  const [row] = await ex.insert(recurringBuys).values(v).returning();
  return row!;
}

/** A user's schedule (not deleted), locked for update when `lock`; null for another user's or a deleted one. */
export async function findSchedule(ex: Executor, userId: string, id: string, lock = false): Promise<RecurringBuyRow | null> {
  const q = ex
    .select()
    .from(recurringBuys)
    .where(and(eq(recurringBuys.id, id), eq(recurringBuys.userId, userId), ne(recurringBuys.status, 'deleted')));
  const [row] = lock ? await q.for('update') : await q;
  return row ?? null;
}

export async function listSchedules(ex: Executor, userId: string): Promise<RecurringBuyRow[]> {
  return ex
    .select()
    .from(recurringBuys)
    .where(and(eq(recurringBuys.userId, userId), ne(recurringBuys.status, 'deleted')))
    .orderBy(desc(recurringBuys.createdAt))
    .limit(100);
}

export async function updateSchedule(ex: Executor, id: string, v: Partial<NewRecurringBuy>): Promise<RecurringBuyRow> {
  const [row] = await ex
    .update(recurringBuys)
    .set({ ...v, updatedAt: sql`now()` })
    .where(eq(recurringBuys.id, id))
    .returning();
  return row!;
}

/** The latest run of each schedule given. */
export async function lastRuns(ex: Executor, scheduleIds: string[]): Promise<Map<string, RecurringBuyRunRow>> {
  if (scheduleIds.length === 0) return new Map();
  const found = await ex
    .selectDistinctOn([recurringBuyRuns.scheduleId])
    .from(recurringBuyRuns)
    .where(inArray(recurringBuyRuns.scheduleId, scheduleIds))
    .orderBy(recurringBuyRuns.scheduleId, desc(recurringBuyRuns.scheduledFor));
  return new Map(found.map((r) => [r.scheduleId, r]));
}

export async function listRuns(ex: Executor, scheduleId: string, limit: number): Promise<RecurringBuyRunRow[]> {
  return ex.select().from(recurringBuyRuns).where(eq(recurringBuyRuns.scheduleId, scheduleId)).orderBy(desc(recurringBuyRuns.scheduledFor)).limit(limit);
}

// ---- The scheduler's side ----

/** Bumps the fencing token of `name` and records the holder: the new leader's epoch. */
export async function bumpEpoch(ex: Executor, name: string, holder: string): Promise<number> {
  const [r] = await rows<{ epoch: string | number }>(
    ex,
    sql`insert into scheduler_leases (name, epoch, holder) values (${name}, 1, ${holder})
        on conflict (name) do update set epoch = scheduler_leases.epoch + 1, holder = excluded.holder, elected_at = now()
        returning epoch`,
  );
  return Number(r!.epoch);
}

/**
 * The current epoch of `name`, holding a share lock on its row until the caller's commit: an election (which
 * updates the row) waits for the caller's transaction, so a write fenced by this check cannot commit after a newer
 * leader was elected.
 */
export async function epochForShare(ex: Executor, name: string): Promise<number | null> {
  const [r] = await ex.select({ epoch: schedulerLeases.epoch }).from(schedulerLeases).where(eq(schedulerLeases.name, name)).for('share');
  return r ? Number(r.epoch) : null;
}

/** Active schedules due at `now`, oldest first. */
export async function dueSchedules(ex: Executor, now: Date, limit: number, userIds?: readonly string[]): Promise<RecurringBuyRow[]> {
  return ex
    .select()
    .from(recurringBuys)
    .where(and(eq(recurringBuys.status, 'active'), lte(recurringBuys.nextRunAt, now), userIds ? inArray(recurringBuys.userId, [...userIds]) : undefined))
    .orderBy(asc(recurringBuys.nextRunAt))
    .limit(limit);
}

export async function lockScheduleById(ex: Executor, id: string): Promise<RecurringBuyRow | null> {
  const [row] = await ex.select().from(recurringBuys).where(eq(recurringBuys.id, id)).for('update');
  return row ?? null;
}

/** Inserts the claim of a run; null when the (schedule, period) was claimed before. */
export async function insertRun(ex: Executor, v: NewRun): Promise<RecurringBuyRunRow | null> {
  const [row] = await ex
    .insert(recurringBuyRuns)
    .values(v)
    .onConflictDoNothing({ target: [recurringBuyRuns.scheduleId, recurringBuyRuns.period] })
    .returning();
  return row ?? null;
}

/** Pending runs an earlier leader left (older epoch), or that this leader left pending since `staleBefore`. */
export async function pendingRuns(ex: Executor, epoch: number, staleBefore: Date, limit: number, userIds?: readonly string[]): Promise<RecurringBuyRunRow[]> {
  return ex
    .select()
    .from(recurringBuyRuns)
    .where(
      and(
        eq(recurringBuyRuns.status, 'pending'),
        or(sql`${recurringBuyRuns.fencingToken} < ${epoch}`, lte(recurringBuyRuns.claimedAt, staleBefore)),
        userIds ? inArray(recurringBuyRuns.userId, [...userIds]) : undefined,
      ),
    )
    .orderBy(asc(recurringBuyRuns.claimedAt))
    .limit(limit);
}

/** Takes a pending run over for this leader (its fencing token), inside the fenced transaction. */
export async function restampRun(ex: Executor, id: string, epoch: number): Promise<RecurringBuyRunRow | null> {
  const [row] = await ex
    .update(recurringBuyRuns)
    .set({ fencingToken: epoch })
    .where(and(eq(recurringBuyRuns.id, id), eq(recurringBuyRuns.status, 'pending')))
    .returning();
  return row ?? null;
}

/** Records the outcome of a pending run; null when it was already finished (by another executor). */
export async function finishRun(
  ex: Executor,
  id: string,
  v: Pick<NewRun, 'status' | 'orderId' | 'amount' | 'price' | 'reasonCode' | 'reason' | 'finishedAt'>,
): Promise<RecurringBuyRunRow | null> {
  const [row] = await ex
    .update(recurringBuyRuns)
    .set(v)
    .where(and(eq(recurringBuyRuns.id, id), eq(recurringBuyRuns.status, 'pending')))
    .returning();
  return row ?? null;
}

/** Moves a schedule's next run on (the scheduler; not a user's change, so `updated_at` stays). */
export async function advanceSchedule(ex: Executor, id: string, nextRunAt: Date): Promise<void> {
  await ex.update(recurringBuys).set({ nextRunAt }).where(eq(recurringBuys.id, id));
}
