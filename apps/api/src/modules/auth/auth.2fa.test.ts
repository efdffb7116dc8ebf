import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, changeAuthRows, enableTwoFactor, expireStepUp, latestEmail, randomIp, signIn, signUpVerified, totpCode } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const login = (payload: object) => t.app.inject({ method: 'POST', url: '/api/auth/login', payload, remoteAddress: randomIp() });

describe('two-factor authentication', () => {
  it('setup returns a secret, an otpauth URL and a server-made SVG QR; the secret is encrypted at rest', async () => {
    const s = await signUpVerified(t);
    const res = await asUser(t, s).inject({ method: 'POST', url: '/api/auth/2fa/setup' });
    expect(res.statusCode).toBe(200);
    const { secret, otpauthUrl, qrSvg } = res.json();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(otpauthUrl).toMatch(/^otpauth:\/\/totp\/CryptoVault:.+secret=/);
    expect(qrSvg).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    const row = (await t.platform.database.db.execute(sql`select totp_secret_enc, totp_enabled_at from users where id = ${s.user.id}`)) as unknown as {
      rows: { totp_secret_enc: string; totp_enabled_at: unknown }[];
    };
    expect(row.rows[0]?.totp_secret_enc).not.toContain(secret);
    expect(row.rows[0]?.totp_secret_enc.split('.')).toHaveLength(3);
    expect(row.rows[0]?.totp_enabled_at).toBeNull();
    // Pending 2FA does not affect login yet.
    expect((await login({ email: s.user.email, password: s.password })).statusCode).toBe(200);
  });

  it('enable needs a valid code; then login requires it (TOTP_REQUIRED), refuses wrong and replayed codes', async () => {
    const s = await signUpVerified(t);
    const setup = await asUser(t, s).inject({ method: 'POST', url: '/api/auth/2fa/setup' });
    const secret = setup.json().secret as string;
    const code = await totpCode(secret, -1);
    const badCode = code === '000000' ? '111111' : '000000';
    const bad = await asUser(t, s).inject({ method: 'POST', url: '/api/auth/2fa/enable', payload: { code: badCode } });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.code).toBe('TOTP_INVALID');
    const ok = await asUser(t, s).inject({ method: 'POST', url: '/api/auth/2fa/enable', payload: { code } });
    expect(ok.statusCode).toBe(200);
    const backupCodes = ok.json().backupCodes as string[];
    expect(backupCodes).toHaveLength(10);
    expect(new Set(backupCodes).size).toBe(10);
    expect((await asUser(t, s).inject({ method: 'GET', url: '/api/auth/me' })).json().twoFactorEnabled).toBe(true);
    // Setting up again (replacing the factor) asks for the password and the current code first.
    expect((await asUser(t, s).inject({ method: 'POST', url: '/api/auth/2fa/setup' })).json().error).toMatchObject({
      code: 'STEP_UP_REQUIRED',
      details: { methods: ['password', 'totp'] },
    });

    const none = await login({ email: s.user.email, password: s.password });
    expect(none.statusCode).toBe(403);
    expect(none.json().error.code).toBe('TOTP_REQUIRED');
    // The code used to enable cannot be replayed at login.
    const replayEnable = await login({ email: s.user.email, password: s.password, totpCode: code });
    expect(replayEnable.statusCode).toBe(401);
    expect(replayEnable.json().error.code).toBe('TOTP_INVALID');
    const now = await totpCode(secret, 0);
    expect((await login({ email: s.user.email, password: s.password, totpCode: now })).statusCode).toBe(200);
    expect((await login({ email: s.user.email, password: s.password, totpCode: now })).statusCode).toBe(401);
    // A code from far outside the ±1 step window is refused.
    expect((await login({ email: s.user.email, password: s.password, totpCode: await totpCode(secret, 10) })).statusCode).toBe(401);
    // Wrong password with a right code is still a plain 401.
    expect((await login({ email: s.user.email, password: 'wrong passphrase 1', totpCode: await totpCode(secret, 1) })).json().error.code).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('backup codes work once each, in place of a TOTP code', async () => {
    const s = await enableTwoFactor(t, await signUpVerified(t));
    const [first, second] = s.backupCodes!;
    expect((await login({ email: s.user.email, password: s.password, totpCode: first })).statusCode).toBe(200);
    expect((await login({ email: s.user.email, password: s.password, totpCode: first })).statusCode).toBe(401);
    expect((await login({ email: s.user.email, password: s.password, totpCode: second!.toUpperCase().replace('-', '') })).statusCode).toBe(200);
  });

  it('disable needs a fresh step-up with the password and a code, ends the other sessions and emails the owner', async () => {
    const s = await enableTwoFactor(t, await signUpVerified(t));
    const other = await signIn(t, s.user.email, s.password, { totpCode: await totpCode(s.totpSecret!, 0) });
    await expireStepUp(t, s);
    const stale = await asUser(t, s).inject({ method: 'POST', url: '/api/auth/2fa/disable' });
    expect(stale.statusCode).toBe(403);
    expect(stale.json().error).toMatchObject({ code: 'STEP_UP_REQUIRED', details: { methods: ['password', 'totp'] } });
    const wrongPw = await asUser(t, s).inject({
      method: 'POST',
      url: '/api/auth/step-up',
      payload: { password: 'wrong passphrase 1', totpCode: await totpCode(s.totpSecret!, 1) },
    });
    expect(wrongPw.statusCode).toBe(401);
    // A code alone (a stolen session plus a phished code) is not enough to turn 2FA off.
    const codeOnly = await asUser(t, s).inject({ method: 'POST', url: '/api/auth/step-up', payload: { backupCode: s.backupCodes![0] } });
    expect(codeOnly.statusCode).toBe(200);
    expect((await asUser(t, s).inject({ method: 'POST', url: '/api/auth/2fa/disable' })).json().error.code).toBe('STEP_UP_REQUIRED');
    const both = await asUser(t, s).inject({ method: 'POST', url: '/api/auth/step-up', payload: { password: s.password, backupCode: s.backupCodes![1] } });
    expect(both.json().methods).toEqual(['password', 'backup_code']);
    const ok = await asUser(t, s).inject({ method: 'POST', url: '/api/auth/2fa/disable' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await login({ email: s.user.email, password: s.password })).statusCode).toBe(200);
    expect((await asUser(t, other).inject({ method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
    expect((await asUser(t, s).inject({ method: 'GET', url: '/api/auth/me' })).statusCode).toBe(200);
    expect((await latestEmail(t, s.user.email))?.subject).toMatch(/Two-factor authentication was turned off/);
  });

  it('an admin without 2FA is refused admin routes until 2FA is on', async () => {
    const s = await signUpVerified(t);
    await changeAuthRows(t, s.user.id, sql`update users set role = 'admin' where id = ${s.user.id}`);
    expect((await asUser(t, s).inject({ method: 'GET', url: '/api/fly/status' })).statusCode).toBe(403);
    await enableTwoFactor(t, s);
    expect((await asUser(t, s).inject({ method: 'GET', url: '/api/fly/status' })).statusCode).toBe(200);
  });
});
