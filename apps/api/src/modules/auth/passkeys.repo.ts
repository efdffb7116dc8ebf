import { and, asc, count, desc, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import { type PasskeyRow, passkeys, type SecurityEventRow, securityEvents, webauthnChallenges } from './auth.schema.ts';

export type ChallengePurpose = 'register' | 'sign_in' | 'step_up';

export async function listPasskeys(ex: Executor, userId: string): Promise<PasskeyRow[]> {
  return ex.select().from(passkeys).where(eq(passkeys.userId, userId)).orderBy(asc(passkeys.createdAt)).limit(100);
}

export async function countPasskeys(ex: Executor, userId: string): Promise<number> {
  const [row] = await ex.select({ n: count() }).from(passkeys).where(eq(passkeys.userId, userId));
  return Number(row?.n ?? 0);
}

/** The user's passkey with this credential id; another user's credential is as absent as an unknown one. */
export async function findPasskeyByCredential(ex: Executor, userId: string, credentialId: string): Promise<PasskeyRow | null> {
  const [row] = await ex
    .select()
    .from(passkeys)
    .where(and(eq(passkeys.userId, userId), eq(passkeys.credentialId, credentialId)))
    .limit(1);
  return row ?? null;
}

/** Inserts, or returns null when this credential is already registered (to anyone). */
export async function insertPasskey(
  ex: Executor,
  v: {
    userId: string;
    credentialId: string;
    publicKey: string;
    counter: number;
    transports: string[];
    deviceType: 'singleDevice' | 'multiDevice';
    backedUp: boolean;
    name: string;
  },
): Promise<PasskeyRow | null> {
  const [row] = await ex.insert(passkeys).values(v).onConflictDoNothing({ target: passkeys.credentialId }).returning();
  return row ?? null;
}

/** Deletes the user's passkey; null when there is none with this id for this user. */
export async function deletePasskey(ex: Executor, userId: string, id: string): Promise<PasskeyRow | null> {
  const [row] = await ex
    .delete(passkeys)
    .where(and(eq(passkeys.id, id), eq(passkeys.userId, userId)))
    .returning();
  return row ?? null;
}

/**
 * Records a use: the counter only moves forward (a concurrent use with the same or a lower counter loses), except
 * for authenticators that keep no counter at all (always 0).
 */
export async function recordPasskeyUse(ex: Executor, id: string, newCounter: number, backedUp: boolean): Promise<boolean> {
  const rows = await ex
    .update(passkeys)
    .set({ counter: newCounter, backedUp, lastUsedAt: sql`now()` })
    .where(and(eq(passkeys.id, id), or(lt(passkeys.counter, newCounter), and(eq(passkeys.counter, 0), sql`${newCounter} = 0`))))
    .returning({ id: passkeys.id });
  return rows.length === 1;
}

export async function insertChallenge(
  ex: Executor,
  v: { challenge: string; userId: string; sessionId: string | null; purpose: ChallengePurpose; expiresAt: Date },
): Promise<void> {
  // Expired challenges (anyone's: webauthn_challenges_expires) go first, so unused ones never pile up.
  await ex.delete(webauthnChallenges).where(lt(webauthnChallenges.expiresAt, sql`now()`));
  await ex.insert(webauthnChallenges).values(v);
}

/**
 * Uses a challenge up: deleted in the same statement that checks it, so it works once. Only a live challenge of this
 * purpose, user and (for session-bound ones) session.
 */
export async function consumeChallenge(ex: Executor, challenge: string, purpose: ChallengePurpose, userId: string, sessionId: string | null): Promise<boolean> {
  const rows = await ex
    .delete(webauthnChallenges)
    .where(
      and(
        eq(webauthnChallenges.challenge, challenge),
        eq(webauthnChallenges.purpose, purpose),
        eq(webauthnChallenges.userId, userId),
        sessionId === null ? isNull(webauthnChallenges.sessionId) : eq(webauthnChallenges.sessionId, sessionId),
        gt(webauthnChallenges.expiresAt, sql`now()`),
      ),
    )
    .returning({ c: webauthnChallenges.challenge });
  return rows.length === 1;
}

export async function insertSecurityEvent(
  ex: Executor,
  v: { userId: string; kind: string; ip: string | null; userAgent: string | null; details?: Record<string, unknown> },
): Promise<void> {
  await ex.insert(securityEvents).values({ ...v, details: v.details ?? {} });
}

export async function listSecurityEvents(ex: Executor, userId: string, limit: number): Promise<SecurityEventRow[]> {
  return ex
    .select()
    .from(securityEvents)
    .where(eq(securityEvents.userId, userId))
    .orderBy(desc(securityEvents.createdAt), desc(securityEvents.id))
    .limit(limit);
}
