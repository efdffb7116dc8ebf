import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asBearer, asUser, createAdmin, latestEmail, randomIp, signIn, signUpVerified, totpCode } from '../../../test/auth-helpers.ts';
import { pino } from 'pino';
import { buildApp } from '../../app.ts';
import { authStateChanged } from './session-cache.ts';
import { compose } from '../../compose.ts';
import { loadConfig } from '../../config.ts';
import { createTestApp, sharedDatabase, type TestContext, testEnv, uniqueEmail } from '../../../test/helpers.ts';

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
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: randomIp(),
      payload: { email: admin.user.email, password: admin.password, totpCode: await totpCode(admin.totpSecret!, 0) },
    });
    expect(login.statusCode).toBe(200);
    expect(await latestEmail(t, uniqueEmail())).toBeUndefined();
  });
});

describe('admin:create', () => {
  it('creates an admin with a generated password, promotes an existing user, and audits both', async () => {
    const { createOrPromoteAdmin } = await import('./admin-account.ts');
    const { listAudit } = await import('../audit/index.ts');
    const email = uniqueEmail('cli');
    const created = await createOrPromoteAdmin(t.platform.database, { email: ` ${email.toUpperCase()} ` });
    expect(created).toMatchObject({ email, created: true });
    expect(created.generatedPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const session = await signIn(t, email, created.generatedPassword!);
    const me = await asUser(t, session).inject({ method: 'GET', url: '/api/auth/me' });
    expect(me.json()).toMatchObject({ role: 'admin', emailVerified: true, twoFactorEnabled: false });
    // Admin routes stay closed until 2FA is on.
    expect((await asUser(t, session).inject({ method: 'GET', url: '/api/fly/status' })).statusCode).toBe(403);

    const user = await signUpVerified(t);
    const promoted = await createOrPromoteAdmin(t.platform.database, { email: user.user.email });
    // What the command does next (cli/auth-changes.ts): the running machines stop trusting the cached session.
    await authStateChanged(t.platform, user.user.id);
    expect(promoted).toMatchObject({ userId: user.user.id, created: false, generatedPassword: null });
    expect((await asUser(t, user).inject({ method: 'GET', url: '/api/auth/me' })).json().role).toBe('admin');
    await expect(createOrPromoteAdmin(t.platform.database, { email: uniqueEmail(), password: 'password123' })).rejects.toThrow(/common/);
    await expect(createOrPromoteAdmin(t.platform.database, { email: 'not an email' })).rejects.toThrow(/valid email/);

    const audit = await listAudit(t.platform.database.db, { limit: 5, targetId: user.user.id });
    expect(audit[0]).toMatchObject({ action: 'admin.promote', actorId: null, targetType: 'user', details: { via: 'cli', previousRole: 'user' } });
  });
});

describe('development outbox and OpenAPI', () => {
  it('GET /api/dev/outbox is absent when dev tools are off (production)', async () => {
    const { config } = loadConfig(testEnv());
    const root = await compose({ ...config, devToolsEnabled: false }, pino({ level: 'silent' }), {
      database: { ...(await sharedDatabase()), close: async () => undefined },
    });
    const { platform } = root;
    const app = await buildApp(root);
    try {
      expect((await app.inject({ method: 'GET', url: '/api/dev/outbox' })).statusCode).toBe(404);
    } finally {
      await app.close();
      await platform.close();
    }
  });

  it('the OpenAPI document lists every auth route', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const expected: [string, string][] = [
      ['/api/auth/signup', 'post'],
      ['/api/auth/verify-email', 'post'],
      ['/api/auth/resend-verification', 'post'],
      ['/api/auth/login', 'post'],
      ['/api/auth/refresh', 'post'],
      ['/api/auth/logout', 'post'],
      ['/api/auth/logout-all', 'post'],
      ['/api/auth/me', 'get'],
      ['/api/auth/me', 'patch'],
      ['/api/auth/change-password', 'post'],
      ['/api/auth/forgot-password', 'post'],
      ['/api/auth/reset-password', 'post'],
      ['/api/auth/2fa/setup', 'post'],
      ['/api/auth/2fa/enable', 'post'],
      ['/api/auth/2fa/disable', 'post'],
      ['/api/auth/sessions', 'get'],
      ['/api/auth/sessions/{id}', 'delete'],
      ['/api/auth/socket-token', 'post'],
      ['/api/dev/outbox', 'get'],
    ];
    for (const [path, method] of expected) expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    expect(doc.paths['/api/auth/login'].post.requestBody.content['application/json'].schema.properties).toHaveProperty('totpCode');
  });
});
