/**
 * Signing in from HTTP tests, through the real /api/auth routes (no shortcuts around sessions or CSRF).
 *
 *   const alice = await signUpVerified(t);                  // { user: { id, email, name }, cookies, csrfToken, accessToken, ... }
 *   const res = await asUser(t, alice).inject({ method: 'POST', url: '/api/orders', payload: {...} });
 *       // adds Cookie (access_token, refresh_token, csrf_token) and X-CSRF-Token, from alice's own client IP
 *   const res2 = await asBearer(t, alice).inject({ method: 'GET', url: '/api/wallet/balances' });
 *       // adds Authorization: Bearer <access token> (no cookies, no CSRF)
 *   const admin = await createAdmin(t);                     // role admin AND 2FA on: passes requireAdmin
 *   await asUser(t, admin).inject({ method: 'GET', url: '/api/fly/status' });
 *   const code = await totpCode(admin.totpSecret!, 1);      // a code for the next 30 s step (codes are single-use,
 *                                                           // and each must be for a later step than the last one)
 *   await stepUp(t, alice);                                 // POST /api/auth/step-up: a fresh step-up on alice's session
 *                                                           // (password; a TOTP code when 2FA is on; both with
 *                                                           // { withPassword: true }), for transfers, withdrawals, 2FA changes
 *
 * Sessions opened by signUpVerified (email code), signIn and enableTwoFactor have a fresh step-up already (the
 * sign-in counts for STEP_UP_TTL_SECONDS); call stepUp when a test moves time or signs in otherwise.
 *
 * Every session signs up from its own random 10.x.x.x address (inject's remoteAddress), so the per-IP limits on
 * signup/login never trip across test files sharing one Redis. Emails are unique per call (uniqueEmail()).
 * `asUser(...).inject` merges any `headers` you pass (yours win), so a test can drop or break the CSRF header.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { generate } from 'otplib';
import { authStateChanged } from '../src/modules/auth/session-cache.ts';
import { type TestContext, uniqueEmail } from './helpers.ts';

export interface TestSession {
  user: { id: string; email: string; name: string };
  /** Cookie header value: access_token, refresh_token and csrf_token. */
  cookies: string;
  csrfToken: string;
  accessToken: string;
  refreshToken: string;
  password: string;
  /** The client IP this session's requests come from. */
  ip: string;
  /** Base32 TOTP secret when 2FA is enabled through these helpers. */
  totpSecret?: string;
  backupCodes?: string[];
}

export const DEFAULT_PASSWORD = 'correct horse battery staple 42';

export function randomIp(): string {
  const b = () => 1 + Math.floor(Math.random() * 254);
  return `10.${b()}.${b()}.${b()}`;
}

/** name → value of every Set-Cookie in a response (cleared cookies come back as ''). */
export function setCookies(res: LightMyRequestResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of res.cookies as { name: string; value: string }[]) out[c.name] = c.value;
  return out;
}

export function cookieHeader(cookies: Record<string, string>): string {
  return Object.entries(cookies)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
}

/** The newest email to `email` in the dev outbox (GET /api/dev/outbox). */
export async function latestEmail(t: TestContext, email: string): Promise<{ subject: string; text: string; html: string } | undefined> {
  const res = await t.app.inject({ method: 'GET', url: `/api/dev/outbox?to=${encodeURIComponent(email)}` });
  return res.json().items[0];
}

/** Every email to `email` in the dev outbox, newest first. */
export async function outbox(t: TestContext, email: string): Promise<{ subject: string; text: string; html: string }[]> {
  const res = await t.app.inject({ method: 'GET', url: `/api/dev/outbox?to=${encodeURIComponent(email)}` });
  return res.json().items;
}

/**
 * The newest email to `email` once there are more than `after` of them (work done in the background after the
 * answer, such as a forgot-password link, lands a moment later). Throws after `timeoutMs`.
 */
