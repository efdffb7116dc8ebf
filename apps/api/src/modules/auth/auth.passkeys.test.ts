import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  asUser,
  changeAuthRows,
  enableTwoFactor,
  expireStepUp,
  latestEmail,
  outbox,
  randomIp,
  sessionFromResponse,
  signIn,
  signUpVerified,
  stepUp,
  type TestSession,
} from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { SoftAuthenticator } from '../../../test/webauthn-authenticator.ts';
import { credit } from '../ledger/index.ts';
import { sha256 } from './secrets.ts';

// Fixed secrets so a second app on the same database (a restart) accepts the first one's sessions.
const env = {
  JWT_SECRET: 'passkey-test-jwt-secret-0123456789abcdef',
  CSRF_SECRET: 'passkey-test-csrf-secret-0123456789abcdef',
  DATA_ENCRYPTION_KEY: 'passkey-test-data-key-0123456789abcdef',
};
let t: TestContext;
let origin: string;
beforeAll(async () => {
  t = await createTestApp(env);
  origin = t.config.webauthn.origins[0]!;
});
afterAll(async () => {
  await t.close();
});

const login = (payload: object, ip = randomIp()) => t.app.inject({ method: 'POST', url: '/api/auth/login', payload, remoteAddress: ip });

/** Adds a passkey through the real routes (the session's sign-in counts as its step-up). */
async function addPasskey(s: TestSession, key = new SoftAuthenticator(), name = 'Test key') {
  const opts = await asUser(t, s).inject({ method: 'POST', url: '/api/auth/passkeys/registration-options' });
  expect(opts.statusCode, opts.body).toBe(200);
  const res = await asUser(t, s).inject({ method: 'POST', url: '/api/auth/passkeys', payload: { name, response: key.register(opts.json().options, origin) } });
  expect(res.statusCode, res.body).toBe(201);
  return { key, body: res.json() as { passkey: { id: string; name: string }; backupCodes?: string[] } };
}

/** Password, then the passkey for the options in the 403 TOTP_REQUIRED answer. */
async function passkeySignIn(s: TestSession, key: SoftAuthenticator, ip = randomIp()) {
  const first = await login({ email: s.user.email, password: s.password }, ip);
  expect(first.statusCode, first.body).toBe(403);
  const options = first.json().error.details.passkey;
  return login({ email: s.user.email, password: s.password, passkey: key.assert(options, origin) }, ip);
}

