import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  asUser,
  changeAuthRows,
  enableTwoFactor,
  expireStepUp,
  latestEmail,
  randomIp,
  signIn,
  signUpVerified,
  stepUp,
  totpCode,
} from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { credit } from '../ledger/index.ts';

// Fixed secrets so a second app on the same database (a restart) accepts the first one's sessions.
const env = {
  JWT_SECRET: 'step-up-test-jwt-secret-0123456789abcdef',
  CSRF_SECRET: 'step-up-test-csrf-secret-0123456789abcdef',
  DATA_ENCRYPTION_KEY: 'step-up-test-data-key-0123456789abcdef',
};
let t: TestContext;
beforeAll(async () => {
  t = await createTestApp(env);
});
afterAll(async () => {
  await t.close();
});

const sessionRow = async (id: string) =>
  (
    (await t.platform.database.db.execute(sql`
    select auth_methods, second_factor_at, step_up_at, step_up_methods, expires_at, absolute_expires_at, created_at
    from sessions where user_id = ${id} order by created_at desc limit 1`)) as unknown as { rows: Record<string, unknown>[] }
  ).rows[0]!;

describe('session assurance: admin rights need a session that passed 2FA itself (issue 16 item 1)', () => {
  it('a password-only session of an admin does not become an admin session when 2FA is turned on elsewhere, until it steps up with a code', async () => {
    const owner = await signUpVerified(t);
    await changeAuthRows(t, owner.user.id, sql`update users set role = 'admin' where id = ${owner.user.id}`);
    const passwordOnly = await signIn(t, owner.user.email, owner.password);
    await enableTwoFactor(t, owner);
    // enableTwoFactor ends every other session: sign in with the password alone again is no longer possible, so
    // make the old kind of session directly (what every session opened before 2FA was): no second factor.
    expect((await asUser(t, passwordOnly).inject({ method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
    await changeAuthRows(
      t,
      owner.user.id,
      sql`
      update sessions set revoked_at = null, revoked_reason = null, second_factor_at = null, step_up_methods = '{password}', auth_methods = '{password}'
      where user_id = ${owner.user.id} and revoked_reason = 'two_factor_enabled'`,
    );
    const denied = await asUser(t, passwordOnly).inject({ method: 'GET', url: '/api/fly/status' });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.message).toMatch(/did not pass two-factor/);
    // The session that enabled 2FA passed the new factor; a fresh sign-in with a code does too.
    expect((await asUser(t, owner).inject({ method: 'GET', url: '/api/fly/status' })).statusCode).toBe(200);
    const withCode = await signIn(t, owner.user.email, owner.password, { totpCode: await totpCode(owner.totpSecret!, 0) });
    expect((await asUser(t, withCode).inject({ method: 'GET', url: '/api/fly/status' })).statusCode).toBe(200);
    // The password-only session gains admin rights only by passing the second factor itself.
    passwordOnly.totpSecret = owner.totpSecret;
    await stepUp(t, passwordOnly);
    expect((await asUser(t, passwordOnly).inject({ method: 'GET', url: '/api/fly/status' })).statusCode).toBe(200);
    expect((await sessionRow(owner.user.id)).auth_methods).toBeDefined();
  });

  it('refresh never extends a session past its absolute lifetime', async () => {
    const s = await signUpVerified(t);
    const row = await sessionRow(s.user.id);
    const created = new Date(row.created_at as string).getTime();
    expect(new Date(row.absolute_expires_at as string).getTime() - created).toBeGreaterThan(29.9 * 86_400_000);
    // An old session: 20 minutes of its 30 days left.
    await changeAuthRows(
      t,
      s.user.id,
      sql`update sessions set absolute_expires_at = now() + interval '20 minutes', expires_at = now() + interval '10 minutes' where user_id = ${s.user.id}`,
    );
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/refresh', remoteAddress: s.ip, payload: { refreshToken: s.refreshToken } });
    expect(res.statusCode, res.body).toBe(200);
    const after = await sessionRow(s.user.id);
    expect(new Date(after.expires_at as string).getTime()).toBe(new Date(after.absolute_expires_at as string).getTime());
    expect(new Date(after.expires_at as string).getTime() - Date.now()).toBeLessThan(21 * 60_000);
  });
});

describe('step-up (issue 16 items 2 and 3)', () => {
  async function fundedUsd(amount: string) {
    const s = await signUpVerified(t);
    await credit(t.platform.database.db, { userId: s.user.id, asset: 'USD', amount, reference: `test-funding:${s.user.id}` });
    return s;
  }

  it('an internal transfer needs a fresh second factor when the owner has 2FA, like a withdrawal', async () => {
    const victim = await enableTwoFactor(t, await fundedUsd('500'));
    const mule = await signUpVerified(t);
    await expireStepUp(t, victim);
    const send = () =>
      asUser(t, victim).inject({ method: 'POST', url: '/api/wallet/transfers', payload: { asset: 'USD', amount: '500', recipientEmail: mule.user.email } });
    const stolen = await send();
    expect(stolen.statusCode).toBe(403);
    expect(stolen.json().error).toMatchObject({ code: 'STEP_UP_REQUIRED', details: { methods: ['totp'], ttlSeconds: 300 } });
    // A stolen session that also phished the password still cannot send.
    await asUser(t, victim).inject({ method: 'POST', url: '/api/auth/step-up', payload: { password: victim.password } });
    expect((await send()).statusCode).toBe(403);
    await stepUp(t, victim);
    expect((await send()).statusCode).toBe(201);
  });

  it('accounts without 2FA step up with the password; the step-up is per session and expires', async () => {
    const a = await fundedUsd('10');
    const b = await signUpVerified(t);
    const other = await signIn(t, a.user.email, a.password);
    await expireStepUp(t, a);
    const send = (s: typeof a) =>
      asUser(t, s).inject({ method: 'POST', url: '/api/wallet/transfers', payload: { asset: 'USD', amount: '1', recipientEmail: b.user.email } });
    expect((await send(a)).json().error).toMatchObject({ code: 'STEP_UP_REQUIRED', details: { methods: ['password'] } });
    expect((await asUser(t, a).inject({ method: 'POST', url: '/api/auth/step-up', payload: { password: 'not the password 1' } })).statusCode).toBe(401);
    expect((await asUser(t, a).inject({ method: 'POST', url: '/api/auth/step-up', payload: {} })).statusCode).toBe(400);
    const up = await stepUp(t, a);
    expect(up.json().methods).toEqual(['password']);
    expect((await send(a)).statusCode).toBe(201);
    // Stepping up on one session does nothing for another (expired on purpose).
    expect((await send(other)).json().error.code).toBe('STEP_UP_REQUIRED');
  });

  it('turning 2FA on needs the password, ends every other session (the thief’s) and emails the owner', async () => {
    const owner = await signUpVerified(t);
    const thief = await signIn(t, owner.user.email, owner.password, { ip: randomIp() });
    await expireStepUp(t, owner);
    // The thief's session cannot enrol an authenticator without the password.
    const setup = await asUser(t, thief).inject({ method: 'POST', url: '/api/auth/2fa/setup' });
    expect(setup.statusCode).toBe(403);
    expect(setup.json().error).toMatchObject({ code: 'STEP_UP_REQUIRED', details: { methods: ['password'] } });
    expect((await asUser(t, thief).inject({ method: 'POST', url: '/api/auth/2fa/enable', payload: { code: '123456' } })).json().error.code).toBe(
      'STEP_UP_REQUIRED',
    );
    // The owner confirms the password and turns it on: the thief is out.
    await stepUp(t, owner);
    await enableTwoFactor(t, owner);
    expect((await asUser(t, thief).inject({ method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
    expect((await asUser(t, owner).inject({ method: 'GET', url: '/api/auth/me' })).statusCode).toBe(200);
    expect((await latestEmail(t, owner.user.email))?.subject).toMatch(/Two-factor authentication was turned on/);
  });

  it('change-password needs a fresh step-up', async () => {
    const s = await signUpVerified(t);
    await expireStepUp(t, s);
    const payload = { currentPassword: s.password, newPassword: 'a brand new passphrase 5' };
    expect((await asUser(t, s).inject({ method: 'POST', url: '/api/auth/change-password', payload })).json().error.code).toBe('STEP_UP_REQUIRED');
    await stepUp(t, s);
    expect((await asUser(t, s).inject({ method: 'POST', url: '/api/auth/change-password', payload })).statusCode).toBe(200);
  });

  it('a step-up and a session’s second factor survive a restart on the same data', async () => {
    const s = await enableTwoFactor(t, await fundedUsd('5'));
    const b = await signUpVerified(t);
    await expireStepUp(t, s);
    await stepUp(t, s);
    await t.close();
    t = await createTestApp(env);
    const res = await asUser(t, s).inject({
      method: 'POST',
      url: '/api/wallet/transfers',
      payload: { asset: 'USD', amount: '1', recipientEmail: b.user.email },
    });
    expect(res.statusCode, res.body).toBe(201);
    const row = await sessionRow(s.user.id);
    expect(row.second_factor_at).not.toBeNull();
    expect(row.step_up_methods).toEqual(['totp']);
  });
});
