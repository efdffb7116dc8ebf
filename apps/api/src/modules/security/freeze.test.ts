import type { ClientToServerEvents, ServerToClientEvents } from '@cryptovault/contract';
import { sql } from 'drizzle-orm';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  asUser,
  changeAuthRows,
  createAdmin,
  enableTwoFactor,
  outbox,
  randomIp,
  signIn,
  signUpVerified,
  stepUp,
  type TestSession,
  totpCode,
} from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { sha256 } from '../auth/index.ts';
import { credit, reconcile } from '../ledger/index.ts';
import { createTransfer } from '../transfers/index.ts';
import { requestWithdrawal } from '../withdrawals/index.ts';
import type { Principal } from '../../platform/principal.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const env = {
  USE_MOCK_PRICES: 'true',
  JWT_SECRET: 'freeze-test-jwt-secret-0123456789abcdef',
  CSRF_SECRET: 'freeze-test-csrf-secret-0123456789abcdef',
  DATA_ENCRYPTION_KEY: 'freeze-test-data-key-0123456789abcdef',
  WITHDRAWAL_FEES: 'BTC:0.0005',
};
const BTC_ADDR = 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq';
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

let t: TestContext;
let url = '';
const sockets: Client[] = [];
async function start() {
  t = await createTestApp(env);
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = t.app.server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const res = await t.app.inject({ method: 'POST', url: '/api/dev/market/bitcoin', payload: { priceUsd: '50000', holdMs: 600_000 } });
  expect(res.statusCode, res.body).toBe(200);
}
beforeAll(start);
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await t.close();
});

async function funded(): Promise<TestSession> {
  const u = await signUpVerified(t);
  await credit(t.platform.database.db, { userId: u.user.id, asset: 'BTC', amount: '1', reference: `test-funding:${u.user.id}` });
  await credit(t.platform.database.db, { userId: u.user.id, asset: 'USD', amount: '100', reference: `test-funding-usd:${u.user.id}` });
  return u;
}

