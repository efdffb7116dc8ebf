import type { SecurityEvent, SessionInfo } from '@cryptovault/contract';
import { AppError, notFound, unauthenticated } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import { type AuthMethod, type Authenticator, type Principal, SECOND_FACTOR_METHODS, type SecondFactor } from '../../platform/principal.ts';
import { type AuthDeps, describeDevice, type RequestContext } from './auth.context.ts';
import { ACCESS_COOKIE, readCookie } from './cookies.ts';
import { randomToken, sha256 } from './secrets.ts';
import * as securityRepo from './passkeys.repo.ts';
import { authStateChanged, createSessionCache } from './session-cache.ts';
import * as sessionsRepo from './sessions.repo.ts';
import { ACCESS_AUDIENCE, SOCKET_AUDIENCE } from './tokens.ts';
import { keepRequestVersions, MONEY, readVersions } from '../../platform/versioned-cache.ts';
import type { UserRow } from './users.schema.ts';

export interface IssuedSession {
  user: UserRow;
  sessionId: string;
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
}

// last_used_at is for the session list; writing it on every request would turn every read into a write.
const TOUCH_INTERVAL_MS = 60_000;

/**
 * Opens a session that records what the sign-in proved (`methods`). The sign-in itself counts as a step-up of
 * what it proved; a second factor among them makes the session one that passed 2FA (admin rights need that).
 */
export async function startSession(d: AuthDeps, user: UserRow, ctx: RequestContext, methods: AuthMethod[]): Promise<IssuedSession> {
  const refreshToken = randomToken(32);
  const { refreshTokenTtlSeconds, sessionMaxLifetimeSeconds } = d.platform.config.auth;
  const now = Date.now();
  const absoluteExpiresAt = new Date(now + sessionMaxLifetimeSeconds * 1000);
  const expiresAt = new Date(Math.min(now + refreshTokenTtlSeconds * 1000, absoluteExpiresAt.getTime()));
  const at = new Date(now);
  const secondFactorAt = methods.some((m) => SECOND_FACTOR_METHODS.includes(m)) ? at : null;
  const stepUpMethods = methods;
  const session = await d.db.transaction(async (tx) => {
    const s = await sessionsRepo.insertSession(tx, {
      userId: user.id,
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      expiresAt,
      absoluteExpiresAt,
      authMethods: methods,
      secondFactorAt,
      stepUpAt: stepUpMethods.length ? at : null,
      stepUpMethods,
    });
    await sessionsRepo.insertRefreshToken(tx, sha256(refreshToken), s.id);
    await securityRepo.insertSecurityEvent(tx, { userId: user.id, kind: 'sign_in', ip: ctx.ip, userAgent: ctx.userAgent, details: { methods } });
    return s;
  });
  const access = await d.tokens.signAccess({ userId: user.id, sessionId: session.id });
  return { user, sessionId: session.id, accessToken: access.token, accessTokenExpiresAt: access.expiresAt, refreshToken };
}

/**
 * Rotates the refresh token and issues a new access token for the same session (the session id, and so the CSRF
 * binding, stays). A token presented a second time means it was copied: the whole session is revoked. The session's
 * end moves forward by the refresh lifetime but never past its absolute end (SESSION_MAX_LIFETIME_DAYS).
 */
export async function refreshSession(d: AuthDeps, rawToken: string | undefined, ctx: RequestContext): Promise<IssuedSession> {
  if (!rawToken || rawToken.length > 200) throw unauthenticated('No valid refresh token; sign in again');
  const hash = sha256(rawToken);
  const token = await sessionsRepo.findRefreshToken(d.db, hash);
  if (!token) throw unauthenticated('No valid refresh token; sign in again');
  const reuse = async () => {
    const owner = await sessionsRepo.revokeSession(d.db, token.sessionId, 'refresh_token_reuse');
    if (owner) await sessionsEnded(d.platform, owner, [token.sessionId]);
    d.platform.log.warn({ sessionId: token.sessionId, requestId: ctx.requestId }, 'refresh token reuse: session revoked');
    return unauthenticated('This refresh token was already used; the session has been ended for safety. Sign in again.');
  };
  if (token.usedAt) throw await reuse();
  const live = await sessionsRepo.findLiveSession(d.db, token.sessionId);
  if (!live || live.user.suspendedAt) throw unauthenticated('Session ended; sign in again');

  const next = randomToken(32);
  const expiresAt = new Date(Date.now() + d.platform.config.auth.refreshTokenTtlSeconds * 1000);
  const rotated = await d.db.transaction(async (tx) => {
    if (!(await sessionsRepo.markRefreshTokenUsed(tx, hash))) return false;
    await sessionsRepo.insertRefreshToken(tx, sha256(next), token.sessionId);
    await sessionsRepo.extendSession(tx, token.sessionId, expiresAt, ctx.ip);
    return true;
  });
  if (!rotated) throw await reuse();
  const access = await d.tokens.signAccess({ userId: live.user.id, sessionId: token.sessionId });
  return { user: live.user, sessionId: token.sessionId, accessToken: access.token, accessTokenExpiresAt: access.expiresAt, refreshToken: next };
}

