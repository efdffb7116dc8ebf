import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestEmail, randomIp, signUpVerified, verificationCodeFor } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext, uniqueEmail } from '../../../test/helpers.ts';

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

// Sign-ups accept the terms in force (version 1, seeded by the migration; nothing in this file publishes another).
const withTerms = (url: string, payload: unknown) =>
  url === '/api/auth/signup' && payload && typeof payload === 'object' && !('termsVersion' in payload) ? { ...payload, termsVersion: 1 } : payload;
const post = (url: string, payload: unknown, ip = randomIp()) =>
  t.app.inject({ method: 'POST', url, payload: withTerms(url, payload) as object, remoteAddress: ip });
const paths = (res: { json(): { error: { details: { path: string[] }[] } } }) => res.json().error.details.map((d) => d.path.join('.'));
const PW = 'a long enough passphrase 7';

describe('signup validation', () => {
  it('400 VALIDATION_ERROR with field paths for wrong types, missing fields, overlong strings and bad emails', async () => {
    const wrongTypes = await post('/api/auth/signup', { email: 5, password: true, name: [] });
    expect(wrongTypes.statusCode).toBe(400);
    expect(wrongTypes.json().error.code).toBe('VALIDATION_ERROR');
    expect(paths(wrongTypes)).toEqual(expect.arrayContaining(['body.email', 'body.password', 'body.name']));
    const missing = await post('/api/auth/signup', {});
    expect(paths(missing)).toEqual(expect.arrayContaining(['body.email', 'body.password', 'body.name']));
    const long = await post('/api/auth/signup', { email: `${'a'.repeat(250)}@x.io`, password: 'p'.repeat(300), name: 'n'.repeat(101) });
    expect(paths(long)).toEqual(expect.arrayContaining(['body.email', 'body.password', 'body.name']));
    for (const email of ['no-at-sign', 'a@b', '@x.io', 'a b@x.io']) {
      const bad = await post('/api/auth/signup', { email, password: PW, name: 'N' });
      expect(bad.statusCode, email).toBe(400);
      expect(paths(bad)).toContain('body.email');
    }
    expect(paths(await post('/api/auth/login', { email: 'x@y.io' }))).toContain('body.password');
    expect(paths(await post('/api/auth/verify-email', { email: 'x@y.io', code: '12ab56' }))).toContain('body.code');
  });

  it('refuses short, common and email-like passwords', async () => {
    const email = uniqueEmail('pw');
    for (const password of ['short1', '1234567890', 'qwertyuiop', 'Password123', 'aaaaaaaaaaaa', email, email.toUpperCase()]) {
      const res = await post('/api/auth/signup', { email, password, name: 'N' });
      expect(res.statusCode, password).toBe(400);
      expect(paths(res)).toContain('body.password');
    }
    expect(await latestEmail(t, email)).toBeUndefined();
  });
});