describe('passkeys (WebAuthn) as a second factor', () => {
  it('registers with a software authenticator (attestation none): listed, first factor gets backup codes, other sessions end, owner emailed', async () => {
    const s = await signUpVerified(t);
    const other = await signIn(t, s.user.email, s.password);
    const { body } = await addPasskey(s);
    expect(body.passkey.name).toBe('Test key');
    expect(body.backupCodes).toHaveLength(10);
    const list = await asUser(t, s).inject({ method: 'GET', url: '/api/auth/passkeys' });
    expect(list.json().items).toEqual([expect.objectContaining({ id: body.passkey.id, name: 'Test key', lastUsedAt: null })]);
    expect((await asUser(t, other).inject({ method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
    const added = await latestEmail(t, s.user.email);
    expect(added?.subject).toMatch(/A passkey was added/);
    // A security notice: it carries the one-time "this wasn't me" freeze link.
    expect(added?.text).toMatch(/\/freeze\?token=/);
    expect((await asUser(t, s).inject({ method: 'GET', url: '/api/auth/backup-codes' })).json()).toEqual({ remaining: 10, available: true });
    const events = (await asUser(t, s).inject({ method: 'GET', url: '/api/auth/security-events' })).json().items as { kind: string }[];
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(['passkey_added', 'sign_in']));
    expect(events[0]?.kind).toBe('passkey_added');
  });

  it('an account with TOTP keeps its backup codes when it adds a passkey; STEP_UP_REQUIRED then names both factors', async () => {
    const s = await enableTwoFactor(t, await signUpVerified(t));
    await stepUp(t, s, { withPassword: true });
    const { body } = await addPasskey(s);
    expect(body.backupCodes).toBeUndefined();
    expect((await asUser(t, s).inject({ method: 'GET', url: '/api/auth/backup-codes' })).json()).toEqual({ remaining: 10, available: true });
    await expireStepUp(t, s);
    const res = await asUser(t, s).inject({ method: 'POST', url: '/api/auth/backup-codes/regenerate' });
    expect(res.json().error).toMatchObject({ code: 'STEP_UP_REQUIRED', details: { methods: ['totp', 'passkey'] } });
    // The password answer at sign-in offers both.
    const first = await login({ email: s.user.email, password: s.password });
    expect(first.json().error.details.methods).toEqual(['totp', 'passkey']);
    // The old backup codes still work.
    expect((await login({ email: s.user.email, password: s.password, totpCode: s.backupCodes![0] })).statusCode).toBe(200);
  });

  it('registration needs a step-up with the password; a challenge works once and only for the session that asked', async () => {
    const s = await signUpVerified(t);
    await expireStepUp(t, s);
    const denied = await asUser(t, s).inject({ method: 'POST', url: '/api/auth/passkeys/registration-options' });
    expect(denied.json().error).toMatchObject({ code: 'STEP_UP_REQUIRED', details: { methods: ['password'] } });
    await asUser(t, s).inject({ method: 'POST', url: '/api/auth/step-up', payload: { password: s.password } });
    const other = await signIn(t, s.user.email, s.password);
    const opts = (await asUser(t, s).inject({ method: 'POST', url: '/api/auth/passkeys/registration-options' })).json().options;
    const key = new SoftAuthenticator();
    const response = key.register(opts, origin);
    // Another session of the same user cannot use this session's challenge.
    const stolen = await asUser(t, other).inject({ method: 'POST', url: '/api/auth/passkeys', payload: { response } });
    expect(stolen.statusCode).toBe(401);
    expect(stolen.json().error.code).toBe('PASSKEY_INVALID');
    expect((await asUser(t, s).inject({ method: 'POST', url: '/api/auth/passkeys', payload: { response } })).statusCode).toBe(201);
    // Replayed (after the step-up a second factor now needs): the challenge is used up.
    const up = (await asUser(t, s).inject({ method: 'POST', url: '/api/auth/step-up/passkey-options' })).json().options;
    const stepped = await asUser(t, s).inject({ method: 'POST', url: '/api/auth/step-up', payload: { password: s.password, passkey: key.assert(up, origin) } });
    expect(stepped.statusCode, stepped.body).toBe(200);
    const again = await asUser(t, s).inject({
      method: 'POST',
      url: '/api/auth/passkeys',
      payload: { response: new SoftAuthenticator().register(opts, origin) },
    });
    expect(again.json().error.code).toBe('PASSKEY_INVALID');
  });

  it('registration from another origin, or for another RP ID, is refused', async () => {
    const s = await signUpVerified(t);
    for (const [o, rp] of [
      ['https://evil.example', undefined],
      [origin, 'evil.example'],
    ] as const) {
      const opts = (await asUser(t, s).inject({ method: 'POST', url: '/api/auth/passkeys/registration-options' })).json().options;
      const res = await asUser(t, s).inject({
        method: 'POST',
        url: '/api/auth/passkeys',
        payload: { response: new SoftAuthenticator().register(opts, o, rp) },
      });
      expect(res.statusCode, `${o} ${rp}`).toBe(401);
      expect(res.json().error.code).toBe('PASSKEY_INVALID');
    }
    expect((await asUser(t, s).inject({ method: 'GET', url: '/api/auth/passkeys' })).json().items).toEqual([]);
  });

  it('sign-in: the password alone gets 403 with passkey options; the assertion signs in, and the session passed a second factor (admin rights)', async () => {
    const s = await signUpVerified(t);
    await changeAuthRows(t, s.user.id, sql`update users set role = 'admin' where id = ${s.user.id}`);
    const { key } = await addPasskey(s);
    const first = await login({ email: s.user.email, password: s.password });
    expect(first.statusCode).toBe(403);
    expect(first.json().error).toMatchObject({ code: 'TOTP_REQUIRED', details: { methods: ['passkey'] } });
    const options = first.json().error.details.passkey;
    expect(options.allowCredentials).toEqual([expect.objectContaining({ id: key.id })]);
    const ip = randomIp();
    const ok = await login({ email: s.user.email, password: s.password, passkey: key.assert(options, origin) }, ip);
    expect(ok.statusCode, ok.body).toBe(200);
    const session = await sessionFromResponse(t, ok, s.password, ip);
    expect((await asUser(t, session).inject({ method: 'GET', url: '/api/fly/status' })).statusCode).toBe(200);
    const row = (await t.platform.database.db.execute(sql`select auth_methods, second_factor_at from sessions where id = (
      select id from sessions where user_id = ${s.user.id} order by created_at desc limit 1)`)) as unknown as {
      rows: { auth_methods: string[]; second_factor_at: unknown }[];
    };
    expect(row.rows[0]?.auth_methods).toEqual(['password', 'passkey']);
    expect(row.rows[0]?.second_factor_at).not.toBeNull();
    const used = (await asUser(t, session).inject({ method: 'GET', url: '/api/auth/passkeys' })).json().items[0];
    expect(used.lastUsedAt).not.toBeNull();
    // The wrong password never reveals the passkey options.
    const wrong = await login({ email: s.user.email, password: 'not the password at all' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).not.toContain('challenge');
  });

  it('a replayed assertion, a wrong origin and a regressed counter are refused', async () => {
    const s = await signUpVerified(t);
    const { key } = await addPasskey(s);
    const ip = randomIp();
    const first = await login({ email: s.user.email, password: s.password }, ip);
    const assertion = key.assert(first.json().error.details.passkey, origin);
    expect((await login({ email: s.user.email, password: s.password, passkey: assertion }, ip)).statusCode).toBe(200);
    const replay = await login({ email: s.user.email, password: s.password, passkey: assertion }, ip);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.code).toBe('PASSKEY_INVALID');

    const second = await login({ email: s.user.email, password: s.password }, ip);
    const phished = await login(
      { email: s.user.email, password: s.password, passkey: key.assert(second.json().error.details.passkey, 'https://cryptovault.evil.example') },
      ip,
    );
    expect(phished.json().error.code).toBe('PASSKEY_INVALID');

    // A cloned authenticator answers with a counter at or below the stored one.
    const before = key.counter;
    key.counter = 0;
    const third = await login({ email: s.user.email, password: s.password }, ip);
    const cloned = await login({ email: s.user.email, password: s.password, passkey: key.assert(third.json().error.details.passkey, origin) }, ip);
    expect(cloned.statusCode).toBe(401);
    expect(cloned.json().error.code).toBe('PASSKEY_INVALID');
    key.counter = before + 5;
    expect((await passkeySignIn(s, key, ip)).statusCode).toBe(200);
  });

  it('an expired challenge is refused, and expired challenges are cleared when new ones are issued', async () => {
    const s = await signUpVerified(t);
    const { key } = await addPasskey(s);
    const ip = randomIp();
    const first = await login({ email: s.user.email, password: s.password }, ip);
    const options = first.json().error.details.passkey;
    await t.platform.database.db.execute(sql`update webauthn_challenges set expires_at = now() - interval '1 second' where challenge = ${options.challenge}`);
    const late = await login({ email: s.user.email, password: s.password, passkey: key.assert(options, origin) }, ip);
    expect(late.statusCode).toBe(401);
    expect(late.json().error.code).toBe('PASSKEY_INVALID');
    await login({ email: s.user.email, password: s.password }, ip);
    const left = (await t.platform.database.db.execute(sql`select count(*)::int as n from webauthn_challenges where expires_at <= now()`)) as unknown as {
      rows: { n: number }[];
    };
    expect(Number(left.rows[0]?.n)).toBe(0);
  });

  it("another user's passkey: not usable to sign in, and its id is a 404 to remove", async () => {
    const a = await signUpVerified(t);
    const b = await signUpVerified(t);
    const { key: aKey, body } = await addPasskey(a);
    const { key: bKey } = await addPasskey(b);
    const first = await login({ email: b.user.email, password: b.password });
    const res = await login({ email: b.user.email, password: b.password, passkey: aKey.assert(first.json().error.details.passkey, origin) });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('PASSKEY_INVALID');
    // b stepped up (password and passkey), so the guard lets the request reach the lookup.
    const up = (await asUser(t, b).inject({ method: 'POST', url: '/api/auth/step-up/passkey-options' })).json().options;
    expect(
      (await asUser(t, b).inject({ method: 'POST', url: '/api/auth/step-up', payload: { password: b.password, passkey: bKey.assert(up, origin) } })).statusCode,
    ).toBe(200);
    const del = await asUser(t, b).inject({ method: 'DELETE', url: `/api/auth/passkeys/${body.passkey.id}` });
    expect(del.statusCode).toBe(404);
    expect((await asUser(t, a).inject({ method: 'GET', url: '/api/auth/passkeys' })).json().items).toHaveLength(1);
  });

  it('removal needs a step-up with the password and a second factor; it ends other sessions and emails the owner', async () => {
    const s = await signUpVerified(t);
    const { key, body } = await addPasskey(s);
    const signedIn = await passkeySignIn(s, key);
    const mine = await sessionFromResponse(t, signedIn, s.password, randomIp());
    const other = await sessionFromResponse(t, await passkeySignIn(s, key), s.password, randomIp());
    await expireStepUp(t, mine);
    const url = `/api/auth/passkeys/${body.passkey.id}`;
    const denied = await asUser(t, mine).inject({ method: 'DELETE', url });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error).toMatchObject({ code: 'STEP_UP_REQUIRED', details: { methods: ['password', 'passkey'] } });
    // The password alone is not enough.
    await asUser(t, mine).inject({ method: 'POST', url: '/api/auth/step-up', payload: { password: s.password } });
    expect((await asUser(t, mine).inject({ method: 'DELETE', url })).json().error.code).toBe('STEP_UP_REQUIRED');
    const opts = await asUser(t, mine).inject({ method: 'POST', url: '/api/auth/step-up/passkey-options' });
    expect(opts.statusCode, opts.body).toBe(200);
    const up = await asUser(t, mine).inject({
      method: 'POST',
      url: '/api/auth/step-up',
      payload: { password: s.password, passkey: key.assert(opts.json().options, origin) },
    });
    expect(up.statusCode, up.body).toBe(200);
    expect(up.json().methods).toEqual(['password', 'passkey']);
    const mails = (await outbox(t, s.user.email)).length;
    expect((await asUser(t, mine).inject({ method: 'DELETE', url })).statusCode).toBe(200);
    expect((await asUser(t, mine).inject({ method: 'GET', url: '/api/auth/passkeys' })).json().items).toEqual([]);
    expect((await asUser(t, other).inject({ method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
    const after = await outbox(t, s.user.email);
    expect(after.length).toBe(mails + 1);
    expect(after[0]?.subject).toMatch(/A passkey was removed/);
    // The last second factor is gone: its backup codes with it, and the password alone signs in again.
    expect((await asUser(t, mine).inject({ method: 'GET', url: '/api/auth/backup-codes' })).json()).toEqual({ remaining: 0, available: false });
    expect((await login({ email: s.user.email, password: s.password })).statusCode).toBe(200);
  });

  it('a transfer asks for a step-up naming the passkey; a passkey step-up (challenge bound to the session, single use) lets it through', async () => {
    const s = await signUpVerified(t);
    await credit(t.platform.database.db, { userId: s.user.id, asset: 'USD', amount: '5', reference: `test-funding:${s.user.id}` });
    const to = await signUpVerified(t);
    const { key } = await addPasskey(s);
    await expireStepUp(t, s);
    const send = () =>
      asUser(t, s).inject({ method: 'POST', url: '/api/wallet/transfers', payload: { asset: 'USD', amount: '1', recipientEmail: to.user.email } });
    expect((await send()).json().error).toMatchObject({ code: 'STEP_UP_REQUIRED', details: { methods: ['passkey'] } });
    const opts = (await asUser(t, s).inject({ method: 'POST', url: '/api/auth/step-up/passkey-options' })).json().options;
    // The challenge of this session's step-up is not a sign-in challenge.
    const asSignIn = await login({ email: s.user.email, password: s.password, passkey: key.assert(opts, origin) });
    expect(asSignIn.json().error.code).toBe('PASSKEY_INVALID');
    const opts2 = (await asUser(t, s).inject({ method: 'POST', url: '/api/auth/step-up/passkey-options' })).json().options;
    const assertion = key.assert(opts2, origin);
    expect((await asUser(t, s).inject({ method: 'POST', url: '/api/auth/step-up', payload: { passkey: assertion } })).statusCode).toBe(200);
    expect((await asUser(t, s).inject({ method: 'POST', url: '/api/auth/step-up', payload: { passkey: assertion } })).json().error.code).toBe(
      'PASSKEY_INVALID',
    );
    expect((await send()).statusCode).toBe(201);
  });

  it('a passkey and its counter survive a restart on the same data', async () => {
    const s = await signUpVerified(t);
    const { key } = await addPasskey(s);
    expect((await passkeySignIn(s, key)).statusCode).toBe(200);
    await t.close();
    t = await createTestApp(env);
    expect((await passkeySignIn(s, key)).statusCode).toBe(200);
    // The counter stored before the restart still holds: an older one is refused.
    key.counter = 1;
    expect((await passkeySignIn(s, key)).json().error.code).toBe('PASSKEY_INVALID');
  });
});

describe('backup codes', () => {
  it('shows how many remain (never the codes), regenerates with a step-up (old ones void, new shown once) and emails the owner', async () => {
    const s = await signUpVerified(t);
    const { key, body } = await addPasskey(s);
    const codes = body.backupCodes!;
    // A backup code signs in instead of the passkey, once.
    const ip = randomIp();
    expect((await login({ email: s.user.email, password: s.password, totpCode: codes[0] }, ip)).statusCode).toBe(200);
    expect((await login({ email: s.user.email, password: s.password, totpCode: codes[0] }, ip)).statusCode).toBe(401);
    const status = await asUser(t, s).inject({ method: 'GET', url: '/api/auth/backup-codes' });
    expect(status.json()).toEqual({ remaining: 9, available: true });
    expect(status.body).not.toContain(codes[1]!);

    await expireStepUp(t, s);
    const denied = await asUser(t, s).inject({ method: 'POST', url: '/api/auth/backup-codes/regenerate' });
    expect(denied.json().error).toMatchObject({ code: 'STEP_UP_REQUIRED', details: { methods: ['passkey'] } });
    const opts = (await asUser(t, s).inject({ method: 'POST', url: '/api/auth/step-up/passkey-options' })).json().options;
    expect((await asUser(t, s).inject({ method: 'POST', url: '/api/auth/step-up', payload: { passkey: key.assert(opts, origin) } })).statusCode).toBe(200);
    const regen = await asUser(t, s).inject({ method: 'POST', url: '/api/auth/backup-codes/regenerate' });
    expect(regen.statusCode, regen.body).toBe(200);
    const fresh = regen.json().backupCodes as string[];
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(codes[1]);
    expect((await login({ email: s.user.email, password: s.password, totpCode: codes[1] }, ip)).statusCode).toBe(401);
    expect((await login({ email: s.user.email, password: s.password, totpCode: fresh[0] }, ip)).statusCode).toBe(200);
    expect((await asUser(t, s).inject({ method: 'GET', url: '/api/auth/backup-codes' })).json().remaining).toBe(9);
    expect((await outbox(t, s.user.email)).some((m) => /New backup codes/.test(m.subject))).toBe(true);
    const kinds = ((await asUser(t, s).inject({ method: 'GET', url: '/api/auth/security-events?limit=100' })).json().items as { kind: string }[]).map(
      (e) => e.kind,
    );
    expect(kinds).toContain('backup_codes_regenerated');
  });

  it('an account without a second factor has none to regenerate', async () => {
    const s = await signUpVerified(t);
    expect((await asUser(t, s).inject({ method: 'GET', url: '/api/auth/backup-codes' })).json()).toEqual({ remaining: 0, available: false });
    const res = await asUser(t, s).inject({ method: 'POST', url: '/api/auth/backup-codes/regenerate' });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('INVALID_STATE');
  });
});

describe('security events and sessions', () => {
  it("lists the user's own events only, newest first, and signs out the other sessions", async () => {
    const a = await signUpVerified(t);
    const b = await signUpVerified(t);
    const other = await signIn(t, a.user.email, a.password);
    const res = await asUser(t, a).inject({ method: 'GET', url: '/api/auth/security-events?limit=5' });
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { kind: string; details: { methods?: string[] }; ip: string }[];
    expect(items[0]).toMatchObject({ kind: 'sign_in', details: { methods: ['password'] }, ip: other.ip });
    expect(items.every((e) => e.ip !== b.ip)).toBe(true);
    expect((await asUser(t, a).inject({ method: 'GET', url: '/api/auth/security-events?limit=0' })).statusCode).toBe(400);
    expect((await asUser(t, a).inject({ method: 'POST', url: '/api/auth/logout-others' })).statusCode).toBe(200);
    expect((await asUser(t, other).inject({ method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
    expect((await asUser(t, a).inject({ method: 'GET', url: '/api/auth/me' })).statusCode).toBe(200);
    const kinds = ((await asUser(t, a).inject({ method: 'GET', url: '/api/auth/security-events' })).json().items as { kind: string }[]).map((e) => e.kind);
    expect(kinds[0]).toBe('sessions_signed_out');
  });
});

describe('passkeys and the freeze link', () => {
  it("a passkey-only account's unfreeze link needs the password and a backup code, not the password alone", async () => {
    const s = await signUpVerified(t);
    const { key, body } = await addPasskey(s);
    const known = `a-known-freeze-token-for-${s.user.id}`;
    await t.platform.database.db.execute(
      sql`insert into security_tokens (user_id, purpose, token_hash, expires_at) values (${s.user.id}, 'freeze', ${sha256(known)}, now() + interval '1 day')`,
    );
    // Own addresses: the per-address freeze/unfreeze limits are shared in Redis with other files (openapi.test.ts probes from 127.0.0.1).
    expect((await t.app.inject({ method: 'POST', url: '/api/security/freeze', remoteAddress: randomIp(), payload: { token: known } })).statusCode).toBe(200);
    const ip = randomIp();
    const session = await sessionFromResponse(t, await passkeySignIn(s, key, ip), s.password, ip);
    expect((await asUser(t, session).inject({ method: 'POST', url: '/api/security/unfreeze/request' })).statusCode).toBe(202);
    const mail = (await outbox(t, s.user.email)).find((m) => m.subject === 'Unfreeze your CryptoVault account');
    const token = mail?.text.match(/\/unfreeze\?token=([A-Za-z0-9_-]+)/)?.[1];
    expect(token).toBeTruthy();
    const unfreeze = (payload: Record<string, unknown>) =>
      t.app.inject({ method: 'POST', url: '/api/security/unfreeze', remoteAddress: randomIp(), payload: { token, ...payload } });
    const passwordOnly = await unfreeze({ password: s.password });
    expect(passwordOnly.json().error).toMatchObject({ code: 'TOTP_REQUIRED', details: { methods: ['passkey'] } });
    const ok = await unfreeze({ password: s.password, backupCode: body.backupCodes![0] });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().frozen).toBe(false);
  });
});
