import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asBearer, asUser, signUpVerified } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('GET /api/auth/session', () => {
  it('answers 200 to an anonymous visitor: not signed in, nothing to refresh', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/auth/session' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ authenticated: false, user: null, canRefresh: false });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('names the signed-in user (cookie or bearer), as /me does', async () => {
    const s = await signUpVerified(t);
    const me = (await asUser(t, s).inject({ method: 'GET', url: '/api/auth/me' })).json();
    for (const as of [asUser(t, s), asBearer(t, s)]) {
      const res = await as.inject({ method: 'GET', url: '/api/auth/session' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ authenticated: true, user: me, canRefresh: false });
    }
  });

  it('with an expired or broken access token but a refresh cookie: not signed in, can refresh (still 200)', async () => {
    const s = await signUpVerified(t);
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/auth/session',
      headers: { cookie: `access_token=expired.or.broken; refresh_token=${s.refreshToken}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ authenticated: false, user: null, canRefresh: true });
  });

  it('keeps /me as it was: 401 for an anonymous caller', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
  });
});

describe("CORS for the page's own origin", () => {
  it('a page opened at 127.0.0.1 gets CORS headers for its own origin although APP_URL says localhost; a foreign origin does not', async () => {
    expect(t.config.appUrl).toBe('http://localhost:8001');
    const own = await t.app.inject({ method: 'GET', url: '/api/config', headers: { host: '127.0.0.1:8001', origin: 'http://127.0.0.1:8001' } });
    expect(own.headers['access-control-allow-origin']).toBe('http://127.0.0.1:8001');
    expect(own.headers['access-control-allow-credentials']).toBe('true');
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/auth/login',
      headers: {
        host: '127.0.0.1:8001',
        origin: 'http://127.0.0.1:8001',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://127.0.0.1:8001');
    const foreign = await t.app.inject({ method: 'GET', url: '/api/config', headers: { host: '127.0.0.1:8001', origin: 'http://evil.example' } });
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    const configured = await t.app.inject({ method: 'GET', url: '/api/config', headers: { host: '127.0.0.1:8001', origin: 'http://localhost:8001' } });
    expect(configured.headers['access-control-allow-origin']).toBe('http://localhost:8001');
  });
});