/** Ends the caller's session: by the signed-in principal, or (access token expired) by the refresh cookie. */
export async function logout(d: AuthDeps, principal: Principal | null, rawRefresh: string | undefined): Promise<void> {
  if (principal) {
    if (await sessionsRepo.revokeSession(d.db, principal.sessionId, 'logout')) await sessionsEnded(d.platform, principal.userId, [principal.sessionId]);
    return;
  }
  if (!rawRefresh || rawRefresh.length > 200) return;
  const token = await sessionsRepo.findRefreshToken(d.db, sha256(rawRefresh));
  const owner = token ? await sessionsRepo.revokeSession(d.db, token.sessionId, 'logout') : null;
  if (token && owner) await sessionsEnded(d.platform, owner, [token.sessionId]);
}

/** Ends every other session of the account, keeping the caller's. */
export async function logoutOthers(d: AuthDeps, principal: Principal, ctx: RequestContext): Promise<number> {
  const ids = await d.db.transaction(async (tx) => {
    const ended = await sessionsRepo.revokeUserSessions(tx, principal.userId, 'signed_out_by_user', principal.sessionId);
    await securityRepo.insertSecurityEvent(tx, {
      userId: principal.userId,
      kind: 'sessions_signed_out',
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      details: { count: ended.length },
    });
    return ended;
  });
  await sessionsEnded(d.platform, principal.userId, ids);
  return ids.length;
}

export async function logoutAll(d: AuthDeps, principal: Principal): Promise<number> {
  const ids = await sessionsRepo.revokeUserSessions(d.db, principal.userId, 'logout_all');
  await sessionsEnded(d.platform, principal.userId, ids);
  return ids.length;
}

/**
 * Every revocation, and every other change to what a user's Principal is made of (second factors, freeze,
 * suspension, step-up), ends with this after its transaction committed: each machine's session cache stops trusting
 * that user's entries, and the sockets of the ended sessions are disconnected on every machine
 * (realtime/server.ts), so no private event reaches a signed-out browser.
 */
export function sessionsEnded(platform: Pick<Platform, 'cache' | 'events' | 'log'>, userId: string, sessionIds: string[]): Promise<void> {
  return authStateChanged(platform, userId, sessionIds);
}

export async function listSessions(d: AuthDeps, principal: Principal): Promise<SessionInfo[]> {
  const rows = await sessionsRepo.listLiveSessions(d.db, principal.userId);
  return rows.map((s) => ({
    id: s.id,
    current: s.id === principal.sessionId,
    device: describeDevice(s.userAgent),
    userAgent: s.userAgent,
    ip: s.ip,
    createdAt: s.createdAt.toISOString(),
    lastUsedAt: s.lastUsedAt.toISOString(),
  }));
}

/** Another user's session is indistinguishable from a missing one (404). */
export async function revokeOwnSession(d: AuthDeps, principal: Principal, sessionId: string): Promise<void> {
  if (!(await sessionsRepo.revokeSession(d.db, sessionId, 'revoked_by_user', principal.userId))) throw notFound('Session');
  await sessionsEnded(d.platform, principal.userId, [sessionId]);
}

export async function issueSocketToken(d: AuthDeps, principal: Principal): Promise<{ token: string; expiresAt: string }> {
  const t = await d.tokens.signSocket({ userId: principal.userId, sessionId: principal.sessionId });
  return { token: t.token, expiresAt: t.expiresAt.toISOString() };
}

const usersOf = new WeakMap<Principal, UserRow>();

/**
 * The user row this request's Principal was built from: as current as the Principal itself (read from the database,
 * or from the session cache under the user's current auth-state version), so a profile read needs no query.
 */
