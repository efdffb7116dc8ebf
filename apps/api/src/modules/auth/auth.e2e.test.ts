import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieHeader, currentTermsVersion, randomIp, setCookies, totpCode } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext, uniqueEmail } from '../../../test/helpers.ts';

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

/** A tiny browser: a cookie jar, the CSRF token from /api/csrf, one client IP. */
function browser() {
  const jar: Record<string, string> = {};
  const ip = randomIp();
  let csrf = '';
  const send = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => {
    const res = await t.app.inject({
      method,
      url,
      remoteAddress: ip,
      headers: { cookie: cookieHeader(jar), ...(csrf ? { 'x-csrf-token': csrf } : {}) },
      ...(payload ? { payload } : {}),
    });
    for (const [k, v] of Object.entries(setCookies(res))) {
      if (v === '') delete jar[k];
      else jar[k] = v;
    }
    return res;
  };
  return {
    send,
    async refreshCsrf() {
      csrf = (await send('GET', '/api/csrf')).json().csrfToken;
    },
    jar,
  };
}

describe('end to end', () => {
  it('signup → code from the outbox → verify → login → enable 2FA → logout → login with TOTP → change password → old session dead', async () => {
    const email = uniqueEmail('e2e');
    const password = 'first passphrase for e2e';
    const laptop = browser();
    await laptop.refreshCsrf();
    expect(
      (await laptop.send('POST', '/api/auth/signup', { email, password, name: 'End To End', termsVersion: await currentTermsVersion(t) })).statusCode,
    ).toBe(201);

    const outbox = await t.app.inject({ method: 'GET', url: `/api/dev/outbox?to=${encodeURIComponent(email)}` });
    const mail = outbox.json().items[0];
    expect(mail).toMatchObject({ to: email, subject: expect.stringMatching(/verification code/) });
    expect(mail.html).toContain('<html>');
    const code = mail.text.match(/\b(\d{6})\b/)[1];

    expect((await laptop.send('POST', '/api/auth/verify-email', { email, code })).statusCode).toBe(200);
    await laptop.refreshCsrf();
    expect((await laptop.send('GET', '/api/auth/me')).json().emailVerified).toBe(true);

    const phone = browser();
    expect((await phone.send('POST', '/api/auth/login', { email, password })).statusCode).toBe(200);
    await phone.refreshCsrf();

    const setup = await phone.send('POST', '/api/auth/2fa/setup');
    expect(setup.statusCode).toBe(200);
    const secret = setup.json().secret as string;
    const enable = await phone.send('POST', '/api/auth/2fa/enable', { code: await totpCode(secret, -1) });
    expect(enable.statusCode).toBe(200);
    expect(enable.json().backupCodes).toHaveLength(10);

    expect((await phone.send('POST', '/api/auth/logout')).statusCode).toBe(200);
    expect((await phone.send('GET', '/api/auth/me')).statusCode).toBe(401);

    expect((await phone.send('POST', '/api/auth/login', { email, password })).json().error.code).toBe('TOTP_REQUIRED');
    expect((await phone.send('POST', '/api/auth/login', { email, password, totpCode: await totpCode(secret, 0) })).statusCode).toBe(200);
    await phone.refreshCsrf();
    expect((await phone.send('GET', '/api/auth/me')).json().twoFactorEnabled).toBe(true);

    const change = await phone.send('POST', '/api/auth/change-password', { currentPassword: password, newPassword: 'second passphrase for e2e' });
    expect(change.statusCode).toBe(200);
    expect((await phone.send('GET', '/api/auth/me')).statusCode).toBe(200);
    // The laptop's session (from verify-email) ended with the password change; its refresh token is dead too.
    expect((await laptop.send('GET', '/api/auth/me')).statusCode).toBe(401);
    expect((await laptop.send('POST', '/api/auth/refresh')).statusCode).toBe(401);
  });
});
