import { and, desc, eq, gt, isNull, or, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import { type ApiKeyRow, apiKeys } from './apikeys.schema.ts';

/** Serialises key creation per user inside the caller's transaction, so the count and the insert cannot race. */
export async function lockUserKeys(ex: Executor, userId: string): Promise<void> {
  await ex.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`api_keys:${userId}`}, 0))`);
}

/** Keys that still work: not revoked, not expired. */
export async function countActive(ex: Executor, userId: string, now: Date): Promise<number> {
  const [row] = await ex
    .select({ n: sql<number>`count(*)::int` })
    .from(apiKeys)
    .where(and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now))));
  return Number(row?.n ?? 0);
}

export async function insertKey(ex: Executor, v: typeof apiKeys.$inferInsert): Promise<ApiKeyRow> {
  const [row] = await ex.insert(apiKeys).values(v).returning();
  return row!;
}

export async function findKey(ex: Executor, id: string): Promise<ApiKeyRow | null> {
  const [row] = await ex.select().from(apiKeys).where(eq(apiKeys.id, id));
  return row ?? null;
}

export async function listKeys(ex: Executor, userId: string, limit: number): Promise<ApiKeyRow[]> {
  return ex.select().from(apiKeys).where(eq(apiKeys.userId, userId)).orderBy(desc(apiKeys.createdAt), desc(apiKeys.id)).limit(limit);
}

/** Revokes the user's key; null when it is not theirs or was already revoked. */
export async function revokeKey(ex: Executor, userId: string, id: string, reason: string): Promise<ApiKeyRow | null> {
  const [row] = await ex
    .update(apiKeys)
    .set({ revokedAt: new Date(), revokedReason: reason })
    .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
    .returning();
  return row ?? null;
}

/** Revokes every live key of the user (password reset, account freeze); how many were live. */
export async function revokeAllKeys(ex: Executor, userId: string, reason: string): Promise<number> {
  const rows = await ex
    .update(apiKeys)
    .set({ revokedAt: new Date(), revokedReason: reason })
    .where(and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return rows.length;
}

export async function touchKey(ex: Executor, id: string, ip: string): Promise<void> {
  await ex.update(apiKeys).set({ lastUsedAt: new Date(), lastUsedIp: ip }).where(eq(apiKeys.id, id));
}