async function socketOf(s: TestSession): Promise<Client> {
  const c: Client = connect(url, {
    path: t.config.socketIoPath,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: { cookie: `access_token=${s.accessToken}` },
  });
  sockets.push(c);
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('connect_error', reject);
  });
  return c;
}
const disconnected = (c: Client, ms: number) =>
  new Promise<void>((resolve, reject) => {
    if (!c.connected) return resolve();
    const timer = setTimeout(() => reject(new Error(`still connected after ${ms} ms`)), ms);
    c.once('disconnect', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** The freeze token of the newest email to `email` that carries one. */
async function freezeToken(email: string): Promise<string> {
  for (const m of await outbox(t, email)) {
    const token = m.text.match(/\/freeze\?token=([A-Za-z0-9_-]+)/)?.[1];
    if (token) return token;
  }
  throw new Error(`no freeze link in the outbox for ${email}`);
}
// Each from its own address: the per-address limits count in a Redis shared by every run.
const freeze = (token: string) => t.app.inject({ method: 'POST', url: '/api/security/freeze', remoteAddress: randomIp(), payload: { token } });
const me = (s: TestSession) => asUser(t, s).inject({ method: 'GET', url: '/api/auth/me' });
const withdraw = (s: TestSession) =>
  asUser(t, s).inject({ method: 'POST', url: '/api/wallet/withdrawals', payload: { asset: 'BTC', amount: '0.01', address: BTC_ADDR } });
const transfer = (s: TestSession, to: string) =>
  asUser(t, s).inject({ method: 'POST', url: '/api/wallet/transfers', payload: { asset: 'USD', amount: '1', recipientEmail: to } });
const unfreezeLink = async (email: string) => {
  const m = (await outbox(t, email)).find((x) => x.subject === 'Unfreeze your CryptoVault account');
  const token = m?.text.match(/\/unfreeze\?token=([A-Za-z0-9_-]+)/)?.[1];
  if (!token) throw new Error('no unfreeze link');
  return token;
};
const auditRows = async (userId: string) =>
  (
    (await t.platform.database.db.execute(
      sql`select action, actor_id, details from audit_log where target_type = 'user' and target_id = ${userId} order by id`,
    )) as unknown as {
      rows: { action: string; actor_id: string | null; details: Record<string, unknown> }[];
    }
  ).rows;

async function signInFrom(s: TestSession, agent: string): Promise<TestSession> {
  const ip = randomIp();
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    remoteAddress: ip,
    headers: { 'user-agent': agent },
    payload: { email: s.user.email, password: s.password },
  });
  expect(res.statusCode, res.body).toBe(200);
  return { ...(await signIn(t, s.user.email, s.password, { ip })), totpSecret: s.totpSecret };
}

describe('"this wasn\'t me": the freeze link', () => {
  it('the new-device email carries a one-time link that freezes: every session and socket ends, pending withdrawals are canceled, money cannot leave', async () => {
    const owner = await funded();
    const recipient = await signUpVerified(t);
    const pending = await withdraw(owner);
    expect(pending.statusCode, pending.body).toBe(201);
    // The owner's usual browser, then the thief's sign-in from a new device (which emails the owner).
    await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: owner.ip,
      headers: { 'user-agent': CHROME },
      payload: { email: owner.user.email, password: owner.password },
    });
    const thief = await signInFrom(owner, FIREFOX);
    const mail = (await outbox(t, owner.user.email)).find((m) => m.subject === 'New sign-in to your CryptoVault account');
    expect(mail?.html).toMatch(/\/freeze\?token=/);
    const token = await freezeToken(owner.user.email);
    const raw = await t.platform.database.db.execute(sql`select token_hash from security_tokens where user_id = ${owner.user.id} and purpose = 'freeze'`);
    const hashes = (raw as unknown as { rows: { token_hash: string }[] }).rows.map((r) => r.token_hash);
    expect(hashes).toContain(sha256(token)); // hashed at rest
    expect(hashes).not.toContain(token);

    const socket = await socketOf(thief);
    const res = await freeze(token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ frozen: true });
    await disconnected(socket, 1000);
    expect((await me(thief)).statusCode).toBe(401);
    expect((await me(owner)).statusCode).toBe(401);
    expect((await freeze(token)).statusCode).toBe(400); // single use
    const list = await signIn(t, owner.user.email, owner.password);
    const ws = (await asUser(t, list).inject({ method: 'GET', url: '/api/wallet/withdrawals' })).json().items;
    expect(ws.find((w: { id: string }) => w.id === pending.json().id)?.status).toBe('canceled');

    // The thief signs in again with the password: nothing sensitive works.
    const again = await signIn(t, owner.user.email, owner.password, { ip: randomIp() });
    expect((await me(again)).json()).toMatchObject({ frozen: true });
    for (const r of [
      await withdraw(again),
      await transfer(again, recipient.user.email),
      await asUser(t, again).inject({ method: 'POST', url: '/api/wallet/withdrawal-addresses', payload: { asset: 'BTC', address: BTC_ADDR, label: 'mule' } }),
      await asUser(t, again).inject({ method: 'PUT', url: '/api/security/anti-phishing', payload: { code: 'phish' } }),
      await asUser(t, again).inject({ method: 'POST', url: '/api/auth/2fa/setup' }),
    ]) {
      expect(r.statusCode, r.body).toBe(403);
      expect(r.json().error.code).toBe('ACCOUNT_FROZEN');
    }
    // Orders are not money leaving the account: they go on (docs/security.md).
    const order = await asUser(t, again).inject({
      method: 'POST',
      url: '/api/orders',
      payload: { symbol: 'BTC/USD', side: 'sell', type: 'market', amount: '0.001' },
    });
    expect(order.statusCode, order.body).toBe(201);
    expect((await outbox(t, owner.user.email)).map((m) => m.subject)).toContain('Your CryptoVault account is frozen');
    const rows = await auditRows(owner.user.id);
    expect(rows.find((r) => r.action === 'user.freeze')).toMatchObject({ actor_id: owner.user.id, details: { via: 'email_link', reason: 'freeze link' } });
    const after = await reconcile(t.platform.database.db);
    expect(after.ok).toBe(true);
  });

  it('security-change emails carry the link (password change); an expired or unknown token is refused', async () => {
    const u = await signUpVerified(t);
    const changed = await asUser(t, u).inject({
      method: 'POST',
      url: '/api/auth/change-password',
      payload: { currentPassword: u.password, newPassword: 'another long passphrase 77' },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    const mail = (await outbox(t, u.user.email))[0];
    expect(mail?.subject).toBe('Your CryptoVault password was changed');
    const token = await freezeToken(u.user.email);
    await t.platform.database.db.execute(sql`update security_tokens set expires_at = now() - interval '1 second' where token_hash = ${sha256(token)}`);
    expect((await freeze(token)).statusCode).toBe(400);
    expect((await freeze('x'.repeat(43))).statusCode).toBe(400);
    expect((await freeze('short')).statusCode).toBe(400);
    expect((await me(u)).statusCode).toBe(200);
  });

  it('the owner unfreezes with the emailed link + password + second factor; the link is spent only on success', async () => {
    const owner = await enableTwoFactor(t, await funded());
    const recipient = await signUpVerified(t);
    await asUser(t, owner).inject({ method: 'POST', url: '/api/auth/2fa/disable' }); // no step-up with password: refused, no change
    const known = `a-known-freeze-token-for-${owner.user.id}`;
    await t.platform.database.db.execute(
      sql`insert into security_tokens (user_id, purpose, token_hash, expires_at) values (${owner.user.id}, 'freeze', ${sha256(known)}, now() + interval '1 day')`,
    );
    expect((await freeze(known)).statusCode).toBe(200);
    const s = await signIn(t, owner.user.email, owner.password, { totpCode: await totpCode(owner.totpSecret!, 0) });
    expect((await asUser(t, s).inject({ method: 'POST', url: '/api/security/unfreeze/request' })).statusCode).toBe(202);
    const token = await unfreezeLink(owner.user.email);
    const unfreeze = (payload: Record<string, unknown>) =>
      t.app.inject({ method: 'POST', url: '/api/security/unfreeze', remoteAddress: randomIp(), payload: { token, ...payload } });
    expect((await unfreeze({ password: 'wrong password here 1' })).statusCode).toBe(401);
    expect((await unfreeze({ password: owner.password })).json().error.code).toBe('TOTP_REQUIRED');
    expect((await unfreeze({ password: owner.password, totpCode: '000000' })).json().error.code).toBe('TOTP_INVALID');
    expect((await withdraw(s)).json().error.code).toBe('ACCOUNT_FROZEN');
    const ok = await unfreeze({ password: owner.password, totpCode: await totpCode(owner.totpSecret!, 1) });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ frozen: false, frozenAt: null });
    expect((await unfreeze({ password: owner.password, backupCode: owner.backupCodes![0] })).statusCode).toBe(400); // spent
    expect((await withdraw(s)).statusCode).toBe(201);
    expect((await transfer(s, recipient.user.email)).statusCode).toBe(201);
    expect((await outbox(t, owner.user.email)).map((m) => m.subject)).toContain('Your CryptoVault account was unfrozen');
    expect((await auditRows(owner.user.id)).map((r) => r.action)).toEqual(expect.arrayContaining(['user.freeze', 'user.unfreeze_requested', 'user.unfreeze']));
    const events = (await asUser(t, s).inject({ method: 'GET', url: '/api/auth/security-events' })).json().items.map((e: { kind: string }) => e.kind);
    expect(events.filter((k: string) => ['account_frozen', 'unfreeze_requested', 'account_unfrozen'].includes(k))).toEqual([
      'account_unfrozen',
      'unfreeze_requested',
      'account_frozen',
    ]);
    // Not frozen: no link to ask for.
    expect((await asUser(t, s).inject({ method: 'POST', url: '/api/security/unfreeze/request' })).statusCode).toBe(422);
  });

  it('an operator freezes and unfreezes with a 2FA admin session and a reason, audited; a user cannot', async () => {
    const admin = await createAdmin(t);
    const u = await funded();
    const post = (s: TestSession, path: string, payload: unknown) =>
      asUser(t, s).inject({ method: 'POST', url: path, payload: payload as Record<string, unknown> });
    expect((await post(u, `/api/admin/users/${u.user.id}/unfreeze`, { reason: 'let me out' })).statusCode).toBe(403);
    expect((await post(admin, `/api/admin/users/${u.user.id}/freeze`, { reason: 'reported account takeover' })).json()).toMatchObject({
      ok: true,
      revokedSessions: 1,
    });
    expect((await me(u)).statusCode).toBe(401);
    expect((await post(admin, `/api/admin/users/${u.user.id}/unfreeze`, {})).statusCode).toBe(400); // reason required
    expect((await post(admin, `/api/admin/users/${admin.user.id}/unfreeze`, { reason: 'self' })).statusCode).toBe(422);
    const detail = (await asUser(t, admin).inject({ method: 'GET', url: `/api/admin/users/${u.user.id}` })).json();
    expect(detail.frozenAt).not.toBeNull();
    const ok = await post(admin, `/api/admin/users/${u.user.id}/unfreeze`, { reason: 'owner verified by video call' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await post(admin, `/api/admin/users/${u.user.id}/unfreeze`, { reason: 'again' })).statusCode).toBe(422);
    const rows = await auditRows(u.user.id);
    expect(rows.filter((r) => r.actor_id === admin.user.id).map((r) => [r.action, r.details.reason])).toEqual([
      ['user.freeze', 'reported account takeover'],
      ['user.unfreeze', 'owner verified by video call'],
    ]);
    const s = await signIn(t, u.user.email, u.password);
    expect((await withdraw(s)).statusCode).toBe(201);
  });

  it('a freeze survives a restart on the same database', async () => {
    const u = await funded();
    await t.platform.database.db.execute(
      sql`insert into security_tokens (user_id, purpose, token_hash, expires_at) values (${u.user.id}, 'freeze', ${sha256(`restart-freeze-token-${u.user.id}`)}, now() + interval '1 day')`,
    );
    expect((await freeze(`restart-freeze-token-${u.user.id}`)).statusCode).toBe(200);
    for (const c of sockets) c.disconnect();
    await t.close();
    await start();
    const s = await signIn(t, u.user.email, u.password);
    expect((await me(s)).json().frozen).toBe(true);
    expect((await withdraw(s)).json().error.code).toBe('ACCOUNT_FROZEN');
  });
});