describe('signup and verification', () => {
  it('normalises the email, stores an argon2id hash, and answers the same for a taken address', async () => {
    const email = uniqueEmail('Norm').toUpperCase();
    const first = await post('/api/auth/signup', { email: `  ${email} `, password: PW, name: ' Grace ' });
    expect(first.statusCode).toBe(201);
    const lower = email.toLowerCase();
    const row = (await t.platform.database.db.execute(sql`select password_hash, name from users where email = ${lower}`)) as unknown as {
      rows: { password_hash: string; name: string }[];
    };
    expect(row.rows[0]?.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.rows[0]?.name).toBe('Grace');
    await verificationCodeFor(t, lower);

    const verified = await signUpVerified(t);
    const again = await post('/api/auth/signup', { email: verified.user.email, password: 'another long passphrase', name: 'Mallory' });
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    // The owner is told; no code is sent and the password is unchanged.
    expect((await latestEmail(t, verified.user.email))?.subject).toMatch(/tried to sign up/);
    const login = await post('/api/auth/login', { email: verified.user.email, password: verified.password });
    expect(login.statusCode).toBe(200);
  });

  it('verify signs in; wrong codes spend attempts and the code dies after five', async () => {
    const email = uniqueEmail('ver');
    await post('/api/auth/signup', { email, password: PW, name: 'V' });
    const code = await verificationCodeFor(t, email);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      const res = await post('/api/auth/verify-email', { email, code: wrong });
      expect(res.statusCode).toBe(400);
      expect(paths(res)).toContain('body.code');
    }
    expect((await post('/api/auth/verify-email', { email, code })).statusCode).toBe(400);
    // A resend issues a fresh code with a fresh budget.
    const resend = await post('/api/auth/resend-verification', { email });
    expect(resend.statusCode).toBe(202);
    const fresh = await verificationCodeFor(t, email);
    const ok = await post('/api/auth/verify-email', { email, code: fresh });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user).toMatchObject({ email, emailVerified: true });
    expect(ok.cookies.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['access_token', 'refresh_token']));
    expect((await post('/api/auth/verify-email', { email, code: fresh })).statusCode).toBe(400);
  });

  it('an expired code is refused', async () => {
    const email = uniqueEmail('exp');
    await post('/api/auth/signup', { email, password: PW, name: 'E' });
    const code = await verificationCodeFor(t, email);
    await t.platform.database.db.execute(
      sql`update email_verification_codes set expires_at = now() - interval '1 minute' where user_id = (select id from users where email = ${email})`,
    );
    expect((await post('/api/auth/verify-email', { email, code })).statusCode).toBe(400);
  });

  it('resend answers 202 the same for unknown, unverified and verified addresses', async () => {
    const verified = await signUpVerified(t);
    const bodies = [];
    for (const email of [uniqueEmail('nobody'), verified.user.email]) {
      const res = await post('/api/auth/resend-verification', { email });
      expect(res.statusCode).toBe(202);
      bodies.push(res.json());
    }
    expect(bodies[0]).toEqual(bodies[1]);
  });

  it('a second signup of an unverified address never replaces its password: the owner verifying the newest code is not left with the other password', async () => {
    const email = uniqueEmail('hijack');
    await post('/api/auth/signup', { email, password: PW, name: 'Owner' });
    await post('/api/auth/signup', { email, password: 'attacker passphrase 99', name: 'Attacker' });
    const code = await verificationCodeFor(t, email);
    const res = await post('/api/auth/verify-email', { email, code });
    // Contested: the code proves the address, no password applies, nobody is signed in; a reset link goes out.
    expect(res.statusCode).toBe(409);
    expect(res.json().error.details).toEqual({ reason: 'PASSWORD_RESET_SENT' });
    expect(res.cookies).toHaveLength(0);
    const link = (await latestEmail(t, email))?.text.match(/token=([A-Za-z0-9_%-]+)/)?.[1];
    expect(link).toBeTruthy();
    expect((await post('/api/auth/login', { email, password: 'attacker passphrase 99' })).statusCode).not.toBe(200);
    const reset = await post('/api/auth/reset-password', { token: decodeURIComponent(link!), newPassword: 'owner chose this one 7' });
    expect(reset.statusCode).toBe(200);
    expect((await post('/api/auth/login', { email, password: 'owner chose this one 7' })).statusCode).toBe(200);
    expect((await post('/api/auth/login', { email, password: 'attacker passphrase 99' })).statusCode).toBe(401);
  });

  it('the same pre-hijack the other way round (attacker first) ends the same way; a repeated signup with the same password is not contested', async () => {
    const email = uniqueEmail('prehijack');
    await post('/api/auth/signup', { email, password: 'attacker passphrase 99', name: 'Attacker' });
    await post('/api/auth/signup', { email, password: PW, name: 'Owner' });
    expect((await post('/api/auth/verify-email', { email, code: await verificationCodeFor(t, email) })).statusCode).toBe(409);
    const same = uniqueEmail('retry');
    await post('/api/auth/signup', { email: same, password: PW, name: 'Owner' });
    await post('/api/auth/signup', { email: same, password: PW, name: 'Owner again' });
    const ok = await post('/api/auth/verify-email', { email: same, code: await verificationCodeFor(t, same) });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user.name).toBe('Owner');
  });
});

describe('rate limits by client IP', () => {
  it('429 with Retry-After after 10 signups from one IP; a forged X-Forwarded-For does not help', async () => {
    const ip = randomIp();
    let last = 0;
    for (let i = 0; i < 11; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/auth/signup',
        remoteAddress: ip,
        headers: { 'x-forwarded-for': randomIp() },
        payload: { email: uniqueEmail('rl'), password: PW, name: 'R', termsVersion: 1 },
      });
      last = res.statusCode;
      if (i < 10) expect(res.statusCode).toBe(201);
      else {
        expect(res.statusCode).toBe(429);
        expect(res.json().error.code).toBe('RATE_LIMITED');
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
    }
    expect(last).toBe(429);
  });

  it('resend is limited per account whatever the IP', async () => {
    const email = uniqueEmail('resend');
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await post('/api/auth/resend-verification', { email })).statusCode);
    expect(codes).toEqual([202, 202, 202]);
    expect((await post('/api/auth/resend-verification', { email })).statusCode).toBe(429);
  });
});
