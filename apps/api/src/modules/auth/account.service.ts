import type { UserProfile } from '@cryptovault/contract';
import { AppError, unauthenticated } from '../../platform/errors.ts';
import { sendInBackground } from '../../platform/mailer/mailer.ts';
import type { Principal } from '../../platform/principal.ts';
import { type AuthDeps, describeDevice, normalizeEmail, type RequestContext, toProfile } from './auth.context.ts';
import { passwordChangedEmail, passwordResetEmail } from './auth.emails.ts';
import { weakPassword } from './auth.service.ts';
import * as codesRepo from './codes.repo.ts';
import { accountSubject, LIMITS, RESET_TOKEN_TTL_MINUTES } from './limits.ts';
import { hashPassword, passwordProblems, verifyPassword } from './password.ts';
import { randomToken, sha256 } from './secrets.ts';
import * as passkeysRepo from './passkeys.repo.ts';
import * as sessionsRepo from './sessions.repo.ts';
import { sessionsEnded, userOfPrincipal } from './sessions.service.ts';
import * as usersRepo from './users.repo.ts';
import type { UserRow } from './users.schema.ts';

export const FORGOT_ACCEPTED = 'If an account uses this address, a reset link is on its way.';

export async function currentUser(d: AuthDeps, principal: Principal): Promise<UserRow> {
  const user = await usersRepo.findUserById(d.db, principal.userId);
  if (!user) throw unauthenticated();
  return user;
}

/** From the row the request was authenticated with (no query); the profile's changes publish an auth-state change. */
export async function getProfile(d: AuthDeps, principal: Principal): Promise<UserProfile> {
  return toProfile(userOfPrincipal(principal) ?? (await currentUser(d, principal)));
}

export async function updateProfile(d: AuthDeps, principal: Principal, input: { name: string }): Promise<UserProfile> {
  const user = await usersRepo.updateUser(d.db, principal.userId, { name: input.name.trim() });
  if (!user) throw unauthenticated();
  await sessionsEnded(d.platform, user.id, []);
  return toProfile(user);
}

const wrongPassword = (field: string) =>
  new AppError('UNAUTHENTICATED', 'The current password is wrong', [{ path: ['body', field], message: 'wrong password' }]);

/** Keeps the caller's session and ends every other one (a thief's included). */
export async function changePassword(
  d: AuthDeps,
  principal: Principal,
  input: { currentPassword: string; newPassword: string },
  ctx: RequestContext,
): Promise<void> {
  await d.platform.rateLimiter.consume(LIMITS.passwordUser, principal.userId);
  const user = await currentUser(d, principal);
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) throw wrongPassword('currentPassword');
  const problems = passwordProblems(input.newPassword, user.email);
  if (problems.length) throw weakPassword(problems, 'newPassword');
  if (await verifyPassword(user.passwordHash, input.newPassword)) throw weakPassword(['must differ from the current password'], 'newPassword');
  const passwordHash = await hashPassword(input.newPassword);
  const ended = await d.db.transaction(async (tx) => {
    await usersRepo.updateUser(tx, user.id, { passwordHash });
    await codesRepo.retireResetTokens(tx, user.id);
    await passkeysRepo.insertSecurityEvent(tx, { userId: user.id, kind: 'password_changed', ip: ctx?.ip ?? null, userAgent: ctx?.userAgent ?? null });
    return sessionsRepo.revokeUserSessions(tx, user.id, 'password_changed', principal.sessionId);
  });
  await sessionsEnded(d.platform, user.id, ended);
  const mail = passwordChangedEmail(user.email, 'changed', describeDevice(ctx.userAgent), ctx.ip, new Date(), d.platform.config.appUrl);
  sendInBackground(d.platform.mailer, d.platform.log, mail, 'password-changed');
}

/**
 * Same answer, in the same time, whether or not the address has an account: after the limits (which do not
 * depend on the account existing) the answer goes out, and the lookup, the token and the email happen in the
 * background.
 */
