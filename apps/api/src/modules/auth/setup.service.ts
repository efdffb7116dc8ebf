import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../../platform/db/client.ts';
import { AppError } from '../../platform/errors.ts';
import { recordAudit } from '../audit/index.ts';
import { type AuthDeps, normalizeEmail, type RequestContext, toProfile } from './auth.context.ts';
import { LIMITS } from './limits.ts';
import { hashPassword, passwordProblems } from './password.ts';
import { decrypt, encrypt, randomToken, sha256 } from './secrets.ts';
import { hashBackupCode, matchTotp, newBackupCodes, newTotpSecret, provisioning } from './totp.ts';
import * as usersRepo from './users.repo.ts';

/**
 * The first administrator without a second process: a start in embedded mode with no administrator issues a
 * one-time setup link (`/setup?token=...`, printed on the terminal, never logged), valid SETUP_LINK_TTL_MINUTES.
 * The browser page begins (a TOTP secret for the authenticator app, kept encrypted on the token row) and completes
 * (the code proves the app has it): the administrator is created with 2FA on, in one transaction that also uses the
 * token up. Each start issues a new link and voids the old ones; none once an administrator exists.
 */
export const SETUP_LINK_TTL_MINUTES = 60;

async function rows(ex: Executor, query: ReturnType<typeof sql>): Promise<Record<string, unknown>[]> {
  return ((await ex.execute(query)) as unknown as { rows: Record<string, unknown>[] }).rows;
}

export async function adminExists(ex: Executor): Promise<boolean> {
  return (await rows(ex, sql`select 1 from users where role = 'admin' limit 1`)).length > 0;
}

/** A new setup link's token and expiry, or null when an administrator exists. Earlier unused links stop working. */
export async function issueSetupLink(database: Database, now = new Date()): Promise<{ token: string; expiresAt: Date } | null> {
  return database.db.transaction(async (tx) => {
    if (await adminExists(tx)) return null;
    const token = randomToken(32);
    const expiresAt = new Date(now.getTime() + SETUP_LINK_TTL_MINUTES * 60_000);
    await tx.execute(sql`delete from setup_tokens where used_at is null`);
    await tx.execute(sql`insert into setup_tokens (token_hash, expires_at) values (${sha256(token)}, ${expiresAt.toISOString()})`);
    return { token, expiresAt };
  });
}

const invalidLink = () =>
  new AppError(
    'NOT_FOUND',
    'This setup link is not valid: it was already used, it expired, or a newer start replaced it. Restart the server to get a new link (printed while no administrator exists).',
  );
const adminAlready = () =>
  new AppError('CONFLICT', 'An administrator already exists: sign in instead. Further administrators are created with npm run admin:create.');

interface TokenRow {
  token_hash: string;
  expires_at: unknown;
  totp_secret_enc: string | null;
}

/** The live token row (locked for the transaction), or the reason it is not usable. */
async function liveToken(tx: Executor, token: string, lock: boolean): Promise<TokenRow> {
  const found = await rows(
    tx,
    lock
      ? sql`select token_hash, expires_at, totp_secret_enc from setup_tokens where token_hash = ${sha256(token)} and used_at is null and expires_at > now() for update`
      : sql`select token_hash, expires_at, totp_secret_enc from setup_tokens where token_hash = ${sha256(token)} and used_at is null and expires_at > now()`,
  );
  const row = found[0] as TokenRow | undefined;
  if (!row) throw invalidLink();
  if (await adminExists(tx)) throw adminAlready();
  return row;
}

export async function beginSetup(
  d: AuthDeps,
  token: string,
  ctx: RequestContext,
): Promise<{ secret: string; otpauthUrl: string; qrSvg: string; expiresAt: string }> {
  await d.platform.rateLimiter.consume(LIMITS.setupIp, ctx.ip);
  const row = await liveToken(d.db, token, false);
  const secret = newTotpSecret();
  await d.db.execute(sql`update setup_tokens set totp_secret_enc = ${encrypt(d.keys.totp, secret)} where token_hash = ${row.token_hash} and used_at is null`);
  return { secret, ...(await provisioning('administrator', secret)), expiresAt: new Date(String(row.expires_at)).toISOString() };
}

export async function completeSetup(
  d: AuthDeps,
  input: { token: string; email: string; name: string; password: string; totpCode: string },
  ctx: RequestContext,
): Promise<{ user: ReturnType<typeof toProfile>; backupCodes: string[] }> {
  await d.platform.rateLimiter.consume(LIMITS.setupIp, ctx.ip);
  const email = normalizeEmail(input.email);
  const problems = passwordProblems(input.password, email);
  if (problems.length)
    throw new AppError(
      'VALIDATION_ERROR',
      `The password ${problems.join('; ')}`,
      problems.map((message) => ({ path: ['body', 'password'], message })),
    );
  const passwordHash = await hashPassword(input.password);
  return d.db.transaction(async (tx) => {
    const row = await liveToken(tx, input.token, true);
    if (!row.totp_secret_enc) throw new AppError('INVALID_STATE', 'Open the setup link again: the authenticator secret was not issued yet.');
    const step = await matchTotp(decrypt(d.keys.totp, row.totp_secret_enc), input.totpCode.trim(), null);
    if (step === null) {
      throw new AppError('TOTP_INVALID', 'The code from the authenticator app is wrong or expired: check the app shows CryptoVault and try the current code.', [
        { path: ['body', 'totpCode'], message: 'wrong code' },
      ]);
    }
    const created = await usersRepo.insertUser(tx, { email, name: input.name.trim(), passwordHash, role: 'admin', verified: true });
    if (!created) throw new AppError('CONFLICT', 'An account with this email already exists', [{ path: ['body', 'email'], message: 'already registered' }]);
    const backupCodes = newBackupCodes();
    await usersRepo.setPendingTotp(tx, created.id, row.totp_secret_enc);
    await usersRepo.claimTotpStep(tx, created.id, step);
    await usersRepo.enableTotp(
      tx,
      created.id,
      backupCodes.map((c) => hashBackupCode(d, c)),
    );
    await tx.execute(sql`update setup_tokens set used_at = now(), created_user_id = ${created.id} where token_hash = ${row.token_hash}`);
    await recordAudit(tx, {
      actorId: null,
      action: 'admin.create',
      targetType: 'user',
      targetId: created.id,
      requestId: ctx.requestId,
      details: { via: 'setup-link', email, ip: ctx.ip },
    });
    const user = await usersRepo.findUserById(tx, created.id);
    if (!user) throw new Error('the administrator vanished inside its own transaction');
    return { user: toProfile(user), backupCodes };
  });
}
