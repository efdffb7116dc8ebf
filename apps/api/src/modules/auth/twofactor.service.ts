import { AppError } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import type { Principal } from '../../platform/principal.ts';
import { currentUser } from './account.service.ts';
import { type AuthDeps, createAuthDeps } from './auth.context.ts';
import { LIMITS } from './limits.ts';
import { verifyPassword } from './password.ts';
import { decrypt, encrypt } from './secrets.ts';
import { hashBackupCode, matchTotp, newBackupCodes, newTotpSecret, provisioning, verifySecondFactor } from './totp.ts';
import * as usersRepo from './users.repo.ts';

const alreadyOn = () => new AppError('CONFLICT', 'Two-factor authentication is already enabled; disable it first to change it');
const badCode = (field: string) => new AppError('TOTP_INVALID', 'The authentication code is wrong or was already used', [{ path: ['body', field], message: 'invalid code' }]);

/** Stores a new secret (encrypted) as pending; it protects nothing until /2fa/enable proves the app has it. */
export async function setupTwoFactor(d: AuthDeps, principal: Principal): Promise<{ secret: string; otpauthUrl: string; qrSvg: string }> {
  const user = await currentUser(d, principal);
  if (user.totpEnabledAt) throw alreadyOn();
  const secret = newTotpSecret();
  await usersRepo.setPendingTotp(d.db, user.id, encrypt(d.keys.totp, secret));
  return { secret, ...(await provisioning(user.email, secret)) };
}

/** Backup codes are returned once and stored only as keyed hashes. */
export async function enableTwoFactor(d: AuthDeps, principal: Principal, code: string): Promise<{ backupCodes: string[] }> {
  await d.platform.rateLimiter.consume(LIMITS.twoFactorUser, principal.userId);
  const user = await currentUser(d, principal);
  if (user.totpEnabledAt) throw alreadyOn();
  if (!user.totpSecretEnc) throw new AppError('INVALID_STATE', 'Start with POST /api/auth/2fa/setup');
  const step = await matchTotp(decrypt(d.keys.totp, user.totpSecretEnc), code.trim(), user.totpLastStep);
  if (step === null || !(await usersRepo.claimTotpStep(d.db, user.id, step))) throw badCode('code');
  const backupCodes = newBackupCodes();
  if (!(await usersRepo.enableTotp(d.db, user.id, backupCodes.map((c) => hashBackupCode(d, c))))) throw alreadyOn();
  return { backupCodes };
}

/** Needs both the password and a current code (or a backup code): a stolen session alone cannot turn 2FA off. */
export async function disableTwoFactor(d: AuthDeps, principal: Principal, input: { password: string; code: string }): Promise<void> {
  await d.platform.rateLimiter.consume(LIMITS.twoFactorUser, principal.userId);
  const user = await currentUser(d, principal);
  if (!user.totpEnabledAt) throw new AppError('INVALID_STATE', 'Two-factor authentication is not enabled');
  if (!(await verifyPassword(user.passwordHash, input.password))) {
    throw new AppError('UNAUTHENTICATED', 'The password is wrong', [{ path: ['body', 'password'], message: 'wrong password' }]);
  }
  if (!(await verifySecondFactor(d, user, input.code))) throw badCode('code');
  await usersRepo.disableTotp(d.db, user.id);
}

/**
 * For other modules (withdrawals): checks and consumes a TOTP or backup code of a user with 2FA on. False when
 * the code is wrong, already used, or the user has no 2FA.
 */
export async function verifyUserSecondFactor(platform: Platform, userId: string, code: string): Promise<boolean> {
  const d = createAuthDeps(platform);
  const user = await usersRepo.findUserById(d.db, userId);
  return user?.totpEnabledAt ? verifySecondFactor(d, user, code) : false;
}
