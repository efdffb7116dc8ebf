import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeAuthRows, currentTermsVersion, latestEmail, randomIp, signUpVerified, verificationCodeFor } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext, uniqueEmail } from '../../../test/helpers.ts';

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const login = (payload: object, ip = randomIp(), headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/api/auth/login', payload, remoteAddress: ip, headers });

describe('login', () => {
  it('wrong password and unknown email answer the same 401', async () => {
    const s = await signUpVerified(t);
    const wrong = await login({ email: s.user.email, password: 'not the password at all' });
    const unknown = await login({ email: uniqueEmail('ghost'), password: 'not the password at all' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().error.message).toBe(unknown.json().error.message);
    expect(wrong.cookies).toHaveLength(0);
  });

  it('accepts the email in any case and with spaces', async () => {
    const s = await signUpVerified(t);
    expect((await login({ email: `  ${s.user.email.toUpperCase()} `, password: s.password })).statusCode).toBe(200);
  });

  it('unverified → 403 EMAIL_NOT_VERIFIED (only with the right password)', async () => {
    const email = uniqueEmail('unv');
    const password = 'unverified passphrase 1';
    await t.app.inject({
      method: 'POST',
      url: '/api/auth/signup',
      remoteAddress: randomIp(),
      payload: { email, password, name: 'U', termsVersion: await currentTermsVersion(t) },
    });
    await verificationCodeFor(t, email);
    const res = await login({ email, password });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('EMAIL_NOT_VERIFIED');
    expect((await login({ email, password: 'wrong passphrase 123' })).statusCode).toBe(401);
  });

  it('suspended → 403 ACCOUNT_SUSPENDED, and the existing session dies at once', async () => {
    const s = await signUpVerified(t);
    await changeAuthRows(t, s.user.id, sql`update users set suspended_at = now() where id = ${s.user.id}`);
    const res = await login({ email: s.user.email, password: s.password });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('ACCOUNT_SUSPENDED');
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: s.cookies } });
    expect(me.statusCode).toBe(401);
  });

  // Failed sign-ins are throttled, not locked: auth.throttle.test.ts.

  it('brute force from one IP across many accounts is cut off (30 per 15 min), whatever X-Forwarded-For says', async () => {
    const ip = randomIp();
    const codes: number[] = [];
    for (let i = 0; i < 31; i++) {
      codes.push((await login({ email: uniqueEmail('bf'), password: 'guess guess guess' }, ip, { 'x-forwarded-for': randomIp() })).statusCode);
    }
    expect(codes.slice(0, 30).every((c) => c === 401)).toBe(true);
    expect(codes[30]).toBe(429);
  });

  it('emails the owner on a sign-in from a new device', async () => {
    const s = await signUpVerified(t);
    await login({ email: s.user.email, password: s.password }, randomIp(), { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0) Firefox/130.0' });
    const mail = await latestEmail(t, s.user.email);
    expect(mail?.subject).toMatch(/New sign-in/);
    expect(mail?.text).toContain('Firefox on Windows');
  });
});

describe('with TRUST_PROXY=1', () => {
  it('rate limits key on the address the proxy saw, not on what the client claims further left', async () => {
    const proxied = await createTestApp({ TRUST_PROXY: '1' });
    try {
      const client = randomIp();
      const codes: number[] = [];
      for (let i = 0; i < 31; i++) {
        const res = await proxied.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          remoteAddress: '127.0.0.1',
          headers: { 'x-forwarded-for': `${randomIp()}, ${client}` },
          payload: { email: uniqueEmail('tp'), password: 'guess guess guess' },
        });
        codes.push(res.statusCode);
      }
      expect(codes[30]).toBe(429);
    } finally {
      await proxied.close();
    }
  });
});
