import type { WebauthnCredentialJson } from '@cryptovault/contract';
import { AppError } from '../../platform/errors.ts';
import type { AuthMethod } from '../../platform/principal.ts';
import { sendResetLink } from './account.service.ts';
import { sendInBackground } from '../../platform/mailer/mailer.ts';
import { type AuthDeps, describeDevice, normalizeEmail, type RequestContext } from './auth.context.ts';
import { accountExistsEmail, newDeviceEmail, throttleEmail, verificationEmail } from './auth.emails.ts';
import * as codesRepo from './codes.repo.ts';
import * as passkeysRepo from './passkeys.repo.ts';
import { authenticationOptions, secondFactorsOf, verifyPasskeyAssertion } from './passkeys.service.ts';
import { accountSubject, LIMITS, VERIFICATION_CODE_TTL_MINUTES, VERIFICATION_MAX_ATTEMPTS } from './limits.ts';
import { burnPasswordCheck, hashPassword, needsRehash, passwordProblems, verifyPassword } from './password.ts';
import { keyedHash, safeEqual, sixDigitCode } from './secrets.ts';
import { type IssuedSession, startSession, tooManyAttempts } from './sessions.service.ts';
import * as sessionsRepo from './sessions.repo.ts';
import { secondFactorMethod, verifySecondFactor } from './totp.ts';
import * as usersRepo from './users.repo.ts';
import type { UserRow } from './users.schema.ts';

export const SIGNUP_ACCEPTED = 'If this address can be registered, a 6-digit verification code is on its way.';
export const RESEND_ACCEPTED = 'If this address has an account waiting for verification, a new code is on its way.';

export function weakPassword(problems: string[], field = 'password'): AppError {
  return new AppError(
    'VALIDATION_ERROR',
    `Password ${problems[0]}`,
    problems.map((message) => ({ path: ['body', field], message })),
  );
}

function codeHash(d: AuthDeps, userId: string, code: string): string {
  return keyedHash(d.keys.codes, `${userId}:${code}`);
}

async function sendVerificationCode(d: AuthDeps, user: UserRow, contested: boolean): Promise<void> {
  const code = sixDigitCode();
  await codesRepo.upsertVerificationCode(d.db, user.id, codeHash(d, user.id, code), new Date(Date.now() + VERIFICATION_CODE_TTL_MINUTES * 60_000), contested);
  const { mailer, log } = d.platform;
  sendInBackground(mailer, log, verificationEmail(user.email, user.name, code, VERIFICATION_CODE_TTL_MINUTES), 'verification');
}

/**
 * The response is the same whether or not the address exists. A verified owner gets a heads-up instead of a
 * code. An unverified account keeps the password it was first signed up with: a later sign-up never replaces it
 * (else whoever signs up last owns the account the owner then verifies). The same password again just resends
 * the code; a different one marks the pending code contested, and verifying a contested code proves the address
 * but applies no password: the owner chooses one through a reset link (see verifyEmail).
 */
export async function signup(
  d: AuthDeps,
  input: { email: string; password: string; name: string; termsVersion?: number | undefined; country?: string | null },
  ctx: RequestContext,
): Promise<void> {
  const email = normalizeEmail(input.email);
  await d.platform.rateLimiter.consume(LIMITS.signupIp, ctx.ip);
  const problems = passwordProblems(input.password, email);
  if (problems.length) throw weakPassword(problems);
  // The person must have accepted the terms in force (the form shows them with their version): the same answer for
  // every address, so it reveals nothing about accounts.
  const termsVersion = await d.consent.currentTermsVersion();
  if (input.termsVersion !== termsVersion) {
    throw new AppError(
      'TERMS_NOT_ACCEPTED',
      input.termsVersion === undefined
        ? 'Accept the Terms of Service to create an account.'
        : 'The Terms of Service changed while you were signing up: read the new version and accept it to continue.',
      { currentVersion: termsVersion },
    );
  }
  await d.platform.rateLimiter.consume(LIMITS.signupAccount, accountSubject(email));
  const passwordHash = await hashPassword(input.password);
  const name = input.name.trim();

  // The acceptance (version, time, address) is recorded with the new account only: a later sign-up of an existing
  // address proves nothing about its owner.
  const user = await d.db.transaction(async (tx) => {
    const created = await usersRepo.insertUser(tx, { email, name, passwordHash, country: input.country ?? null });
    if (created) await d.consent.recordAcceptance(tx, created.id, termsVersion, ctx.ip);
    return created;
  });
  if (user) return sendVerificationCode(d, user, false);
  const existing = await usersRepo.findUserByEmail(d.db, email);
  if (!existing) return;
  if (existing.emailVerifiedAt) {
    sendInBackground(d.platform.mailer, d.platform.log, accountExistsEmail(email, d.platform.config.appUrl), 'signup-existing');
    return;
  }
  const samePassword = await verifyPassword(existing.passwordHash, input.password);
  const wasContested = await codesRepo.isContested(d.db, existing.id);
  await sendVerificationCode(d, existing, wasContested || !samePassword);
}

