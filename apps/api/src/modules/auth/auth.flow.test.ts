import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asBearer, asUser, createAdmin, latestEmail, randomIp, signIn, signUpVerified, totpCode } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext, uniqueEmail } from '../../../test/helpers.ts';

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('helpers smoke', () => {
  it('signs up, verifies and reads /me by cookie and by bearer', async () => {
    const s = await signUpVerified(t, { name: 'Ada' });
    const me = await asUser(t, s).inject({ method: 'GET', url: '/api/auth/me' });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ id: s.user.id, email: s.user.email, name: 'Ada', role: 'user', emailVerified: true, twoFactorEnabled: false });
    const me2 = await asBearer(t, s).inject({ method: 'GET', url: '/api/auth/me' });
    expect(me2.statusCode).toBe(200);
    const patched = await asUser(t, s).inject({ method: 'PATCH', url: '/api/auth/me', payload: { name: 'Ada L' } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().name).toBe('Ada L');
    const again = await signIn(t, s.user.email, s.password);
    expect(again.user.id).toBe(s.user.id);
  });

  it('createAdmin opens the fly admin routes; a plain user gets 403', async () => {
    const admin = await createAdmin(t);
    const st = await asUser(t, admin).inject({ method: 'GET', url: '/api/fly/status' });
    expect(st.statusCode).toBe(200);
    const inst = await asBearer(t, admin).inject({ method: 'GET', url: '/api/fly/instances' });
    expect(inst.statusCode).toBe(200);
    const user = await signUpVerified(t);
    expect((await asUser(t, user).inject({ method: 'GET', url: '/api/fly/status' })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/fly/status' })).statusCode).toBe(401);
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: randomIp(), payload: { email: admin.user.email, password: admin.password, totpCode: await totpCode(admin.totpSecret!, 0) } });
    expect(login.statusCode).toBe(200);
    expect(await latestEmail(t, uniqueEmail())).toBeUndefined();
  });
});
