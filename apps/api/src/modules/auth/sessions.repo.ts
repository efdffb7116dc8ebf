import { and, desc, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import { refreshTokens, type SessionRow, sessions } from './auth.schema.ts';
import { type UserRow, users } from './users.schema.ts';

export async function insertSession(
  ex: Executor,
  v: {
    userId: string;
    ip: string | null;
    userAgent: string | null;
    expiresAt: Date;
    absoluteExpiresAt: Date;
    authMethods: string[];
    secondFactorAt: Date | null;
    stepUpAt: Date | null;
    stepUpMethods: string[];
  },
): Promise<SessionRow> {
  const [row] = await ex.insert(sessions).values(v).returning();
  return row!;
}

/** The session and its user when the session is live (not revoked, not expired), and whether the user has a passkey. */
export interface LiveSession {
  session: SessionRow;
  user: UserRow;
  hasPasskey: boolean;
}

export async function findLiveSession(ex: Executor, sessionId: string): Promise<LiveSession | null> {
  const [row] = await ex
    .select({ session: sessions, user: users, hasPasskey: sql<boolean>`exists (select 1 from passkeys p where p.user_id = ${users.id})` })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt), gt(sessions.expiresAt, sql`now()`)))
    .limit(1);
  return row ?? null;
}

export async function touchSession(ex: Executor, sessionId: string): Promise<void> {
  await ex.update(sessions).set({ lastUsedAt: sql`now()` }).where(eq(sessions.id, sessionId));
}

/** Moves the end of the session forward, never past its absolute end. */
export async function extendSession(ex: Executor, sessionId: string, expiresAt: Date, ip: string | null): Promise<void> {
  await ex
    .update(sessions)
    .set({ lastUsedAt: sql`now()`, expiresAt: sql`least(${expiresAt.toISOString()}::timestamptz, ${sessions.absoluteExpiresAt})`, ip })
    .where(eq(sessions.id, sessionId));
}

/** Marks a live session as having passed a second factor now (and adds `method` to its methods), without a step-up. */
export async function markSecondFactor(ex: Executor, sessionId: string, method: 'totp' | 'passkey' = 'totp'): Promise<void> {
  const arr = sql`${`{${method}}`}::text[]`;
  await ex
    .update(sessions)
    .set({ secondFactorAt: sql`now()`, authMethods: sql`(select array(select distinct m from unnest(${sessions.authMethods} || ${arr}) as m order by m))` })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
}

/**
 * Records a step-up on a live session: what it proved now (replacing the previous step-up), added to the session's
 * methods; a second factor also marks the session as having passed one.
 */
export async function recordStepUp(ex: Executor, sessionId: string, methods: string[], secondFactor: boolean): Promise<boolean> {
  const arr = sql`${`{${methods.join(',')}}`}::text[]`;
  const rows = await ex
    .update(sessions)
    .set({
      stepUpAt: sql`now()`,
      stepUpMethods: arr,
      authMethods: sql`(select array(select distinct m from unnest(${sessions.authMethods} || ${arr}) as m order by m))`,
      ...(secondFactor ? { secondFactorAt: sql`now()` } : {}),
    })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return rows.length === 1;
}

/** Revokes one live session (of `userId` when given); returns its owner's id, or null when nothing was live. */
export async function revokeSession(ex: Executor, sessionId: string, reason: string, userId?: string): Promise<string | null> {
  const conds = [eq(sessions.id, sessionId), isNull(sessions.revokedAt)];
  if (userId) conds.push(eq(sessions.userId, userId));
  const rows = await ex
    .update(sessions)
    .set({ revokedAt: sql`now()`, revokedReason: reason })
    .where(and(...conds))
    .returning({ userId: sessions.userId });
  return rows[0]?.userId ?? null;
}

/** Revokes every live session of the user, except `keepSessionId` when given. Returns the ids of those that ended. */
export async function revokeUserSessions(ex: Executor, userId: string, reason: string, keepSessionId?: string): Promise<string[]> {
  const conds = [eq(sessions.userId, userId), isNull(sessions.revokedAt)];
  if (keepSessionId) conds.push(ne(sessions.id, keepSessionId));
  const rows = await ex
    .update(sessions)
    .set({ revokedAt: sql`now()`, revokedReason: reason })
    .where(and(...conds))
    .returning({ id: sessions.id });
  return rows.map((r) => r.id);
}

export async function listLiveSessions(ex: Executor, userId: string): Promise<SessionRow[]> {
  return ex
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, sql`now()`)))
    .orderBy(desc(sessions.lastUsedAt))
    .limit(200);
}

export async function hasSessionFromAgent(ex: Executor, userId: string, userAgent: string | null): Promise<{ any: boolean; sameAgent: boolean }> {
  const rows = (await ex.execute(sql`
    select count(*)::int as n, count(*) filter (where user_agent is not distinct from ${userAgent})::int as same
    from sessions where user_id = ${userId}`)) as unknown as { rows: { n: number; same: number }[] };
  const r = rows.rows[0];
  return { any: Number(r?.n ?? 0) > 0, sameAgent: Number(r?.same ?? 0) > 0 };
}

export async function insertRefreshToken(ex: Executor, tokenHash: string, sessionId: string): Promise<void> {
  await ex.insert(refreshTokens).values({ tokenHash, sessionId });
}

export async function findRefreshToken(ex: Executor, tokenHash: string): Promise<{ sessionId: string; usedAt: Date | null } | null> {
  const [row] = await ex
    .select({ sessionId: refreshTokens.sessionId, usedAt: refreshTokens.usedAt })
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, tokenHash))
    .limit(1);
  return row ?? null;
}

/** Marks the token used; false when it already was (a concurrent or repeated presentation: reuse). */
export async function markRefreshTokenUsed(ex: Executor, tokenHash: string): Promise<boolean> {
  const rows = await ex
    .update(refreshTokens)
    .set({ usedAt: sql`now()` })
    .where(and(eq(refreshTokens.tokenHash, tokenHash), isNull(refreshTokens.usedAt)))
    .returning({ h: refreshTokens.tokenHash });
  return rows.length === 1;
}
