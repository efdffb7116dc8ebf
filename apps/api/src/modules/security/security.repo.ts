import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import { AppError } from '../../platform/errors.ts';
import { randomToken, sha256 } from '../auth/index.ts';
import { findUserByEmail, frozenAtForShare, setFrozen as setUserFrozen } from '../auth/index.ts';
import { accountSecuritySettings, type SecurityTokenPurpose, securityTokens, type WithdrawalAddressRow, withdrawalAddresses } from './security.schema.ts';

/** A new single-use emailed token; only its SHA-256 is stored. Returns the raw token for the link. */
export async function issueToken(ex: Executor, v: { userId: string; purpose: SecurityTokenPurpose; ttlSeconds: number; refId?: string }): Promise<string> {
  const token = randomToken(32);
  await ex.insert(securityTokens).values({
    userId: v.userId,
    purpose: v.purpose,
    tokenHash: sha256(token),
    refId: v.refId ?? null,
    expiresAt: sql`now() + make_interval(secs => ${v.ttlSeconds})`,
  });
  return token;
}

/** Marks the token used when it is live (right purpose, unused, unexpired); null otherwise. Single use under races. */
export async function consumeToken(ex: Executor, raw: string, purpose: SecurityTokenPurpose): Promise<{ userId: string; refId: string | null } | null> {
  const [row] = await ex
    .update(securityTokens)
    .set({ usedAt: sql`now()` })
    .where(
      and(
        eq(securityTokens.tokenHash, sha256(raw)),
        eq(securityTokens.purpose, purpose),
        isNull(securityTokens.usedAt),
        gt(securityTokens.expiresAt, sql`now()`),
      ),
    )
    .returning({ userId: securityTokens.userId, refId: securityTokens.refId });
  return row ?? null;
}

/** The live token without using it (the unfreeze form checks the password before spending the link). */
export async function peekToken(ex: Executor, raw: string, purpose: SecurityTokenPurpose): Promise<{ userId: string } | null> {
  const [row] = await ex
    .select({ userId: securityTokens.userId })
    .from(securityTokens)
    .where(
      and(
        eq(securityTokens.tokenHash, sha256(raw)),
        eq(securityTokens.purpose, purpose),
        isNull(securityTokens.usedAt),
        gt(securityTokens.expiresAt, sql`now()`),
      ),
    );
  return row ?? null;
}

export interface SecuritySettings {
  antiPhishingCode: string | null;
  addressBookOnly: boolean;
  addressBookOnlyOffAt: Date | null;
}

const DEFAULTS: SecuritySettings = { antiPhishingCode: null, addressBookOnly: false, addressBookOnlyOffAt: null };

export async function getSettings(ex: Executor, userId: string, forUpdate = false): Promise<SecuritySettings> {
  const q = ex
    .select({
      antiPhishingCode: accountSecuritySettings.antiPhishingCode,
      addressBookOnly: accountSecuritySettings.addressBookOnly,
      addressBookOnlyOffAt: accountSecuritySettings.addressBookOnlyOffAt,
    })
    .from(accountSecuritySettings)
    .where(eq(accountSecuritySettings.userId, userId));
  const [row] = forUpdate ? await q.for('update') : await q;
  return row ?? DEFAULTS;
}