describe('a freeze racing a request', () => {
  it('a withdrawal or transfer whose caller was checked a moment before the freeze is refused inside its transaction', async () => {
    const u = await funded();
    const other = await signUpVerified(t);
    // The principal as the request resolved it, before the freeze committed.
    const stale: Principal = {
      userId: u.user.id,
      sessionId: 'stale',
      role: 'user',
      twoFactorEnabled: false,
      frozen: false,
      session: { secondFactorAt: null, stepUpAt: new Date(), stepUpMethods: ['password'] },
      via: 'cookie',
    } as Principal;
    await changeAuthRows(t, u.user.id, sql`update users set frozen_at = now(), frozen_reason = 'test' where id = ${u.user.id}`);
    const w = await requestWithdrawal(t.platform, stale, { asset: 'BTC', amount: '0.01', address: BTC_ADDR }, null, () => undefined).catch((e: unknown) => e);
    expect((w as { code?: string }).code).toBe('ACCOUNT_FROZEN');
    const tr = await createTransfer(t.platform, stale, { asset: 'USD', amount: '1', recipientEmail: other.user.email }, null).catch((e: unknown) => e);
    expect((tr as { code?: string }).code).toBe('ACCOUNT_FROZEN');
    const rows = await t.platform.database.db.execute(sql`select count(*)::int as n from withdrawals where user_id = ${u.user.id}`);
    expect((rows as unknown as { rows: { n: number }[] }).rows[0]?.n).toBe(0);
  });
});

