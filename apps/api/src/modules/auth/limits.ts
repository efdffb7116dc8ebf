import type { RateRule } from '../../platform/ratelimit.ts';
import { sha256 } from './secrets.ts';

const MIN = 60_000;

/**
 * Per client IP (request.ip, which honours TRUST_PROXY: a forged X-Forwarded-For is not believed) and per
 * account (keyed by a hash of the normalised email, whether or not the account exists, so limits do not reveal it).
 * Failed sign-ins are throttled by login-throttle.ts (per account and address, and per account with backoff),
 * never by a lock on the account.
 */
export const LIMITS = {
  loginIp: { name: 'auth:login:ip', limit: 30, windowMs: 15 * MIN },
  signupIp: { name: 'auth:signup:ip', limit: 10, windowMs: 60 * MIN },
  signupAccount: { name: 'auth:signup:acct', limit: 5, windowMs: 60 * MIN },
  verifyIp: { name: 'auth:verify:ip', limit: 30, windowMs: 15 * MIN },
  verifyAccount: { name: 'auth:verify:acct', limit: 10, windowMs: 15 * MIN },
  resendIp: { name: 'auth:resend:ip', limit: 10, windowMs: 60 * MIN },
  resendAccount: { name: 'auth:resend:acct', limit: 3, windowMs: 15 * MIN },
  forgotIp: { name: 'auth:forgot:ip', limit: 10, windowMs: 60 * MIN },
  forgotAccount: { name: 'auth:forgot:acct', limit: 3, windowMs: 60 * MIN },
  resetIp: { name: 'auth:reset:ip', limit: 20, windowMs: 60 * MIN },
  passwordUser: { name: 'auth:password:user', limit: 10, windowMs: 15 * MIN },
  twoFactorUser: { name: 'auth:2fa:user', limit: 10, windowMs: 15 * MIN },
  stepUpUser: { name: 'auth:stepup:user', limit: 10, windowMs: 15 * MIN },
  passkeyUser: { name: 'auth:passkey:user', limit: 20, windowMs: 15 * MIN },
  setupIp: { name: 'auth:setup:ip', limit: 20, windowMs: 15 * MIN },
} satisfies Record<string, RateRule>;

export const VERIFICATION_CODE_TTL_MINUTES = 15;
export const VERIFICATION_MAX_ATTEMPTS = 5;
export const RESET_TOKEN_TTL_MINUTES = 60;

export function accountSubject(email: string): string {
  return sha256(email);
}
