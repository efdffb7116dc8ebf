import { type ApiKeyScope, OPERATOR_ROLE_LABELS, type OperatorRole, type RouteRole, routeRoles } from '@cryptovault/contract';
import type { FastifyRequest } from 'fastify';
import { AppError } from './errors.ts';

/** Who is calling. Produced by the auth module's Authenticator; routes read it through the guards below. */
export interface Principal {
  userId: string;
  sessionId: string;
  /** 'admin' exactly when `operatorRoles` is not empty (an operator). */
  role: 'user' | 'admin';
  /** The operator's roles (issue 21), read with the session on every request: a change applies at the next one. */
  operatorRoles: readonly OperatorRole[];
  /** The ACCOUNT has a second factor (TOTP or a passkey). Says nothing about how this session signed in: see `session`. */
  twoFactorEnabled: boolean;
  /** Which second factors the account has ('totp' also covers its backup codes). */
  secondFactors: SecondFactor[];
  /** The account was frozen ("this wasn't me"): nothing sensitive until an operator or the owner lifts it. */
  frozen: boolean;
  /** How this session was authenticated (from its row, read on every request). */
  session: SessionAssurance;
  /**
   * cookie-authenticated requests need CSRF; bearer ones do not. 'apikey': a request signed with an API key
   * (modules/apikeys): no session behind it (`sessionId` is `apikey:<id>`, which no session row has), never an
   * admin, never stepped up, and only the routes its scopes allow.
   */
  via: 'cookie' | 'bearer' | 'apikey';
  /** Set when `via` is 'apikey': the key, for attribution (audit log) and the scope check. */
  apiKey?: { id: string; scopes: readonly ApiKeyScope[] };
}

export type AuthMethod = 'password' | 'email_code' | 'totp' | 'backup_code' | 'passkey';
export type SecondFactor = 'totp' | 'passkey';
/** The methods that are a second factor (a session that proved one of them passed 2FA). */
export const SECOND_FACTOR_METHODS: readonly AuthMethod[] = ['totp', 'backup_code', 'passkey'];

export interface SessionAssurance {
  /** When this session itself passed a second factor (TOTP, backup code or passkey), or null. */
  secondFactorAt: Date | null;
  /** The latest step-up (a sign-in counts) and what it proved. */
  stepUpAt: Date | null;
  stepUpMethods: AuthMethod[];
}

export interface Authenticator {
  /**
   * The caller of an HTTP request: null when anonymous OR when the presented credential is invalid, expired or
   * belongs to a revoked session (guards then answer 401). Never throws for bad credentials.
   */
  authenticate(request: FastifyRequest): Promise<Principal | null>;
  /** The same for a Socket.IO handshake: the `access_token` cookie, or a `/api/auth/socket-token` token. */
  authenticateSocket(input: { cookieHeader?: string | undefined; token?: string | undefined }): Promise<Principal | null>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Resolved once per request by the auth hook in app.ts. */
    principal: Principal | null;
  }
}

/** Whether the caller may read the account's balances: any session; an API key only with the `read` scope. */
export function readsBalances(p: Principal | null): boolean {
  return !!p && (p.apiKey === undefined || p.apiKey.scopes.includes('read'));
}

export function requireUser(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('UNAUTHENTICATED', 'Sign in to continue');
  return request.principal;
}

/**
 * Admin routes need role admin, 2FA on the account AND a session that itself passed a second factor: a session
 * opened with the password alone does not become an admin session when 2FA is turned on elsewhere. A frozen
 * administrator account has no operator rights until it is unfrozen (by another operator, or its owner).
 */
export function requireAdmin(request: FastifyRequest): Principal {
  const p = requireUser(request);
  if (p.role === 'admin') requireNotFrozen(p);
  if (p.role !== 'admin') throw new AppError('FORBIDDEN', 'Administrator access required');
  if (!p.twoFactorEnabled) throw new AppError('FORBIDDEN', 'Administrators must enable two-factor authentication first');
  if (!p.session.secondFactorAt) {
    throw new AppError('FORBIDDEN', 'This session did not pass two-factor authentication; sign in again with your code or confirm it (step-up)');
  }
  return p;
}