describe('a malicious operator (docs/security.md)', () => {
  it('cannot approve its own withdrawal, unfreeze anyone from a session that did not pass 2FA, or act at all once its account is frozen', async () => {
    const admin = await createAdmin(t);
    await credit(t.platform.database.db, { userId: admin.user.id, asset: 'BTC', amount: '1', reference: `test-funding:${admin.user.id}` });
    await stepUp(t, admin);
    const own = await withdraw(admin);
    expect(own.statusCode, own.body).toBe(201);
    const approve = await asUser(t, admin).inject({ method: 'POST', url: `/api/admin/withdrawals/${own.json().id}/approve` });
    expect(approve.statusCode).toBe(403);
    expect((await asUser(t, admin).inject({ method: 'POST', url: `/api/wallet/withdrawals/${own.json().id}/cancel` })).statusCode).toBe(200);

    const victim = await funded();
    const other = await createAdmin(t);
    await asUser(t, other).inject({ method: 'POST', url: `/api/admin/users/${victim.user.id}/freeze`, payload: { reason: 'reported takeover' } });
    // The admin's password-only session (as every session opened before 2FA was): no operator rights.
    const passwordOnly = admin;
    await changeAuthRows(
      t,
      admin.user.id,
      sql`update sessions set second_factor_at = null, step_up_methods = '{password}', auth_methods = '{password}' where user_id = ${admin.user.id}`,
    );
    const refused = await asUser(t, passwordOnly).inject({
      method: 'POST',
      url: `/api/admin/users/${victim.user.id}/unfreeze`,
      payload: { reason: 'trust me' },
    });
    expect(refused.statusCode).toBe(403);
    expect((await auditRows(victim.user.id)).filter((r) => r.action === 'user.unfreeze')).toEqual([]);

    // A frozen administrator account (its owner used the link) has no operator rights, even with a 2FA session.
    await asUser(t, other).inject({ method: 'POST', url: `/api/admin/users/${admin.user.id}/freeze`, payload: { reason: 'admin laptop stolen' } });
    const again = await signIn(t, admin.user.email, admin.password, { totpCode: admin.backupCodes![0] }); // a backup code: the TOTP steps were used above
    const frozenAdmin = await asUser(t, again).inject({ method: 'POST', url: `/api/admin/users/${victim.user.id}/unfreeze`, payload: { reason: 'trust me' } });
    expect(frozenAdmin.statusCode).toBe(403);
    expect(frozenAdmin.json().error.code).toBe('ACCOUNT_FROZEN');
    expect((await asUser(t, again).inject({ method: 'GET', url: '/api/admin/users' })).json().error.code).toBe('ACCOUNT_FROZEN');
  });
});