export async function forgotPassword(d: AuthDeps, rawEmail: string, ctx: RequestContext): Promise<void> {
  const email = normalizeEmail(rawEmail);
  await d.platform.rateLimiter.consume(LIMITS.forgotIp, ctx.ip);
  await d.platform.rateLimiter.consume(LIMITS.forgotAccount, accountSubject(email));
  const work = async () => {
    const user = await usersRepo.findUserByEmail(d.db, email);
    if (user && !user.suspendedAt) await sendResetLink(d, user);
  };
  // Started on the next turn of the event loop, so not even the lookup's first step runs before the answer.
  setImmediate(() => work().catch((err: unknown) => d.platform.log.warn({ err, requestId: ctx.requestId }, 'password reset link could not be sent')));
}

/** A new single-use reset link (older ones retired), emailed in the background. */
export async function sendResetLink(d: AuthDeps, user: UserRow): Promise<void> {
  const token = randomToken(32);
  await d.db.transaction(async (tx) => {
    await codesRepo.retireResetTokens(tx, user.id);
    await codesRepo.insertResetToken(tx, user.id, sha256(token), new Date(Date.now() + RESET_TOKEN_TTL_MINUTES * 60_000));
  });
  const link = `${d.platform.config.appUrl}/reset-password?token=${encodeURIComponent(token)}`;
  sendInBackground(d.platform.mailer, d.platform.log, passwordResetEmail(user.email, link, RESET_TOKEN_TTL_MINUTES), 'password-reset');
}

/**
 * Single use, expiring. A reset ends every session (whoever had the old password is out), clears a lockout,
 * and proves ownership of the address, so it also counts as email verification.
 */
export async function resetPassword(d: AuthDeps, input: { token: string; newPassword: string }, ctx: RequestContext): Promise<void> {
  await d.platform.rateLimiter.consume(LIMITS.resetIp, ctx.ip);
  const invalid = () =>
    new AppError('VALIDATION_ERROR', 'This reset link is invalid, expired or already used; ask for a new one', [
      { path: ['body', 'token'], message: 'invalid token' },
    ]);
  const hash = sha256(input.token);
  const { userId, email, ended } = await d.db.transaction(async (tx) => {
    const owner = await codesRepo.consumeResetToken(tx, hash);
    if (!owner) throw invalid();
    const user = await usersRepo.findUserById(tx, owner);
    if (!user) throw invalid();
    const problems = passwordProblems(input.newPassword, user.email);
    // Thrown inside the transaction so the token stays usable for a second try with a better password.
    if (problems.length) throw weakPassword(problems, 'newPassword');
    const passwordHash = await hashPassword(input.newPassword);
    await usersRepo.updateUser(tx, user.id, {
      passwordHash,
      failedLoginCount: 0,
      lockedUntil: null,
      ...(user.emailVerifiedAt ? {} : { emailVerifiedAt: new Date() }),
    });
    await codesRepo.retireResetTokens(tx, user.id);
    // Whoever had the old password may have made an API key with it: those end too (the owner makes new ones).
    const revokedApiKeys = await d.revokeApiKeys(tx, user.id, 'password_reset');
    await passkeysRepo.insertSecurityEvent(tx, {
      userId: user.id,
      kind: 'password_reset',
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      ...(revokedApiKeys ? { details: { revokedApiKeys } } : {}),
    });
    return { userId: user.id, email: user.email, ended: await sessionsRepo.revokeUserSessions(tx, user.id, 'password_reset') };
  });
  await sessionsEnded(d.platform, userId, ended);
  const mail = passwordChangedEmail(email, 'reset', describeDevice(ctx.userAgent), ctx.ip, new Date(), d.platform.config.appUrl);
  sendInBackground(d.platform.mailer, d.platform.log, mail, 'password-reset-done');
  d.platform.log.info({ userId, requestId: ctx.requestId }, 'password reset');
}