export async function resendVerification(d: AuthDeps, rawEmail: string, ctx: RequestContext): Promise<void> {
  const email = normalizeEmail(rawEmail);
  await d.platform.rateLimiter.consume(LIMITS.resendIp, ctx.ip);
  await d.platform.rateLimiter.consume(LIMITS.resendAccount, accountSubject(email));
  const user = await usersRepo.findUserByEmail(d.db, email);
  if (user && !user.emailVerifiedAt) await sendVerificationCode(d, user, await codesRepo.isContested(d.db, user.id));
}

const badCode = () =>
  new AppError('VALIDATION_ERROR', 'The code is wrong or has expired; ask for a new one', [{ path: ['body', 'code'], message: 'invalid or expired code' }]);

/** Every wrong guess spends one of the code's five attempts; then only a new code helps. */
export async function verifyEmail(d: AuthDeps, input: { email: string; code: string }, ctx: RequestContext): Promise<IssuedSession> {
  const email = normalizeEmail(input.email);
  await d.platform.rateLimiter.consume(LIMITS.verifyIp, ctx.ip);
  await d.platform.rateLimiter.consume(LIMITS.verifyAccount, accountSubject(email));
  const user = await usersRepo.findUserByEmail(d.db, email);
  if (!user || user.emailVerifiedAt) throw badCode();
  const state = await codesRepo.spendVerificationAttempt(d.db, user.id);
  if (!state || state.attempts > VERIFICATION_MAX_ATTEMPTS) throw badCode();
  if (!safeEqual(state.codeHash, codeHash(d, user.id, input.code.trim()))) throw badCode();
  if (user.suspendedAt) throw new AppError('ACCOUNT_SUSPENDED', 'This account is suspended; contact support');
  if (state.contested) {
    // Two sign-ups chose different passwords: neither applies. The code proved the address, so its owner gets a
    // link to choose the password (a reset also verifies the address); nobody is signed in.
    await codesRepo.deleteVerificationCode(d.db, user.id);
    await sendResetLink(d, user);
    throw new AppError(
      'CONFLICT',
      'This address was signed up more than once with different passwords, so none of them was kept. We have emailed you a link to choose your password.',
      { reason: 'PASSWORD_RESET_SENT' },
    );
  }
  const verified = await d.db.transaction(async (tx) => {
    await codesRepo.deleteVerificationCode(tx, user.id);
    return usersRepo.updateUser(tx, user.id, { emailVerifiedAt: new Date() });
  });
  // The fresh code proves the address, which could reset the password anyway: it stands in for the password in a step-up.
  return startSession(d, verified ?? user, ctx, ['email_code']);
}

const invalidCredentials = () => new AppError('UNAUTHENTICATED', 'Wrong email or password');

const throttled = (retryAfterSeconds: number) =>
  tooManyAttempts(retryAfterSeconds, 'Too many failed sign-ins for this account; wait a little and try again, or reset your password.');

/**
 * Order matters: the per-address limit and the throttles first (the same answers whether or not the account
 * exists), then the password (so account state is only revealed to someone who knows it), then suspension,
 * verification and the second factor. Wrong passwords, unknown addresses and wrong codes all count as failures;
 * the owner is emailed when they trip a throttle. `deviceCookie` is the browser's proof of an earlier successful
 * sign-in to this account, which exempts it from the account-wide backoff; a success returns a new one.
 */
