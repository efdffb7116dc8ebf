import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import { rows } from '../../platform/db/sql.ts';
import { type KycSubmissionRow, kycProfiles, kycSubmissions, kycUsage } from './kyc.schema.ts';

export type Tier = 0 | 1 | 2;
export type Kind = 'deposit' | 'withdrawal' | 'transfer';

export async function tierOf(ex: Executor, userId: string): Promise<Tier> {
  const [row] = await ex.select({ tier: kycProfiles.tier }).from(kycProfiles).where(eq(kycProfiles.userId, userId));
  return (row?.tier ?? 0) as Tier;
}

export async function tiersOf(ex: Executor, userIds: string[]): Promise<Map<string, Tier>> {
  if (userIds.length === 0) return new Map();
  const found = await ex.select().from(kycProfiles).where(inArray(kycProfiles.userId, userIds));
  return new Map(found.map((r) => [r.userId, r.tier as Tier]));
}

/** The user's tier, with their profile row locked until the caller's transaction ends (one limit check at a time). */
export async function lockProfile(ex: Executor, userId: string): Promise<Tier> {
  await ex.insert(kycProfiles).values({ userId, tier: 0 }).onConflictDoNothing();
  const [row] = await rows<{ tier: number }>(ex, sql`select tier from kyc_profiles where user_id = ${userId} for update`);
  return (row?.tier ?? 0) as Tier;
}

export async function raiseTier(ex: Executor, userId: string, tier: Tier): Promise<void> {
  await ex
    .insert(kycProfiles)
    .values({ userId, tier })
    .onConflictDoUpdate({ target: kycProfiles.userId, set: { tier: sql`greatest(${kycProfiles.tier}, ${tier})`, updatedAt: sql`now()` } });
}

/** USD used per kind in [dayStart, dayEnd) and [monthStart, monthEnd), as exact decimal strings. */
export async function usage(
  ex: Executor,
  userId: string,
  p: { dayStart: Date; dayEnd: Date; monthStart: Date; monthEnd: Date },
): Promise<Map<Kind, { day: string; month: string }>> {
  // The day lies within the month: the month bounds the rows read.
  const from = p.monthStart;
  const to = p.monthEnd;
  const found = await rows<{ kind: Kind; day: string; month: string }>(
    ex,
    sql`select kind,
               coalesce(sum(amount_usd) filter (where created_at >= ${p.dayStart.toISOString()}::timestamptz and created_at < ${p.dayEnd.toISOString()}::timestamptz), 0)::text as day,
               coalesce(sum(amount_usd) filter (where created_at >= ${p.monthStart.toISOString()}::timestamptz and created_at < ${p.monthEnd.toISOString()}::timestamptz), 0)::text as month
          from kyc_usage
         where user_id = ${userId} and created_at >= ${from.toISOString()}::timestamptz and created_at < ${to.toISOString()}::timestamptz
         group by kind`,
  );
  return new Map(found.map((r) => [r.kind, { day: r.day, month: r.month }]));
}

export async function insertUsage(ex: Executor, u: { userId: string; kind: Kind; amountUsd: string; reference: string; at: Date }): Promise<void> {
  await ex.insert(kycUsage).values({ userId: u.userId, kind: u.kind, amountUsd: u.amountUsd, reference: u.reference, createdAt: u.at });
}

export async function deleteUsage(ex: Executor, reference: string): Promise<void> {
  await ex.delete(kycUsage).where(eq(kycUsage.reference, reference));
}

export async function openSubmission(ex: Executor, userId: string, lock = false): Promise<KycSubmissionRow | null> {
  const q = ex
    .select()
    .from(kycSubmissions)
    .where(and(eq(kycSubmissions.userId, userId), inArray(kycSubmissions.status, ['pending', 'needs_info'])));
  const [row] = lock ? await q.for('update') : await q;
  return row ?? null;
}

export async function latestSubmission(ex: Executor, userId: string): Promise<KycSubmissionRow | null> {
  const [row] = await ex.select().from(kycSubmissions).where(eq(kycSubmissions.userId, userId)).orderBy(desc(kycSubmissions.createdAt)).limit(1);
  return row ?? null;
}

export async function submissionsOf(ex: Executor, userId: string): Promise<KycSubmissionRow[]> {
  return ex.select().from(kycSubmissions).where(eq(kycSubmissions.userId, userId)).orderBy(desc(kycSubmissions.createdAt)).limit(50);
}

export async function findSubmission(ex: Executor, id: string, lock = false): Promise<KycSubmissionRow | null> {
  const q = ex.select().from(kycSubmissions).where(eq(kycSubmissions.id, id));
  const [row] = lock ? await q.for('update') : await q;
  return row ?? null;
}

export type NewSubmission = Pick<KycSubmissionRow, 'userId' | 'tier' | 'details' | 'documentType' | 'documentId' | 'selfieId'>;

export async function insertSubmission(ex: Executor, s: NewSubmission): Promise<KycSubmissionRow> {
  const [row] = await ex.insert(kycSubmissions).values(s).returning();
  return row as KycSubmissionRow;
}

/** An answer to "needs more information": the same submission with the new content, back in the queue. */
export async function resubmit(ex: Executor, id: string, s: Omit<NewSubmission, 'userId'>): Promise<KycSubmissionRow> {
  const [row] = await ex
    .update(kycSubmissions)
    .set({ ...s, status: 'pending', updatedAt: sql`now()` })
    .where(and(eq(kycSubmissions.id, id), eq(kycSubmissions.status, 'needs_info')))
    .returning();
  return row as KycSubmissionRow;
}

export async function decide(
  ex: Executor,
  id: string,
  d: { status: 'approved' | 'rejected' | 'needs_info'; reason: string | null; reviewerId: string },
): Promise<KycSubmissionRow> {
  const [row] = await ex
    .update(kycSubmissions)
    .set({ status: d.status, reason: d.reason, reviewerId: d.reviewerId, decidedAt: sql`now()`, updatedAt: sql`now()` })
    .where(and(eq(kycSubmissions.id, id), eq(kycSubmissions.status, 'pending')))
    .returning();
  return row as KycSubmissionRow;
}

export async function queue(ex: Executor, status: string, limit: number): Promise<KycSubmissionRow[]> {
  return ex.select().from(kycSubmissions).where(eq(kycSubmissions.status, status)).orderBy(kycSubmissions.createdAt).limit(limit);
}