export async function waitForEmail(t: TestContext, email: string, after = 0, timeoutMs = 5000): Promise<{ subject: string; text: string; html: string }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const items = await outbox(t, email);
    if (items.length > after) return items[0]!;
    if (Date.now() > until) throw new Error(`no new email to ${email} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function verificationCodeFor(t: TestContext, email: string): Promise<string> {
  const mail = await latestEmail(t, email);
  const code = mail?.text.match(/\b(\d{6})\b/)?.[1];
  if (!code) throw new Error(`no verification code in the outbox for ${email}`);
  return code;
}

function expectStatus(res: LightMyRequestResponse, status: number, what: string): void {
  if (res.statusCode !== status) throw new Error(`${what}: expected ${status}, got ${res.statusCode} ${res.body}`);
}

/** Builds a session from a sign-in response (verify-email, login or refresh) and fetches its CSRF token. */
export async function sessionFromResponse(t: TestContext, res: LightMyRequestResponse, password: string, ip: string): Promise<TestSession> {
  const jar = setCookies(res);
  const accessToken = jar.access_token;
  const refreshToken = jar.refresh_token;
  if (!accessToken || !refreshToken) throw new Error(`no auth cookies in response: ${res.statusCode} ${res.body}`);
  const auth = cookieHeader({ access_token: accessToken, refresh_token: refreshToken });
  const csrfRes = await t.app.inject({ method: 'GET', url: '/api/csrf', headers: { cookie: auth }, remoteAddress: ip });
  expectStatus(csrfRes, 200, 'GET /api/csrf');
  const csrfToken: string = csrfRes.json().csrfToken;
  const user = res.json().user;
  return {
    user: { id: user.id, email: user.email, name: user.name },
    cookies: `${auth}; csrf_token=${csrfToken}`,
    csrfToken,
    accessToken,
    refreshToken,
    password,
    ip,
  };
}

/** The version of the Terms of Service in force: what a sign-up must accept (`termsVersion`). */
export async function currentTermsVersion(t: TestContext): Promise<number> {
  const res = await t.app.inject({ method: 'GET', url: '/api/legal/documents', remoteAddress: randomIp() });
  expectStatus(res, 200, 'GET /api/legal/documents');
  const terms = (res.json() as { items: { kind: string; version: number }[] }).items.find((d) => d.kind === 'terms');
  if (!terms) throw new Error('no terms in force');
  return terms.version;
}

/** Signs up (accepting the terms in force), reads the code from the dev outbox, verifies (which signs in) and fetches a CSRF token. */
export async function signUpVerified(t: TestContext, opts: { email?: string; password?: string; name?: string; ip?: string } = {}): Promise<TestSession> {
  const email = opts.email ?? uniqueEmail();
  const password = opts.password ?? DEFAULT_PASSWORD;
  const ip = opts.ip ?? randomIp();
  const signup = await t.app.inject({
    method: 'POST',
    url: '/api/auth/signup',
    remoteAddress: ip,
    payload: { email, password, name: opts.name ?? 'Test User', termsVersion: await currentTermsVersion(t) },
  });
  expectStatus(signup, 201, 'signup');
  const code = await verificationCodeFor(t, email);
  const verify = await t.app.inject({ method: 'POST', url: '/api/auth/verify-email', remoteAddress: ip, payload: { email, code } });
  expectStatus(verify, 200, 'verify-email');
  return sessionFromResponse(t, verify, password, ip);
}

/** Signs in an existing account (a new session). Pass totpCode when 2FA is on. */
export async function signIn(t: TestContext, email: string, password: string, opts: { totpCode?: string; ip?: string } = {}): Promise<TestSession> {
  const ip = opts.ip ?? randomIp();
  const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: ip, payload: { email, password, totpCode: opts.totpCode } });
  expectStatus(res, 200, 'login');
  return sessionFromResponse(t, res, password, ip);
}

type Injector = { inject(opts: InjectOptions): Promise<LightMyRequestResponse> };

/** Requests as a browser would send them: cookies plus X-CSRF-Token. */
export function asUser(t: TestContext, session: TestSession): Injector {
  return {
    inject: (opts) =>
      t.app.inject({
        remoteAddress: session.ip,
        ...opts,
        headers: { cookie: session.cookies, 'x-csrf-token': session.csrfToken, ...(opts.headers ?? {}) },
      }),
  };
}

/** Requests as a non-browser client: Authorization: Bearer, no cookies, no CSRF. */
export function asBearer(t: TestContext, session: TestSession): Injector {
  return {
    inject: (opts) =>
      t.app.inject({ remoteAddress: session.ip, ...opts, headers: { authorization: `Bearer ${session.accessToken}`, ...(opts.headers ?? {}) } }),
  };
}

/**
 * A TOTP code for the current 30 s step plus `offsetSteps` (the server accepts -1..+1, each step once). Near the end
 * of a step it first waits for the next one, so a slow request on a busy machine cannot carry the code across a
 * step boundary and out of the server's window.
 */
export async function totpCode(secret: string, offsetSteps = 0): Promise<string> {
  const intoStep = (Date.now() / 1000) % 30;
  if (intoStep > 24) await new Promise((r) => setTimeout(r, (30 - intoStep) * 1000 + 100));
  return generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSteps * 30 });
}

/** A fresh step-up on the session through POST /api/auth/step-up (a TOTP code when 2FA is on; with the password when asked). */
export async function stepUp(t: TestContext, session: TestSession, opts: { withPassword?: boolean } = {}): Promise<LightMyRequestResponse> {
  const payload: Record<string, string> = {};
  if (session.totpSecret) payload.totpCode = await totpCode(session.totpSecret, 1);
  if (!session.totpSecret || opts.withPassword) payload.password = session.password;
  const res = await asUser(t, session).inject({ method: 'POST', url: '/api/auth/step-up', payload });
  expectStatus(res, 200, 'step-up');
  return res;
}

/**
 * Changes a user's `users` or `sessions` rows directly (as an operator's SQL would), then publishes the change as
 * the services do after theirs: without it, a session cached by this or another machine would not see it
 * (modules/auth/session-cache.ts).
 */
export async function changeAuthRows(t: TestContext, userId: string, query: SQL | string): Promise<void> {
  await t.platform.database.db.execute(query);
  await authStateChanged(t.platform, userId);
}

/** Ages the session's last step-up (and sign-in) past any STEP_UP_TTL_SECONDS, as if it happened an hour ago. */
export async function expireStepUp(t: TestContext, session: TestSession): Promise<void> {
  await changeAuthRows(
    t,
    session.user.id,
    sql`update sessions set step_up_at = step_up_at - interval '1 hour' where user_id = ${session.user.id} and step_up_at is not null`,
  );
}

/**
 * Turns 2FA on for the session's user through /2fa/setup and /2fa/enable (with the previous step's code, so the
 * current and next steps stay free for later sign-ins). Mutates and returns the session.
 */
export async function enableTwoFactor(t: TestContext, session: TestSession): Promise<TestSession> {
  const setup = await asUser(t, session).inject({ method: 'POST', url: '/api/auth/2fa/setup' });
  expectStatus(setup, 200, '2fa/setup');
  const secret: string = setup.json().secret;
  const enable = await asUser(t, session).inject({ method: 'POST', url: '/api/auth/2fa/enable', payload: { code: await totpCode(secret, -1) } });
  expectStatus(enable, 200, '2fa/enable');
  session.totpSecret = secret;
  session.backupCodes = enable.json().backupCodes;
  return session;
}

/** A signed-in administrator with 2FA enabled (role set in the database, 2FA through the real routes). */
export async function createAdmin(t: TestContext, opts: { email?: string; password?: string; name?: string } = {}): Promise<TestSession> {
  const session = await signUpVerified(t, { name: 'Test Admin', ...opts });
  await changeAuthRows(t, session.user.id, sql`update users set role = 'admin' where id = ${session.user.id}`);
  return enableTwoFactor(t, session);
}

/**
 * An operator holding exactly `roles` (issue 21): createAdmin (a superadmin with 2FA), then its roles set in the
 * database and published as the role service does, and a step-up with a TOTP code of the next step (a later
 * step-up on this session needs a code of a later step: `stepUp` uses +1, so pass through totpCode(secret, 2)).
 */
export async function createOperator(
  t: TestContext,
  roles: readonly ('support' | 'compliance' | 'finance' | 'superadmin')[],
  opts: { email?: string; name?: string } = {},
): Promise<TestSession> {
  const session = await createAdmin(t, { name: `Test ${roles.join('+') || 'ex-operator'}`, ...opts });
  const list = `{${roles.join(',')}}`;
  await changeAuthRows(t, session.user.id, sql`update users set operator_roles = ${list}::text[] where id = ${session.user.id}`);
  // A fresh step-up with the second factor (approvals and role changes ask for one); the next code step is now used.
  await stepUp(t, session);
  return session;
}
