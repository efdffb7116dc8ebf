import type { Executor } from '../../platform/db/client.ts';
import { AppError, unauthenticated } from '../../platform/errors.ts';
import { sendInBackground } from '../../platform/mailer/mailer.ts';
import type { WebauthnCredentialJson } from '@cryptovault/contract';
import { type AuthMethod, type Principal, SECOND_FACTOR_METHODS } from '../../platform/principal.ts';
import { currentUser } from './account.service.ts';
import { type AuthDeps, describeDevice, type RequestContext } from './auth.context.ts';
import { twoFactorChangedEmail } from './auth.emails.ts';
import * as passkeysRepo from './passkeys.repo.ts';
import { secondFactorsOf, verifyPasskeyAssertion } from './passkeys.service.ts';
import * as sessionsRepo from './sessions.repo.ts';
import { sessionsEnded } from './sessions.service.ts';
import { LIMITS } from './limits.ts';
import { verifyPassword } from './password.ts';
import { decrypt, encrypt } from './secrets.ts';
import { hashBackupCode, matchTotp, newBackupCodes, newTotpSecret, provisioning, secondFactorMethod, verifySecondFactor } from './totp.ts';
import * as usersRepo from './users.repo.ts';

const alreadyOn = () => new AppError('CONFLICT', 'Two-factor authentication is already enabled; disable it first to change it');
const badCode = (field: string) =>
  new AppError('TOTP_INVALID', 'The authentication code is wrong or was already used', [{ path: ['body', field], message: 'invalid code' }]);

/** Stores a new secret (encrypted) as pending; it protects nothing until /2fa/enable proves the app has it. */
export async function setupTwoFactor(d: AuthDeps, principal: Principal): Promise<{ secret: string; otpauthUrl: string; qrSvg: string }> {
  const user = await currentUser(d, principal);
  if (user.totpEnabledAt) throw alreadyOn();
  const secret = newTotpSecret();
  await usersRepo.setPendingTotp(d.db, user.id, encrypt(d.keys.totp, secret));
  return { secret, ...(await provisioning(user.email, secret)) };
}

/**
 * Backup codes are returned once and stored only as keyed hashes. The route requires a step-up with the password
 * first (requireStepUp withPassword): a stolen session cannot enrol the thief's authenticator. Turning 2FA on ends
 * every other session (a thief's included), marks this one as having passed the new factor (not as a step-up), and
 * emails the owner.
 */
export async function enableTwoFactor(d: AuthDeps, principal: Principal, code: string, ctx: RequestContext): Promise<{ backupCodes: string[] }> {
  await d.platform.rateLimiter.consume(LIMITS.twoFactorUser, principal.userId);
  const user = await currentUser(d, principal);
  if (user.totpEnabledAt) throw alreadyOn();
  if (!user.totpSecretEnc) throw new AppError('INVALID_STATE', 'Start with POST /api/auth/2fa/setup');
  const step = await matchTotp(decrypt(d.keys.totp, user.totpSecretEnc), code.trim(), user.totpLastStep);
  if (step === null || !(await usersRepo.claimTotpStep(d.db, user.id, step))) throw badCode('code');
  const backupCodes = newBackupCodes();
  const ended = await d.db.transaction(async (tx) => {
    if (
      !(await usersRepo.enableTotp(
        tx,
        user.id,
        backupCodes.map((c) => hashBackupCode(d, c)),
      ))
    )
      throw alreadyOn();
    await passkeysRepo.insertSecurityEvent(tx, { userId: user.id, kind: 'two_factor_enabled', ip: ctx.ip, userAgent: ctx.userAgent });
    // This session proved the new factor: it counts as a session that passed 2FA (admin rights). It is not a
    // step-up: turning 2FA straight off again, or moving money, asks for a code like any other session.
    await sessionsRepo.markSecondFactor(tx, principal.sessionId);
    return endOtherSessions(tx, principal, 'two_factor_enabled');
  });
  await sessionsEnded(d.platform, user.id, ended);
  notifyChange(d, user.email, true, ctx);
  return { backupCodes };
}

/**
 * The route requires a step-up with the password AND a current code (or a backup code) within the last minutes: a
 * stolen session alone cannot turn 2FA off. Ends every other session and emails the owner.
 */