export async function login(
  d: AuthDeps,
  input: { email: string; password: string; totpCode?: string | undefined; passkey?: WebauthnCredentialJson | undefined },
  ctx: RequestContext,
  deviceCookie?: string,
): Promise<IssuedSession & { deviceToken: string }> {
  const email = normalizeEmail(input.email);
  const acct = accountSubject(email);
  await d.platform.rateLimiter.consume(LIMITS.loginIp, ctx.ip);
  const verdict = await d.throttle.check(acct, ctx.ip, d.throttle.trustsDevice(acct, deviceCookie));
  if (!verdict.allowed) throw throttled(verdict.retryAfterSeconds);
  const user = await usersRepo.findUserByEmail(d.db, email);
  const failure = async (err: AppError): Promise<AppError> => {
    if ((await d.throttle.fail(acct, ctx.ip)) && user) {
      d.platform.log.warn({ userId: user.id, ip: ctx.ip, requestId: ctx.requestId }, 'failed sign-ins tripped a throttle');
      sendInBackground(d.platform.mailer, d.platform.log, throttleEmail(user.email, ctx.ip, new Date(), d.platform.config.appUrl), 'sign-in-throttle');
    }
    return err;
  };
  if (!user) {
    await burnPasswordCheck(input.password);
    throw await failure(invalidCredentials());
  }
  if (!(await verifyPassword(user.passwordHash, input.password))) throw await failure(invalidCredentials());
  if (user.suspendedAt) throw new AppError('ACCOUNT_SUSPENDED', 'This account is suspended; contact support');
  if (!user.emailVerifiedAt) throw new AppError('EMAIL_NOT_VERIFIED', 'Verify your email address first; we can send a new code');
  const methods: AuthMethod[] = ['password'];
  const factors = secondFactorsOf(user, await passkeysRepo.countPasskeys(d.db, user.id));
  if (factors.length > 0) {
    if (input.passkey) {
      try {
        await verifyPasskeyAssertion(d, user, input.passkey, null, ctx);
      } catch (err) {
        throw await failure(err instanceof AppError ? err : new AppError('PASSKEY_INVALID', 'The passkey could not be verified; try again'));
      }
      methods.push('passkey');
    } else if (input.totpCode) {
      if (!(await verifySecondFactor(d, user, input.totpCode))) {
        throw await failure(new AppError('TOTP_INVALID', 'The authentication code is wrong or was already used'));
      }
      methods.push(secondFactorMethod(input.totpCode));
    } else {
      // The right password, no second factor: say which ones the account has, with a fresh single-use passkey
      // challenge when it has passkeys (sign in again with `passkey` set to the browser's answer).
      const passkey = factors.includes('passkey') ? await authenticationOptions(d, user.id, null) : null;
      const message = factors.includes('totp')
        ? `Enter the 6-digit code from your authenticator app (or a backup code)${passkey ? ', or use your passkey' : ''}`
        : 'Use your passkey (or a backup code) to finish signing in';
      throw new AppError('TOTP_REQUIRED', message, { methods: factors, ...(passkey ? { passkey: passkey.options } : {}) });
    }
  }
  await d.throttle.succeeded(acct, ctx.ip);
  // An account imported from the original system signs in with its old hash once; from then on it holds argon2id.
  if (needsRehash(user.passwordHash)) await usersRepo.replacePasswordHash(d.db, user.id, user.passwordHash, await hashPassword(input.password));
  const seen = await sessionsRepo.hasSessionFromAgent(d.db, user.id, ctx.userAgent);
  const issued = await startSession(d, user, ctx, methods);
  if (seen.any && !seen.sameAgent) {
    const mail = newDeviceEmail(user.email, describeDevice(ctx.userAgent), ctx.ip, new Date(), d.platform.config.appUrl);
    sendInBackground(d.platform.mailer, d.platform.log, mail, 'new-device');
  }
  return { ...issued, deviceToken: d.throttle.deviceToken(acct) };
}