export function userOfPrincipal(principal: Principal): UserRow | undefined {
  return usersOf.get(principal);
}

/**
 * Resolves credentials to a Principal. The session is confirmed on every call: against the session cache when the
 * user's auth-state version in the shared cache is the one the entry was loaded under, otherwise against the
 * session and user rows; so a logout, revocation, password reset, step-up or suspension takes effect on the next
 * request on every machine (session-cache.ts).
 */
/** The namespaces a signed-in request reads the user's versions of (session-cache.ts's `auth`, the ledger's `money`). */
const USER_NAMESPACES = ['auth', MONEY] as const;

export function createAuthenticator(d: AuthDeps): Authenticator {
  const cache = createSessionCache(d.platform.cache);
  const resolve = async (token: string, audience: string, via: Principal['via'], cached = true): Promise<Principal | null> => {
    const claims = await d.tokens.verify(token, audience);
    if (!claims) return null;
    // Read before the database, so that an entry is never newer than the version it is filed under. A socket
    // handshake (rare, and the start of a long-lived connection) always reads the rows.
    // The user's `money` version comes in the same round trip, for the money reads of this request (portfolio,
    // balances): one cache read per signed-in request instead of two.
    const versions = cached ? await readVersions(d.platform.cache, claims.userId, USER_NAMESPACES) : null;
    const version = versions ? (versions.get('auth') ?? null) : null;
    let live = cache.get(claims.sessionId, version);
    if (!live) {
      live = await sessionsRepo.findLiveSession(d.db, claims.sessionId);
      if (live) cache.set(claims.sessionId, version, live);
    }
    if (!live || live.user.id !== claims.userId || live.user.suspendedAt) return null;
    if (Date.now() - live.session.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
      // The cached row is updated too, so that the next requests do not touch again.
      live.session.lastUsedAt = new Date();
      sessionsRepo.touchSession(d.db, live.session.id).catch((err: unknown) => d.platform.log.warn({ err }, 'could not update session last use'));
    }
    const s = live.session;
    const secondFactors: SecondFactor[] = [...(live.user.totpEnabledAt ? (['totp'] as const) : []), ...(live.hasPasskey ? (['passkey'] as const) : [])];
    const principal: Principal = {
      userId: live.user.id,
      sessionId: s.id,
      role: live.user.role,
      operatorRoles: live.user.operatorRoles,
      twoFactorEnabled: secondFactors.length > 0,
      secondFactors,
      frozen: live.user.frozenAt !== null,
      session: { secondFactorAt: s.secondFactorAt, stepUpAt: s.stepUpAt, stepUpMethods: s.stepUpMethods as AuthMethod[] },
      via,
    };
    usersOf.set(principal, live.user);
    if (versions) keepRequestVersions(principal, versions);
    return principal;
  };
  return {
    async authenticate(request) {
      const header = request.headers.authorization;
      if (header !== undefined) {
        // An Authorization header decides alone: a bad bearer token does not fall back to cookies.
        const m = /^Bearer[ ]+([A-Za-z0-9._~+/=-]+)$/i.exec(header);
        return m?.[1] ? resolve(m[1], ACCESS_AUDIENCE, 'bearer') : null;
      }
      const cookie = request.cookies[ACCESS_COOKIE];
      return cookie ? resolve(cookie, ACCESS_AUDIENCE, 'cookie') : null;
    },
    async authenticateSocket({ cookieHeader, token }) {
      if (token) return resolve(token, SOCKET_AUDIENCE, 'bearer', false);
      const cookie = readCookie(cookieHeader, ACCESS_COOKIE);
      return cookie ? resolve(cookie, ACCESS_AUDIENCE, 'cookie', false) : null;
    },
  };
}

export function tooManyAttempts(retryAfterSeconds: number, message = 'Too many attempts; try again later'): AppError {
  const s = Math.max(1, Math.ceil(retryAfterSeconds));
  return new AppError('RATE_LIMITED', message, { retryAfterSeconds: s }, s);
}

export async function listSecurityEvents(d: AuthDeps, principal: Principal, limit: number): Promise<SecurityEvent[]> {
  const rows = await securityRepo.listSecurityEvents(d.db, principal.userId, limit);
  return rows.map((r) => ({
    id: String(r.id),
    kind: r.kind,
    at: r.createdAt.toISOString(),
    ip: r.ip,
    device: r.userAgent === null ? null : describeDevice(r.userAgent),
    details: r.details,
  }));
}
