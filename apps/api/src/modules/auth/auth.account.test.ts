import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asBearer, asUser, latestEmail, outbox, randomIp, signIn, signUpVerified, waitForEmail } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext, uniqueEmail } from '../../../test/helpers.ts';

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, payload, remoteAddress: randomIp() });
const me = (s: { cookies: string }) => t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: s.cookies } });

/** Asks for a reset link and returns its token once the email is out (the work happens after the answer). */
async function forgotAndLink(email: string): Promise<string> {
  const before = (await outbox(t, email)).length;
  expect((await post('/api/auth/forgot-password', { email })).statusCode).toBe(202);
  const mail = await waitForEmail(t, email, before);
  const token = mail?.text.match(/reset-password\?token=([A-Za-z0-9_-]+)/)?.[1];
  if (!token) throw new Error('no reset link');
  expect(mail?.text).toContain(`${t.config.appUrl}/reset-password?token=`);
  return decodeURIComponent(token);
}

describe('change password', () => {
  it('needs the current password, applies the policy, keeps this session and ends the others', async () => {
    const a = await signUpVerified(t);
    const b = await signIn(t, a.user.email, a.password);
    const wrong = await asUser(t, a).inject({
      method: 'POST',
      url: '/api/auth/change-password',
      payload: { currentPassword: 'nope nope nope', newPassword: 'brand new passphrase 1' },
    });
    expect(wrong.statusCode).toBe(401);
    const weak = await asUser(t, a).inject({
      method: 'POST',
      url: '/api/auth/change-password',
      payload: { currentPassword: a.password, newPassword: 'password123' },
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error.details[0].path).toEqual(['body', 'newPassword']);
    const ok = await asUser(t, a).inject({
      method: 'POST',
      url: '/api/auth/change-password',
      payload: { currentPassword: a.password, newPassword: 'brand new passphrase 1' },
    });
    expect(ok.statusCode).toBe(200);
    expect((await me(a)).statusCode).toBe(200);
    expect((await me(b)).statusCode).toBe(401);
    expect((await post('/api/auth/login', { email: a.user.email, password: a.password })).statusCode).toBe(401);
    expect((await post('/api/auth/login', { email: a.user.email, password: 'brand new passphrase 1' })).statusCode).toBe(200);
  });
});

describe('forgot and reset password', () => {
  it('forgot answers the same for unknown addresses and sends nothing to them', async () => {
    const s = await signUpVerified(t);
    const ghost = uniqueEmail('ghost');
    const a = await post('/api/auth/forgot-password', { email: ghost });
    const b = await post('/api/auth/forgot-password', { email: s.user.email });
    expect(a.statusCode).toBe(202);
    expect(b.statusCode).toBe(202);
    expect(a.json()).toEqual(b.json());
    const mail = await waitForEmail(t, s.user.email, 1);
    expect(mail?.subject).toMatch(/Reset/);
    expect(await latestEmail(t, ghost)).toBeUndefined();
    expect(mail?.html).toContain('/reset-password?token=');
  });

  it('reset sets the password, ends every session, and the token works once', async () => {
    const s = await signUpVerified(t);
    const other = await signIn(t, s.user.email, s.password);
    const token = await forgotAndLink(s.user.email);
    const weak = await post('/api/auth/reset-password', { token, newPassword: s.user.email });
    expect(weak.statusCode).toBe(400);
    const ok = await post('/api/auth/reset-password', { token, newPassword: 'reset passphrase 2026' });
    expect(ok.statusCode).toBe(200);
    expect((await me(s)).statusCode).toBe(401);
    expect((await asBearer(t, other).inject({ method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
    const again = await post('/api/auth/reset-password', { token, newPassword: 'another passphrase 2026' });
    expect(again.statusCode).toBe(400);
    expect((await post('/api/auth/login', { email: s.user.email, password: 'reset passphrase 2026' })).statusCode).toBe(200);
  });

  it('an expired or made-up token is refused; a newer link retires the older one', async () => {
    const s = await signUpVerified(t);
    const older = await forgotAndLink(s.user.email);
    const newer = await forgotAndLink(s.user.email);
    expect((await post('/api/auth/reset-password', { token: older, newPassword: 'reset passphrase 2026' })).statusCode).toBe(400);
    await t.platform.database.db.execute(sql`update password_reset_tokens set expires_at = now() - interval '1 second' where user_id = ${s.user.id}`);
    expect((await post('/api/auth/reset-password', { token: newer, newPassword: 'reset passphrase 2026' })).statusCode).toBe(400);
    expect((await post('/api/auth/reset-password', { token: 'x'.repeat(43), newPassword: 'reset passphrase 2026' })).statusCode).toBe(400);
  });
});

describe('sessions', () => {
  it('lists live sessions with the current one marked; revoking one ends it at once', async () => {
    const a = await signUpVerified(t);
    const b = await signIn(t, a.user.email, a.password);
    const list = await asUser(t, a).inject({ method: 'GET', url: '/api/auth/sessions', headers: {} });
    expect(list.statusCode).toBe(200);
    const items = list.json().items as { id: string; current: boolean; ip: string }[];
    expect(items).toHaveLength(2);
    expect(items.filter((i) => i.current)).toHaveLength(1);
    const otherId = items.find((i) => !i.current)!.id;
    expect(items.find((i) => !i.current)!.ip).toBe(b.ip);
    const del = await asUser(t, a).inject({ method: 'DELETE', url: `/api/auth/sessions/${otherId}` });
    expect(del.statusCode).toBe(200);
    expect((await me(b)).statusCode).toBe(401);
    expect((await me(a)).statusCode).toBe(200);
  });

  it("another user's session is 404 and stays alive; a malformed id is 400", async () => {
    const a = await signUpVerified(t);
    const b = await signUpVerified(t);
    const bSession = (await asUser(t, b).inject({ method: 'GET', url: '/api/auth/sessions' })).json().items[0].id as string;
    const res = await asUser(t, a).inject({ method: 'DELETE', url: `/api/auth/sessions/${bSession}` });
    expect(res.statusCode).toBe(404);
    expect((await me(b)).statusCode).toBe(200);
    expect((await asUser(t, a).inject({ method: 'DELETE', url: '/api/auth/sessions/not-a-uuid' })).statusCode).toBe(400);
  });

  it('account routes need a session', async () => {
    for (const [method, url] of [
      ['GET', '/api/auth/me'],
      ['GET', '/api/auth/sessions'],
      ['POST', '/api/auth/socket-token'],
      ['POST', '/api/auth/2fa/setup'],
      ['POST', '/api/auth/logout-all'],
    ] as const) {
      const res = await t.app.inject({ method, url });
      expect(res.statusCode, url).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHENTICATED');
    }
  });
});