/** Serialises one user's security-setting changes (the settings row may not exist yet, so not a row lock). */
export async function lockUserSettings(ex: Executor, userId: string): Promise<void> {
  await ex.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`security-settings:${userId}`}, 0))`);
}

export async function updateSettings(ex: Executor, userId: string, patch: Partial<SecuritySettings>): Promise<void> {
  await ex
    .insert(accountSecuritySettings)
    .values({ userId, ...patch })
    .onConflictDoUpdate({ target: accountSecuritySettings.userId, set: { ...patch, updatedAt: sql`now()` } });
}

/** The recipient of an email, by address (stored lower-case), with the anti-phishing code. */
export async function recipientByEmail(ex: Executor, email: string): Promise<{ userId: string; antiPhishingCode: string | null } | null> {
  const user = await findUserByEmail(ex, email.trim().toLowerCase());
  if (!user) return null;
  const [row] = await ex
    .select({ antiPhishingCode: accountSecuritySettings.antiPhishingCode })
    .from(accountSecuritySettings)
    .where(eq(accountSecuritySettings.userId, user.id));
  return { userId: user.id, antiPhishingCode: row?.antiPhishingCode ?? null };
}

export async function listAddresses(ex: Executor, userId: string): Promise<WithdrawalAddressRow[]> {
  return ex
    .select()
    .from(withdrawalAddresses)
    .where(eq(withdrawalAddresses.userId, userId))
    .orderBy(desc(withdrawalAddresses.createdAt), desc(withdrawalAddresses.id));
}

export async function countAddresses(ex: Executor, userId: string): Promise<number> {
  const [row] = await ex.select({ n: sql<number>`count(*)::int` }).from(withdrawalAddresses).where(eq(withdrawalAddresses.userId, userId));
  return row?.n ?? 0;
}

/** The user's entry, or null for a missing one or another user's (both 404). */
export async function findAddress(ex: Executor, userId: string, id: string): Promise<WithdrawalAddressRow | null> {
  const [row] = await ex
    .select()
    .from(withdrawalAddresses)
    .where(and(eq(withdrawalAddresses.id, id), eq(withdrawalAddresses.userId, userId)));
  return row ?? null;
}

export async function findAddressByValue(ex: Executor, userId: string, asset: string, network: string, address: string): Promise<WithdrawalAddressRow | null> {
  const [row] = await ex
    .select()
    .from(withdrawalAddresses)
    .where(
      and(
        eq(withdrawalAddresses.userId, userId),
        eq(withdrawalAddresses.asset, asset),
        eq(withdrawalAddresses.network, network),
        eq(withdrawalAddresses.address, address),
      ),
    );
  return row ?? null;
}

/** Inserts the entry; null when the same asset, network and address is already in the book. */
export async function insertAddress(
  ex: Executor,
  v: { userId: string; asset: string; network: string; address: string; label: string; coolingOffSeconds: number },
): Promise<WithdrawalAddressRow | null> {
  const rows = await ex
    .insert(withdrawalAddresses)
    .values({
      userId: v.userId,
      asset: v.asset,
      network: v.network,
      address: v.address,
      label: v.label,
      usableAt: sql`now() + make_interval(secs => ${v.coolingOffSeconds})`,
    })
    .onConflictDoNothing()
    .returning();
  return rows[0] ?? null;
}

export async function confirmAddress(ex: Executor, userId: string, id: string): Promise<WithdrawalAddressRow | null> {
  const [row] = await ex
    .update(withdrawalAddresses)
    .set({ confirmedAt: sql`coalesce(${withdrawalAddresses.confirmedAt}, now())` })
    .where(and(eq(withdrawalAddresses.id, id), eq(withdrawalAddresses.userId, userId)))
    .returning();
  return row ?? null;
}

export async function deleteAddress(ex: Executor, userId: string, id: string): Promise<WithdrawalAddressRow | null> {
  const [row] = await ex
    .delete(withdrawalAddresses)
    .where(and(eq(withdrawalAddresses.id, id), eq(withdrawalAddresses.userId, userId)))
    .returning();
  return row ?? null;
}

/**
 * Inside a money-moving transaction: refuses (403 ACCOUNT_FROZEN) when the user is frozen, holding a share lock on
 * the user row until commit. A freeze (an UPDATE of that row) therefore either waits for this transaction, which
 * then happened before it (and a pending withdrawal is canceled by the freeze's sweep), or committed first and is
 * seen here. The request's principal alone could be a moment old.
 */
export async function assertNotFrozen(ex: Executor, userId: string): Promise<void> {
  if (await frozenAtForShare(ex, userId))
    throw new AppError('ACCOUNT_FROZEN', 'This account is frozen: withdrawals and transfers are blocked until it is unfrozen');
}

/** Sets or clears the freeze; returns the user's email when the state changed. */
export async function setFrozen(ex: Executor, userId: string, frozen: boolean, reason: string | null): Promise<{ email: string } | null> {
  return setUserFrozen(ex, userId, frozen, reason);
}
