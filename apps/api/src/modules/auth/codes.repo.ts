import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import { emailVerificationCodes, passwordResetTokens } from './auth.schema.ts';

/** A new code; `contested` once set stays set until the code row is deleted (verified or reset). */
export async function upsertVerificationCode(ex: Executor, userId: string, codeHash: string, expiresAt: Date, contested: boolean): Promise<void> {
  await ex
    .insert(emailVerificationCodes)
    .values({ userId, codeHash, expiresAt, contested })
    .onConflictDoUpdate({
      target: emailVerificationCodes.userId,
      set: { codeHash, expiresAt, attempts: 0, createdAt: sql`now()`, contested: sql`${emailVerificationCodes.contested} or ${contested}` },
    });
}

export async function isContested(ex: Executor, userId: string): Promise<boolean> {
  const [row] = await ex.select({ c: emailVerificationCodes.contested }).from(emailVerificationCodes).where(eq(emailVerificationCodes.userId, userId));
  return row?.c ?? false;
}

/** Counts an attempt and returns the code's state after it (null: no live code). */
export async function spendVerificationAttempt(ex: Executor, userId: string): Promise<{ codeHash: string; attempts: number; contested: boolean } | null> {
  const [row] = await ex
    .update(emailVerificationCodes)
    .set({ attempts: sql`${emailVerificationCodes.attempts} + 1` })
    .where(and(eq(emailVerificationCodes.userId, userId), gt(emailVerificationCodes.expiresAt, sql`now()`)))
    .returning({ codeHash: emailVerificationCodes.codeHash, attempts: emailVerificationCodes.attempts, contested: emailVerificationCodes.contested });
  return row ?? null;
}

export async function deleteVerificationCode(ex: Executor, userId: string): Promise<void> {
  await ex.delete(emailVerificationCodes).where(eq(emailVerificationCodes.userId, userId));
}

export async function insertResetToken(ex: Executor, userId: string, tokenHash: string, expiresAt: Date): Promise<void> {
  await ex.insert(passwordResetTokens).values({ userId, tokenHash, expiresAt });
}

/** Uses the token once: the user id when it was live and unused, otherwise null. */
export async function consumeResetToken(ex: Executor, tokenHash: string): Promise<string | null> {
  const [row] = await ex
    .update(passwordResetTokens)
    .set({ usedAt: sql`now()` })
    .where(and(eq(passwordResetTokens.tokenHash, tokenHash), isNull(passwordResetTokens.usedAt), gt(passwordResetTokens.expiresAt, sql`now()`)))
    .returning({ userId: passwordResetTokens.userId });
  return row?.userId ?? null;
}

/** A reset (or a new request) retires the user's other outstanding links. */
export async function retireResetTokens(ex: Executor, userId: string): Promise<void> {
  await ex
    .update(passwordResetTokens)
    .set({ usedAt: sql`now()` })
    .where(and(eq(passwordResetTokens.userId, userId), isNull(passwordResetTokens.usedAt)));
}