/**
 * An operator route: requireAdmin (operator, 2FA on the account and on this session, not frozen) AND one of the
 * roles `role` allows (a superadmin passes every route). Routes of the contract's table and routes declaring
 * `config.role` get this check from http/route-roles.ts before validation, so a handler cannot forget it; call it
 * directly only for a check inside a handler.
 */
export function requireRole(request: FastifyRequest, role: RouteRole): Principal {
  const p = requireAdmin(request);
  const allowed = routeRoles({ role });
  if (p.operatorRoles.some((r) => allowed.includes(r))) return p;
  const wanted = allowed.filter((r) => r !== 'superadmin').map((r) => OPERATOR_ROLE_LABELS[r]);
  const named = wanted.length === 0 ? 'the Superadmin role' : wanted.length === 1 ? `the ${wanted[0]} role` : `one of the roles ${wanted.join(', ')}`;
  throw new AppError('FORBIDDEN', `This needs ${named}; ask a superadmin if your work requires it`, { requiredRoles: allowed });
}

/** Whether `p` is an operator holding a role that `role` allows (no 2FA check: for shaping answers, not guarding). */
export function holdsRole(p: Principal | null, role: RouteRole): boolean {
  if (p?.role !== 'admin') return false;
  const allowed = routeRoles({ role });
  return p.operatorRoles.some((r) => allowed.includes(r));
}

/**
 * A frozen account (the owner's "this wasn't me" link) moves no money and changes nothing sensitive: 403
 * ACCOUNT_FROZEN. Every step-up guarded action goes through here (requireStepUp), and withdrawals and transfers
 * call it themselves before anything else.
 */
export function requireNotFrozen(p: Principal): Principal {
  if (p.frozen) {
    throw new AppError(
      'ACCOUNT_FROZEN',
      'This account is frozen: withdrawals, transfers and security changes are blocked until it is unfrozen (support, or the unfreeze link with your password and second factor)',
    );
  }
  return p;
}

/**
 * What a step-up must prove for `p`: a second factor when the account has one (any of those listed: 'totp' and/or
 * 'passkey'), else the password; `withPassword` adds the password.
 */
export function stepUpMethods(p: Principal, opts: { withPassword?: boolean } = {}): ('password' | SecondFactor)[] {
  if (!p.twoFactorEnabled || p.secondFactors.length === 0) return ['password'];
  return opts.withPassword ? ['password', ...p.secondFactors] : [...p.secondFactors];
}

/**
 * The one guard of sensitive actions (transfers, withdrawals, 2FA, password or email changes; later address book,
 * passkeys, API keys): this session stepped up within `ttlSeconds` with what `stepUpMethods` asks. Otherwise 403
 * STEP_UP_REQUIRED with { methods, ttlSeconds }, so a client knows what to ask for and POSTs /api/auth/step-up.
 */
export function requireStepUp(request: FastifyRequest, ttlSeconds: number, opts: { withPassword?: boolean } = {}): Principal {
  const p = requireNotFrozen(requireUser(request));
  const methods = stepUpMethods(p, opts);
  const s = p.session;
  const fresh = s.stepUpAt !== null && Date.now() - s.stepUpAt.getTime() <= ttlSeconds * 1000;
  // A fresh email code (sign-up verification) stands in for the password: the address could reset it anyway.
  const passwordProved = s.stepUpMethods.includes('password') || s.stepUpMethods.includes('email_code');
  const factorProved = s.stepUpMethods.some((x) => SECOND_FACTOR_METHODS.includes(x));
  const wantsFactor = methods.some((m) => m !== 'password');
  if (fresh && (!methods.includes('password') || passwordProved) && (!wantsFactor || factorProved)) return p;
  const factor = methods.includes('totp') ? (methods.includes('passkey') ? 'a two-factor code or your passkey' : 'a two-factor code') : 'your passkey';
  const what = wantsFactor ? (methods.includes('password') ? `your password and ${factor}` : factor) : 'your password';
  throw new AppError('STEP_UP_REQUIRED', `Confirm it is you: enter ${what} to continue`, { methods, ttlSeconds });
}
