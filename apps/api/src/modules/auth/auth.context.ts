import { OPERATOR_ROLES, type UserProfile } from '@cryptovault/contract';
import type { FastifyRequest } from 'fastify';
import type { Db, Executor } from '../../platform/db/client.ts';
import type { Platform } from '../../platform/index.ts';
import { LoginThrottle } from './login-throttle.ts';
import { deriveKey } from './secrets.ts';
import { TokenService } from './tokens.ts';
import type { UserRow } from './users.schema.ts';

/** What the auth services need, built once when the module registers. */
export interface AuthDeps {
  platform: Platform;
  db: Db;
  tokens: TokenService;
  keys: { codes: Buffer; totp: Buffer; backupCodes: Buffer };
  throttle: LoginThrottle;
  /** The terms sign-up must accept (modules/legal). */
  consent: SignupConsent;
  /** Ends the user's API keys in the caller's transaction (modules/apikeys, which depends on this module). */
  revokeApiKeys: RevokeApiKeys;
}

/** Revokes every live API key of `userId` inside `ex`'s transaction; how many were live. */
export type RevokeApiKeys = (ex: Executor, userId: string, reason: string) => Promise<number>;

/** The keys derived from DATA_ENCRYPTION_KEY (also used by the legacy import to store 2FA secrets as ours are). */
export function authKeys(dataEncryptionKey: string): AuthDeps['keys'] {
  return {
    codes: deriveKey(dataEncryptionKey, 'email-verification-code'),
    totp: deriveKey(dataEncryptionKey, 'totp-secret'),
    backupCodes: deriveKey(dataEncryptionKey, 'totp-backup-code'),
  };
}

/**
 * The terms a sign-up must accept (the legal module's service, given by compose.ts): the version in force, and the
 * record of the acceptance, written in the transaction that creates the user.
 */
export interface SignupConsent {
  currentTermsVersion(): Promise<number>;
  recordAcceptance(ex: Executor, userId: string, version: number, ip: string | null): Promise<void>;
}

export function createAuthDeps(platform: Platform, consent: SignupConsent, revokeApiKeys: RevokeApiKeys): AuthDeps {
  const { auth } = platform.config;
  return {
    platform,
    consent,
    revokeApiKeys,
    db: platform.database.db,
    tokens: new TokenService(auth.jwtSecret, auth.accessTokenTtlSeconds),
    keys: authKeys(auth.dataEncryptionKey),
    throttle: new LoginThrottle(platform.cache, deriveKey(auth.dataEncryptionKey, 'login-device')),
  };
}

/** Facts about the caller that services record (never the request object itself). */
export interface RequestContext {
  ip: string;
  userAgent: string | null;
  requestId: string;
}

export function requestContext(request: FastifyRequest): RequestContext {
  const ua = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof ua === 'string' ? ua.slice(0, 512) : null, requestId: String(request.id) };
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function toProfile(user: UserRow): UserProfile {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    operatorRoles: OPERATOR_ROLES.filter((r) => user.operatorRoles.includes(r)),
    emailVerified: user.emailVerifiedAt !== null,
    twoFactorEnabled: user.totpEnabledAt !== null,
    frozen: user.frozenAt !== null,
    createdAt: user.createdAt.toISOString(),
  };
}

/** "Firefox on Windows"-style label for session lists and emails; good enough, not fingerprinting. */
export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const ua = userAgent;
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /OPR\//.test(ua)
      ? 'Opera'
      : /Firefox\//.test(ua)
        ? 'Firefox'
        : /Chrome\//.test(ua)
          ? 'Chrome'
          : /Safari\//.test(ua)
            ? 'Safari'
            : /curl|python|node|okhttp|go-http|axios|undici/i.test(ua)
              ? 'API client'
              : 'Browser';
  const os = /Windows/.test(ua)
    ? 'Windows'
    : /iPhone|iPad|iOS/.test(ua)
      ? 'iOS'
      : /Android/.test(ua)
        ? 'Android'
        : /Mac OS X|Macintosh/.test(ua)
          ? 'macOS'
          : /Linux/.test(ua)
            ? 'Linux'
            : null;
  return os ? `${browser} on ${os}` : browser;
}
