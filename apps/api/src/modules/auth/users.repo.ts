import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import { type UserRow, users } from './users.schema.ts';

export async function findUserByEmail(ex: Executor, email: string): Promise<UserRow | null> {
  const [row] = await ex.select().from(users).where(eq(users.email, email)).limit(1);
  return row ?? null;
}

export async function findUserById(ex: Executor, id: string): Promise<UserRow | null> {
  const [row] = await ex.select().from(users).where(eq(users.id, id)).limit(1);
  return row ?? null;
}

/** Inserts, or returns null when the email is taken (a concurrent signup won). */
export async function insertUser(
  ex: Executor,
  v: { email: string; name: string; passwordHash: string; role?: 'user' | 'admin'; verified?: boolean; country?: string | null },
): Promise<UserRow | null> {
  const [row] = await ex
    .insert(users)
    .values({
      email: v.email,
      name: v.name,
      passwordHash: v.passwordHash,
      role: v.role ?? 'user',
      emailVerifiedAt: v.verified ? new Date() : null,
      country: v.country ?? null,
    })
    .onConflictDoNothing({ target: users.email })
    .returning();
  return row ?? null;
}

export async function updateUser(
  ex: Executor,
  id: string,
  v: Partial<Pick<UserRow, 'name' | 'passwordHash' | 'role' | 'operatorRoles' | 'emailVerifiedAt' | 'failedLoginCount' | 'lockedUntil'>>,
): Promise<UserRow | null> {
  const [row] = await ex
    .update(users)
    .set({ ...v, updatedAt: sql`now()` })
    .where(eq(users.id, id))
    .returning();
  return row ?? null;
}

/** Swaps the stored hash only if it is still `from` (a concurrent password change wins). */
export async function replacePasswordHash(ex: Executor, id: string, from: string, to: string): Promise<void> {
  await ex
    .update(users)
    .set({ passwordHash: to, updatedAt: sql`now()` })
    .where(and(eq(users.id, id), eq(users.passwordHash, from)));
}

/** Re-signup of an address nobody verified: the newcomer's details replace the stale ones (no pre-hijacking). */
export async function setPendingTotp(ex: Executor, id: string, secretEnc: string): Promise<void> {
  await ex.update(users).set({ totpSecretEnc: secretEnc, totpEnabledAt: null, totpLastStep: null, updatedAt: sql`now()` }).where(eq(users.id, id));
}

export async function enableTotp(ex: Executor, id: string, backupCodeHashes: string[]): Promise<boolean> {
  const rows = await ex
    .update(users)
    .set({ totpEnabledAt: sql`now()`, backupCodeHashes, updatedAt: sql`now()` })
    .where(and(eq(users.id, id), isNull(users.totpEnabledAt)))
    .returning({ id: users.id });
  return rows.length === 1;
}

/** Turns TOTP off; the backup codes go too unless another second factor (a passkey) keeps them. */
export async function disableTotp(ex: Executor, id: string, keepBackupCodes = false): Promise<void> {
  await ex
    .update(users)
    .set({ totpSecretEnc: null, totpEnabledAt: null, totpLastStep: null, ...(keepBackupCodes ? {} : { backupCodeHashes: [] }), updatedAt: sql`now()` })
    .where(eq(users.id, id));
}

/** Replaces every backup code (the old ones stop working in the same statement). */
export async function setBackupCodes(ex: Executor, id: string, backupCodeHashes: string[]): Promise<void> {
  await ex.update(users).set({ backupCodeHashes, updatedAt: sql`now()` }).where(eq(users.id, id));
}

/** Accepts a TOTP time step once: concurrent or later uses of the same (or an older) step get false. */
export async function claimTotpStep(ex: Executor, id: string, step: number): Promise<boolean> {
  const rows = await ex
    .update(users)
    .set({ totpLastStep: step })
    .where(and(eq(users.id, id), sql`(${users.totpLastStep} is null or ${users.totpLastStep} < ${step})`))
    .returning({ id: users.id });
  return rows.length === 1;
}

/** Removes a backup code if present; true when it was there (so it worked exactly once). */
export async function consumeBackupCode(ex: Executor, id: string, codeHash: string): Promise<boolean> {
  const rows = await ex
    .update(users)
    .set({ backupCodeHashes: sql`array_remove(${users.backupCodeHashes}, ${codeHash})` })
    .where(and(eq(users.id, id), sql`${codeHash} = any(${users.backupCodeHashes})`))
    .returning({ id: users.id });
  return rows.length === 1;
}