export async function disableTwoFactor(d: AuthDeps, principal: Principal, ctx: RequestContext): Promise<void> {
  await d.platform.rateLimiter.consume(LIMITS.twoFactorUser, principal.userId);
  const user = await currentUser(d, principal);
  if (!user.totpEnabledAt) throw new AppError('INVALID_STATE', 'Two-factor authentication is not enabled');
  const keepBackupCodes = (await passkeysRepo.countPasskeys(d.db, user.id)) > 0;
  const ended = await d.db.transaction(async (tx) => {
    await usersRepo.disableTotp(tx, user.id, keepBackupCodes);
    await passkeysRepo.insertSecurityEvent(tx, { userId: user.id, kind: 'two_factor_disabled', ip: ctx.ip, userAgent: ctx.userAgent });
    return endOtherSessions(tx, principal, 'two_factor_disabled');
  });
  await sessionsEnded(d.platform, user.id, ended);
  notifyChange(d, user.email, false, ctx);
}

function endOtherSessions(tx: Executor, principal: Principal, reason: string): Promise<string[]> {
  return sessionsRepo.revokeUserSessions(tx, principal.userId, reason, principal.sessionId);
}

function notifyChange(d: AuthDeps, email: string, enabled: boolean, ctx: RequestContext): void {
  const mail = twoFactorChangedEmail(email, enabled, describeDevice(ctx.userAgent), ctx.ip, new Date(), d.platform.config.appUrl);
  sendInBackground(d.platform.mailer, d.platform.log, mail, enabled ? 'two-factor-enabled' : 'two-factor-disabled');
}

const wrongPassword = () => new AppError('UNAUTHENTICATED', 'The password is wrong', [{ path: ['body', 'password'], message: 'wrong password' }]);

/**
 * POST /api/auth/step-up: proves the password and/or a second factor again on this session. What it proved is
 * recorded on the session row (step_up_at, step_up_methods; a second factor also sets second_factor_at) and
 * requireStepUp accepts it for STEP_UP_TTL_SECONDS. Attempts are limited per user; a wrong code is spent like at
 * sign-in.
 */
export async function stepUp(
  d: AuthDeps,
  principal: Principal,
  input: { password?: string | undefined; totpCode?: string | undefined; backupCode?: string | undefined; passkey?: WebauthnCredentialJson | undefined },
  ctx: RequestContext,
): Promise<{ methods: AuthMethod[]; expiresAt: string }> {
  await d.platform.rateLimiter.consume(LIMITS.stepUpUser, principal.userId);
  const user = await currentUser(d, principal);
  const methods: AuthMethod[] = [];
  const code = input.totpCode ?? input.backupCode;
  if (input.password === undefined && code === undefined && input.passkey === undefined) {
    throw new AppError('VALIDATION_ERROR', 'Enter your password or a two-factor code', [
      { path: ['body'], message: 'password, totpCode, backupCode or passkey required' },
    ]);
  }
  if (input.password !== undefined) {
    if (!(await verifyPassword(user.passwordHash, input.password))) throw wrongPassword();
    methods.push('password');
  }
  if (input.passkey !== undefined) {
    await verifyPasskeyAssertion(d, user, input.passkey, principal.sessionId, ctx);
    methods.push('passkey');
  } else if (code !== undefined) {
    const field = input.totpCode !== undefined ? 'totpCode' : 'backupCode';
    const factors = secondFactorsOf(user, await passkeysRepo.countPasskeys(d.db, user.id));
    if (factors.length === 0) {
      throw new AppError('VALIDATION_ERROR', 'Two-factor authentication is not enabled; confirm with your password', [
        { path: ['body', field], message: 'no second factor' },
      ]);
    }
    if (!(await verifySecondFactor(d, user, code))) throw badCode(field);
    methods.push(secondFactorMethod(code));
  }
  const secondFactor = methods.some((m) => SECOND_FACTOR_METHODS.includes(m));
  if (!(await sessionsRepo.recordStepUp(d.db, principal.sessionId, methods, secondFactor))) throw unauthenticated('Session ended; sign in again');
  // Whichever machine serves the next request reads the step-up.
  await sessionsEnded(d.platform, principal.userId, []);
  return { methods, expiresAt: new Date(Date.now() + d.platform.config.auth.stepUpTtlSeconds * 1000).toISOString() };
}
