import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asBearer, asUser, cookieHeader, randomIp, sessionFromResponse, setCookies, signIn, signUpVerified } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const me = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/api/auth/me', headers });
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

async function forge(claims: Record<string, unknown>, opts: { secret?: string; aud?: string; iss?: string; exp?: number } = {}) {
  const key = new TextEncoder().encode(opts.secret ?? t.config.auth.jwtSecret);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(opts.iss ?? 'cryptovault')
    .setAudience(opts.aud ?? 'cryptovault-api')
    .setJti('x')
    .setIssuedAt(now - 3600)
    .setExpirationTime(opts.exp ?? now + 600)
    .sign(key);
}

describe('access tokens', () => {
  it('accepts a well-formed token and refuses tampered, alg none, wrong audience/issuer/secret and expired ones', async () => {
    const s = await signUpVerified(t);
    expect((await me({ authorization: `Bearer ${s.accessToken}` })).statusCode).toBe(200);
    const [h, p, sig] = s.accessToken.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    const other = await signUpVerified(t);
    const tampered = `${h}.${b64({ ...payload, sub: other.user.id })}.${sig}`;
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${p}.`;
    const claims = { sub: s.user.id, sid: payload.sid };
    const wrongAud = await forge(claims, { aud: 'cryptovault-socket' });
    const wrongIss = await forge(claims, { iss: 'someone-else' });
    const wrongKey = await forge(claims, { secret: 'x'.repeat(40) });
    const expired = await forge(claims, { exp: Math.floor(Date.now() / 1000) - 60 });
    const good = await forge(claims);
    expect((await me({ authorization: `Bearer ${good}` })).statusCode).toBe(200);
    for (const token of [tampered, none, wrongAud, wrongIss, wrongKey, expired, 'garbage', `${h}.${p}`]) {
      const res = await me({ authorization: `Bearer ${token}` });
      expect(res.statusCode, token).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHENTICATED');
      expect((await me({ cookie: `access_token=${token}` })).statusCode).toBe(401);
    }
    // A token claiming someone else's session (sid of another user) is refused.
    const otherSid = JSON.parse(Buffer.from(other.accessToken.split('.')[1]!, 'base64url').toString()).sid;
    expect((await me({ authorization: `Bearer ${await forge({ sub: s.user.id, sid: otherSid })}` })).statusCode).toBe(401);
  });

  it('a logged-out session stops working at once, for cookie and bearer alike', async () => {
    const s = await signUpVerified(t);
    const out = await asUser(t, s).inject({ method: 'POST', url: '/api/auth/logout' });
    expect(out.statusCode).toBe(200);
    expect(setCookies(out).access_token).toBe('');
    expect((await asUser(t, s).inject({ method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
    expect((await asBearer(t, s).inject({ method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
    const refresh = await t.app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie: `refresh_token=${s.refreshToken}` } });
    expect(refresh.statusCode).toBe(401);
  });

  it('logout-all ends every session of the user', async () => {
    const a = await signUpVerified(t);
    const b = await signIn(t, a.user.email, a.password);
    const res = await asUser(t, a).inject({ method: 'POST', url: '/api/auth/logout-all' });
    expect(res.statusCode).toBe(200);
    expect((await asUser(t, a).inject({ method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
    expect((await asBearer(t, b).inject({ method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
  });

  it('sets host-only httpOnly SameSite=Lax cookies on sign-in', async () => {
    const s = await signUpVerified(t);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: randomIp(),
      payload: { email: s.user.email, password: s.password },
    });
    const cookies = res.cookies as { name: string; httpOnly?: boolean; sameSite?: string; domain?: string; path?: string; secure?: boolean }[];
    for (const name of ['access_token', 'refresh_token']) {
      const c = cookies.find((x) => x.name === name);
      expect(c).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
      expect(c?.domain).toBeUndefined();
      expect(c?.secure).toBeFalsy(); // local development (http://localhost)
    }
    expect(res.json().tokens).toBeUndefined();
  });
});

describe('refresh rotation and reuse detection', () => {
  it('rotates both tokens; presenting the old refresh token again revokes the session and both tokens die', async () => {
    const s = await signUpVerified(t);
    const first = await t.app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie: cookieHeader({ refresh_token: s.refreshToken }) } });
    expect(first.statusCode).toBe(200);
    const rotated = setCookies(first);
    expect(rotated.refresh_token).toBeTruthy();
    expect(rotated.refresh_token).not.toBe(s.refreshToken);
    expect(rotated.access_token).not.toBe(s.accessToken);
    expect((await me({ cookie: `access_token=${rotated.access_token}` })).statusCode).toBe(200);

    const replay = await t.app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie: `refresh_token=${s.refreshToken}` } });
    expect(replay.statusCode).toBe(401);
    // The whole session is gone: the new access token and the new refresh token are dead too.
    expect((await me({ cookie: `access_token=${rotated.access_token}` })).statusCode).toBe(401);
    const next = await t.app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie: `refresh_token=${rotated.refresh_token}` } });
    expect(next.statusCode).toBe(401);
  });

  it('non-browser clients refresh with the token in the body and can ask for tokens in the body', async () => {
    const s = await signUpVerified(t);
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: s.refreshToken, returnTokens: true } });
    expect(res.statusCode).toBe(200);
    const { tokens } = res.json();
    expect(tokens.refreshToken).toBe(setCookies(res).refresh_token);
    expect((await me({ authorization: `Bearer ${tokens.accessToken}` })).statusCode).toBe(200);
  });

  it('never hands tokens to script: a cookie session or a request with an Origin asking returnTokens gets cookies only (issue 16 item 9)', async () => {
    const s = await signUpVerified(t);
    const withCookie = await t.app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      headers: { cookie: `refresh_token=${s.refreshToken}` },
      payload: { returnTokens: true },
    });
    expect(withCookie.statusCode).toBe(200);
    expect(withCookie.json().tokens).toBeUndefined();
    expect(withCookie.body).not.toContain(setCookies(withCookie).refresh_token!);
    // The body token with a browser's Origin (a page that read nothing still cannot get tokens this way).
    const withOrigin = await t.app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      headers: { origin: t.config.appUrl },
      payload: { refreshToken: setCookies(withCookie).refresh_token, returnTokens: true },
    });
    expect(withOrigin.statusCode).toBe(200);
    expect(withOrigin.json().tokens).toBeUndefined();
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: s.ip,
      headers: { origin: t.config.appUrl },
      payload: { email: s.user.email, password: s.password, returnTokens: true },
    });
    expect(login.statusCode).toBe(200);
    expect(login.json().tokens).toBeUndefined();
  });

  it('refuses a missing or unknown refresh token', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/refresh' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie: 'refresh_token=nope-nope-nope-nope-nope' } })).statusCode).toBe(
      401,
    );
  });
});

describe('CSRF on cookie-authenticated state changes', () => {
  it('403 CSRF_INVALID without the header, with a mismatched one, or with a token of another session', async () => {
    const s = await signUpVerified(t);
    const other = await signUpVerified(t);
    const patch = (headers: Record<string, string>) =>
      t.app.inject({ method: 'PATCH', url: '/api/auth/me', remoteAddress: s.ip, payload: { name: 'X' }, headers });
    const noHeader = await patch({ cookie: s.cookies });
    expect(noHeader.statusCode).toBe(403);
    expect(noHeader.json().error.code).toBe('CSRF_INVALID');
    expect((await patch({ cookie: s.cookies, 'x-csrf-token': `${s.csrfToken}x` })).statusCode).toBe(403);
    // Another session's token and cookie pair: signed for the wrong session.
    const foreign = s.cookies.replace(/csrf_token=[^;]+/, `csrf_token=${other.csrfToken}`);
    expect((await patch({ cookie: foreign, 'x-csrf-token': other.csrfToken })).statusCode).toBe(403);
    // An anonymous token (fetched before sign-in) does not work after sign-in.
    const anon = (await t.app.inject({ method: 'GET', url: '/api/csrf' })).json().csrfToken as string;
    expect((await patch({ cookie: s.cookies.replace(/csrf_token=[^;]+/, `csrf_token=${anon}`), 'x-csrf-token': anon })).statusCode).toBe(403);
    expect((await patch({ cookie: s.cookies, 'x-csrf-token': s.csrfToken })).statusCode).toBe(200);
  });

  it('bearer requests are exempt; GETs are not checked', async () => {
    const s = await signUpVerified(t);
    expect((await asBearer(t, s).inject({ method: 'PATCH', url: '/api/auth/me', payload: { name: 'Bearer' } })).statusCode).toBe(200);
    expect((await me({ cookie: s.cookies })).statusCode).toBe(200);
  });

  it('the CSRF token survives a refresh (the session id stays)', async () => {
    const s = await signUpVerified(t);
    const r = await t.app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie: s.cookies } });
    const refreshed = await sessionFromResponse(t, r, s.password, s.ip);
    const cookies = `${cookieHeader({ access_token: refreshed.accessToken })}; csrf_token=${s.csrfToken}`;
    const res = await t.app.inject({
      method: 'PATCH',
      url: '/api/auth/me',
      payload: { name: 'Still me' },
      headers: { cookie: cookies, 'x-csrf-token': s.csrfToken },
    });
    expect(res.statusCode).toBe(200);
  });
});

describe('socket tokens', () => {
  it('issues a short-lived token that authenticates a socket but is not an access token', async () => {
    const s = await signUpVerified(t);
    const res = await asUser(t, s).inject({ method: 'POST', url: '/api/auth/socket-token' });
    expect(res.statusCode).toBe(200);
    const { token, expiresAt } = res.json();
    expect(new Date(expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(61_000);
    const auth = t.root.auth.authenticator;
    expect(await auth.authenticateSocket({ token })).toMatchObject({ userId: s.user.id, via: 'bearer' });
    expect(await auth.authenticateSocket({ cookieHeader: `a=b; access_token=${s.accessToken}` })).toMatchObject({ userId: s.user.id, via: 'cookie' });
    expect(await auth.authenticateSocket({ token: s.accessToken })).toBeNull();
    expect(await auth.authenticateSocket({})).toBeNull();
    expect((await me({ authorization: `Bearer ${token}` })).statusCode).toBe(401);
    await asUser(t, s).inject({ method: 'POST', url: '/api/auth/logout' });
    expect(await auth.authenticateSocket({ token })).toBeNull();
  });
});
