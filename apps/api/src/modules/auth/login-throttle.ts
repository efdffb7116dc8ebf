import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { Config } from '../../config.ts';
import type { Cache } from '../../platform/cache.ts';
import { safeEqual } from './secrets.ts';

const MIN = 60_000;

/**
 * Sign-in throttling instead of an account lock (which any stranger could trigger and renew, and which answered
 * only for accounts that exist). Failures are counted by the hash of the normalised email, whether or not the
 * account exists, so the answers are the same for both:
 *
 * - per (account, client address): PAIR_FREE failures in PAIR_WINDOW_MS, then that address waits for the window;
 *   a guesser slows only itself.
 * - per account, from any address: ACCOUNT_FREE failures in ACCOUNT_WINDOW_MS, then each further attempt waits
 *   2^(failures − ACCOUNT_FREE) seconds (at most ACCOUNT_MAX_DELAY_S) after the last failure. Refused attempts count
 *   nothing and move nothing, so a stranger cannot make the wait longer by hammering; and a browser holding the
 *   account's device cookie (set by a successful sign-in there) is exempt, so the owner keeps signing in.
 */
export const THROTTLE = {
  PAIR_FREE: 5,
  PAIR_WINDOW_MS: 15 * MIN,
  ACCOUNT_FREE: 10,
  ACCOUNT_WINDOW_MS: 60 * MIN,
  ACCOUNT_MAX_DELAY_S: 15 * 60,
} as const;

export const DEVICE_COOKIE = 'cv_device';
const DEVICE_COOKIE_MAX_AGE_S = 400 * 86_400;

export interface ThrottleVerdict {
  allowed: boolean;
  retryAfterSeconds: number;
}

const pairKey = (acct: string, ip: string) => `lt:pair:${acct}:${ip}`;
const acctKey = (acct: string) => `lt:acct:${acct}`;
const lastKey = (acct: string) => `lt:acct-last:${acct}`;

export function accountDelaySeconds(failures: number): number {
  if (failures < THROTTLE.ACCOUNT_FREE) return 0;
  return Math.min(THROTTLE.ACCOUNT_MAX_DELAY_S, 2 ** Math.min(20, failures - THROTTLE.ACCOUNT_FREE + 1));
}

export class LoginThrottle {
  constructor(
    private readonly cache: Cache,
    private readonly deviceKey: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether this attempt may check a password at all. Counts nothing. */
  async check(acct: string, ip: string, trustedDevice: boolean): Promise<ThrottleVerdict> {
    const pair = await this.cache.incr(pairKey(acct, ip), THROTTLE.PAIR_WINDOW_MS, 0);
    if (pair.count >= THROTTLE.PAIR_FREE) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(pair.ttlMs / 1000)) };
    if (trustedDevice) return { allowed: true, retryAfterSeconds: 0 };
    const acctCount = (await this.cache.incr(acctKey(acct), THROTTLE.ACCOUNT_WINDOW_MS, 0)).count;
    const delay = accountDelaySeconds(acctCount);
    if (!delay) return { allowed: true, retryAfterSeconds: 0 };
    const last = Number((await this.cache.get(lastKey(acct))) ?? 0);
    const waitMs = last + delay * 1000 - this.now();
    return waitMs > 0 ? { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) } : { allowed: true, retryAfterSeconds: 0 };
  }

  /** Counts a failed attempt (wrong password, unknown account, wrong code). True when it trips a throttle now. */
  async fail(acct: string, ip: string): Promise<boolean> {
    const [pair, account] = await Promise.all([
      this.cache.incr(pairKey(acct, ip), THROTTLE.PAIR_WINDOW_MS),
      this.cache.incr(acctKey(acct), THROTTLE.ACCOUNT_WINDOW_MS),
      this.cache.set(lastKey(acct), String(this.now()), THROTTLE.ACCOUNT_WINDOW_MS),
    ]);
    return pair.count === THROTTLE.PAIR_FREE || account.count === THROTTLE.ACCOUNT_FREE;
  }

  /** A success clears this address's failures for the account (not the account-wide count: that is the attack). */
  async succeeded(acct: string, ip: string): Promise<void> {
    await this.cache.del(pairKey(acct, ip));
  }

  /** `nonce.mac`: proves a previous successful sign-in to this account on this browser. */
  deviceToken(acct: string): string {
    const nonce = randomBytes(16).toString('base64url');
    return `${nonce}.${this.mac(acct, nonce)}`;
  }

  trustsDevice(acct: string, cookie: string | undefined): boolean {
    if (!cookie || cookie.length > 200) return false;
    const [nonce, mac] = cookie.split('.');
    return Boolean(nonce && mac && safeEqual(mac, this.mac(acct, nonce)));
  }

  private mac(acct: string, nonce: string): string {
    return createHmac('sha256', this.deviceKey).update(`${acct}:${nonce}`).digest('base64url');
  }
}

export function setDeviceCookie(reply: FastifyReply, config: Config, value: string): void {
  reply.setCookie(DEVICE_COOKIE, value, {
    path: '/api/auth',
    httpOnly: true,
    secure: config.cookies.secure,
    sameSite: config.cookies.crossSite ? 'none' : 'lax',
    maxAge: DEVICE_COOKIE_MAX_AGE_S,
  });
}
