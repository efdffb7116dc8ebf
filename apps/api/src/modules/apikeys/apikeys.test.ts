import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestKey, createApiKey, newNonce, sign, signed } from '../../../test/api-keys.ts';
import {
  asUser,
  changeAuthRows,
  createAdmin,
  enableTwoFactor,
  expireStepUp,
  signUpVerified,
  stepUp,
  type TestSession,
  outbox,
  waitForEmail,
} from '../../../test/auth-helpers.ts';
import { createTestApp, sharedDatabase, type TestContext, testEnv, usingRedis } from '../../../test/helpers.ts';
import { TestPrices, waitFor } from '../../../test/prices.ts';
import { buildApp } from '../../app.ts';
import { compose } from '../../compose.ts';
import { loadConfig } from '../../config.ts';
import { MemoryCache } from '../../platform/cache.ts';
import { loggerOptions } from '../../platform/logger.ts';
import { listAudit } from '../audit/index.ts';
import { rows } from '../../platform/db/sql.ts';
import { credit } from '../ledger/index.ts';

// Two app instances ("machines") on one database and one shared cache (Redis when REDIS_URL is set, otherwise one
// MemoryCache handed to both), with the same secrets, as a deployment runs them.
const env = {
  COINCAP_API_KEY: 'test-key',
  COINCAP_BASE_URL: 'http://127.0.0.1:9',
  PRICE_POLL_INTERVAL_MS: '3600000',
  FLY_APP_NAME: `cv-apikeys-${randomUUID().slice(0, 8)}`,
  JWT_SECRET: 'apikeys-test-jwt-secret-0123456789abcdef0123',
  CSRF_SECRET: 'apikeys-test-csrf-secret-0123456789abcdef012',
  DATA_ENCRYPTION_KEY: 'apikeys-test-data-key-0123456789abcdef01234',
  API_KEY_MAX_PER_USER: '3',
};
const shared = usingRedis ? undefined : new MemoryCache();
let a: TestContext;
let b: TestContext;
const prices = [new TestPrices(), new TestPrices(), new TestPrices()];

beforeAll(async () => {
  a = await createTestApp(env, { cache: shared, prices: prices[0] });
  b = await createTestApp(env, { cache: shared, prices: prices[1] });
  for (const p of prices.slice(0, 2)) p.tick({ bitcoin: '50000', ethereum: '2000' });
  await waitFor(() => a.platform.prices.get('bitcoin') !== null && b.platform.prices.get('bitcoin') !== null);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await shared?.close();
});

const fund = (t: TestContext, s: TestSession, asset: string, amount: string) =>
  t.platform.database.db.transaction((tx) => credit(tx, { userId: s.user.id, asset, amount, reference: `test:fund:${randomUUID()}` }));

/** A refusal in the contract's error shape, with this code and status. */
function expectRefused(res: { statusCode: number; json(): unknown; body: string }, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json() as { error: { code: string; message: string; requestId: string } };
  expect(body.error).toMatchObject({ code, message: expect.any(String), requestId: expect.any(String) });
  expect(body.error.message.length).toBeGreaterThan(10);
}

const marketBuy = { symbol: 'BTC/USD', side: 'buy', type: 'market', amount: '0.01' };

describe('creating, listing and revoking keys', () => {
  it('creation needs a fresh step-up; the secret is shown once, never listed; the creation is audited', async () => {
    const s = await signUpVerified(a);
    await expireStepUp(a, s);
    const refused = await asUser(a, s).inject({ method: 'POST', url: '/api/api-keys', payload: { label: 'bot', scopes: ['read'] } });
    expectRefused(refused, 403, 'STEP_UP_REQUIRED');
    await stepUp(a, s);
    const mailsBefore = (await outbox(a, s.user.email)).length;
    const res = await asUser(a, s).inject({
      method: 'POST',
      url: '/api/api-keys',
      payload: { label: 'bot', scopes: ['trade', 'read'], ipAllowlist: ['203.0.113.7', '2001:DB8::/32'], expiresInDays: 30 },
    });
    expect(res.statusCode, res.body).toBe(201);
    const { key, secret } = res.json();
    expect(secret).toMatch(/^cvs_[A-Za-z0-9_-]{43}$/);
    expect(key).toMatchObject({
      label: 'bot',
      scopes: ['read', 'trade'],
      ipAllowlist: ['203.0.113.7/32', '2001:db8::/32'],
      status: 'active',
      lastUsedAt: null,
    });
    expect(Date.parse(key.expiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);

    const list = await asUser(b, s).inject({ method: 'GET', url: '/api/api-keys' });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toMatchObject({ maxActive: 3, items: [{ id: key.id, label: 'bot' }] });
    expect(list.body).not.toContain(secret);
    const stored = await a.platform.database.db.execute(sql`select secret_enc from api_keys where id = ${key.id}`);
    expect(JSON.stringify(stored)).not.toContain(secret.slice(4));

    const audit = await listAudit(a.platform.database.db, { limit: 5, actorId: s.user.id, action: 'api_key.create' });
    expect(audit[0]).toMatchObject({ targetType: 'api_key', targetId: key.id, details: { scopes: ['read', 'trade'] } });
    expect(JSON.stringify(audit)).not.toContain(secret);
    const events = await asUser(a, s).inject({ method: 'GET', url: '/api/auth/security-events' });
    expect(events.json().items.map((e: { kind: string }) => e.kind)).toContain('api_key_created');
    // The owner is told, with the freeze link of every security notice; never the secret.
    const mail = await waitForEmail(a, s.user.email, mailsBefore);
    expect(mail.subject).toBe('A new API key was created for your CryptoVault account');
    expect(mail.text).toMatch(/Scopes: read, trade/);
    expect(mail.text).toMatch(/\/freeze\?token=/);
    expect(mail.text + mail.html).not.toContain(secret);
  });

  it('an account with 2FA needs its second factor to create a key', async () => {
    const s = await enableTwoFactor(a, await signUpVerified(a));
    await expireStepUp(a, s);
    const refused = await asUser(a, s).inject({ method: 'POST', url: '/api/api-keys', payload: { label: 'bot', scopes: ['read'] } });
    expectRefused(refused, 403, 'STEP_UP_REQUIRED');
    expect(refused.json().error.details.methods).toEqual(['totp']);
    await stepUp(a, s);
    await createApiKey(a, s);
  });

  it('limits active keys per user (API_KEY_MAX_PER_USER); a revoked key frees its place', async () => {
    const s = await signUpVerified(a);
    const keys: TestKey[] = [];
    for (let i = 0; i < 3; i++) keys.push(await createApiKey(a, s, { label: `k${i}` }));
    const over = await asUser(a, s).inject({ method: 'POST', url: '/api/api-keys', payload: { label: 'one more', scopes: ['read'] } });
    expectRefused(over, 422, 'LIMIT_EXCEEDED');
    expect((await asUser(a, s).inject({ method: 'DELETE', url: `/api/api-keys/${keys[0]!.id}` })).statusCode).toBe(200);
    await createApiKey(a, s, { label: 'replacement' });
  });

  it('refuses an IP allow-list entry that is not an address or a range, and a scope that does not exist', async () => {
    const s = await signUpVerified(a);
    for (const payload of [
      { label: 'x', scopes: ['read'], ipAllowlist: ['10.0.0.0/33'] },
      { label: 'x', scopes: ['read'], ipAllowlist: ['example.com'] },
      { label: 'x', scopes: ['withdraw'] },
      { label: 'x', scopes: [] },
    ]) {
      expectRefused(await asUser(a, s).inject({ method: 'POST', url: '/api/api-keys', payload }), 400, 'VALIDATION_ERROR');
    }
  });

  it("another user's key is a 404 to revoke", async () => {
    const owner = await signUpVerified(a);
    const other = await signUpVerified(a);
    const key = await createApiKey(a, owner);
    expectRefused(await asUser(a, other).inject({ method: 'DELETE', url: `/api/api-keys/${key.id}` }), 404, 'NOT_FOUND');
    expect((await signed(a, key, { method: 'GET', url: '/api/portfolio' })).statusCode).toBe(200);
  });
});

describe('signed requests', () => {
  let alice: TestSession;
  let reader: TestKey;
  let trader: TestKey;
  beforeAll(async () => {
    alice = await signUpVerified(a);
    await fund(a, alice, 'USD', '10000');
    reader = await createApiKey(a, alice, { label: 'reader', scopes: ['read'] });
    trader = await createApiKey(a, alice, { label: 'trader', scopes: ['read', 'trade'] });
  });

  it('a read key gets the portfolio, on either machine, with no cookie and no CSRF token; its last use is recorded', async () => {
    const res = await signed(a, reader, { method: 'GET', url: '/api/portfolio' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toHaveProperty('holdings');
    const withQuery = await signed(b, reader, { method: 'GET', url: '/api/transactions?limit=5' });
    expect(withQuery.statusCode, withQuery.body).toBe(200);
    await waitFor(async () => {
      const list = await asUser(a, alice).inject({ method: 'GET', url: '/api/api-keys' });
      return list.json().items.find((k: { id: string }) => k.id === reader.id)?.lastUsedAt !== null;
    });
  });

  it('a trade key places a market order; Idempotency-Key replays it as for the web app; the order is audited with the key id', async () => {
    const idem = `bot-${randomUUID()}`;
    const first = await signed(a, trader, { method: 'POST', url: '/api/orders', body: marketBuy, headers: { 'idempotency-key': idem } });
    expect(first.statusCode, first.body).toBe(201);
    const order = first.json();
    expect(order).toMatchObject({ status: 'closed', side: 'buy', filled: expect.stringMatching(/^0\.01/) });
    // The same body with the same key, signed again (a new nonce) on the other machine: the first answer, not a second buy.
    const again = await signed(b, trader, { method: 'POST', url: '/api/orders', body: marketBuy, headers: { 'idempotency-key': idem } });
    expect(again.statusCode, again.body).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(order.id);
    const mismatch = await signed(a, trader, {
      method: 'POST',
      url: '/api/orders',
      body: { ...marketBuy, amount: '0.02' },
      headers: { 'idempotency-key': idem },
    });
    expectRefused(mismatch, 409, 'IDEMPOTENCY_MISMATCH');

    const audit = await listAudit(a.platform.database.db, { limit: 10, actorId: alice.user.id, action: 'api_key.request', targetId: order.id });
    expect(audit.length).toBe(2);
    expect(audit[1]).toMatchObject({
      targetType: 'order',
      details: { apiKeyId: trader.id, method: 'POST', route: '/api/orders', status: 201, replayed: false },
    });
    expect(audit[0]?.details).toMatchObject({ apiKeyId: trader.id, replayed: true });
  });

  it('refuses a replayed nonce, also on the other machine', async () => {
    const nonce = newNonce();
    expect((await signed(a, reader, { method: 'GET', url: '/api/wallet/balances', nonce })).statusCode).toBe(200);
    expectRefused(await signed(a, reader, { method: 'GET', url: '/api/wallet/balances', nonce }), 401, 'NONCE_REUSED');
    expectRefused(await signed(b, reader, { method: 'GET', url: '/api/wallet/balances', nonce }), 401, 'NONCE_REUSED');
  });

  it('refuses a stale or future timestamp, saying the server time', async () => {
    const now = Math.floor(Date.now() / 1000);
    const stale = await signed(a, reader, { method: 'GET', url: '/api/portfolio', timestamp: String(now - 120) });
    expectRefused(stale, 401, 'TIMESTAMP_OUT_OF_WINDOW');
    expect(Math.abs(stale.json().error.details.serverTime - now)).toBeLessThan(5);
    expectRefused(await signed(a, reader, { method: 'GET', url: '/api/portfolio', timestamp: String(now + 120) }), 401, 'TIMESTAMP_OUT_OF_WINDOW');
  });

  it('refuses a wrong signature: another secret, a changed body, a changed path, missing headers', async () => {
    expectRefused(await signed(a, reader, { method: 'GET', url: '/api/portfolio', secret: 'cvs_not-the-secret' }), 401, 'SIGNATURE_INVALID');
    // Signed for one body, sent with another.
    const ts = String(Math.floor(Date.now() / 1000));
    const nonce = newNonce();
    const signedBody = JSON.stringify({ ...marketBuy, amount: '0.001' });
    const tampered = await a.app.inject({
      method: 'POST',
      url: '/api/orders',
      payload: JSON.stringify({ ...marketBuy, amount: '1' }),
      headers: {
        'content-type': 'application/json',
        'cv-access-key': trader.id,
        'cv-access-timestamp': ts,
        'cv-access-nonce': nonce,
        'cv-access-sign': sign(trader.secret, { timestamp: ts, nonce, method: 'POST', path: '/api/orders', body: signedBody }),
      },
    });
    expectRefused(tampered, 401, 'SIGNATURE_INVALID');
    // Signed for one path, sent to another.
    const moved = await a.app.inject({
      method: 'GET',
      url: '/api/transactions?limit=50',
      headers: {
        'cv-access-key': reader.id,
        'cv-access-timestamp': ts,
        'cv-access-nonce': newNonce(),
        'cv-access-sign': sign(reader.secret, { timestamp: ts, nonce, method: 'GET', path: '/api/transactions?limit=5', body: '' }),
      },
    });
    expectRefused(moved, 401, 'SIGNATURE_INVALID');
    const missing = await a.app.inject({ method: 'GET', url: '/api/portfolio', headers: { 'cv-access-key': reader.id } });
    expectRefused(missing, 401, 'SIGNATURE_INVALID');
    expectRefused(await signed(a, { id: randomUUID(), secret: 'x' }, { method: 'GET', url: '/api/portfolio' }), 401, 'API_KEY_INVALID');
  });

  it('a read key cannot place an order', async () => {
    const res = await signed(a, reader, { method: 'POST', url: '/api/orders', body: marketBuy });
    expectRefused(res, 403, 'SCOPE_NOT_ALLOWED');
  });

  it('a request carrying a session and key headers is refused whole (neither is used)', async () => {
    const res = await signed(a, trader, {
      method: 'POST',
      url: '/api/orders',
      body: marketBuy,
      headers: { cookie: alice.cookies, 'x-csrf-token': alice.csrfToken },
    });
    expectRefused(res, 400, 'VALIDATION_ERROR');
    const bearer = await signed(a, reader, { method: 'GET', url: '/api/portfolio', headers: { authorization: `Bearer ${alice.accessToken}` } });
    expectRefused(bearer, 400, 'VALIDATION_ERROR');
  });
});

describe('IP allow-list, expiry, revocation', () => {
  it('admits only addresses in the list (IPv4 and IPv6 ranges), as the platform resolves the client address', async () => {
    const s = await signUpVerified(a);
    const key = await createApiKey(a, s, { ipAllowlist: ['203.0.113.0/24', '2001:db8::/32'] });
    expect((await signed(a, key, { method: 'GET', url: '/api/portfolio', remoteAddress: '203.0.113.9' })).statusCode).toBe(200);
    expect((await signed(a, key, { method: 'GET', url: '/api/portfolio', remoteAddress: '2001:db8::5' })).statusCode).toBe(200);
    expect((await signed(a, key, { method: 'GET', url: '/api/portfolio', remoteAddress: '::ffff:203.0.113.10' })).statusCode).toBe(200);
    const outside = await signed(a, key, { method: 'GET', url: '/api/portfolio', remoteAddress: '198.51.100.7' });
    expectRefused(outside, 403, 'IP_NOT_ALLOWED');
    expect(outside.json().error.details.ip).toBe('198.51.100.7');
    expectRefused(await signed(a, key, { method: 'GET', url: '/api/portfolio', remoteAddress: '2001:db9::5' }), 403, 'IP_NOT_ALLOWED');
    // A forged X-Forwarded-For does not move the client address (TRUST_PROXY=false here: the TCP peer).
    const forged = await signed(a, key, { method: 'GET', url: '/api/portfolio', remoteAddress: '198.51.100.7', headers: { 'x-forwarded-for': '203.0.113.9' } });
    expectRefused(forged, 403, 'IP_NOT_ALLOWED');
  });

  it('refuses an expired key', async () => {
    const s = await signUpVerified(a);
    const key = await createApiKey(a, s, { expiresInDays: 1 });
    expect((await signed(b, key, { method: 'GET', url: '/api/portfolio' })).statusCode).toBe(200);
    await changeAuthRows(a, s.user.id, sql`update api_keys set expires_at = now() - interval '1 minute' where id = ${key.id}`);
    const res = await signed(b, key, { method: 'GET', url: '/api/portfolio' });
    expectRefused(res, 401, 'API_KEY_INVALID');
    expect(res.json().error.message).toMatch(/expired/);
  });

  it('a key revoked on one machine is refused on the next request on the other, which had it cached', async () => {
    const s = await signUpVerified(a);
    const key = await createApiKey(a, s, { scopes: ['read', 'trade'] });
    for (let i = 0; i < 2; i++) expect((await signed(b, key, { method: 'GET', url: '/api/portfolio' })).statusCode).toBe(200);
    const revoke = await asUser(a, s).inject({ method: 'DELETE', url: `/api/api-keys/${key.id}` });
    expect(revoke.statusCode, revoke.body).toBe(200);
    expect(revoke.json()).toMatchObject({ status: 'revoked' });
    const res = await signed(b, key, { method: 'GET', url: '/api/portfolio' });
    expectRefused(res, 401, 'API_KEY_INVALID');
    expect(res.json().error.message).toMatch(/revoked/);
    const audit = await listAudit(a.platform.database.db, { limit: 5, actorId: s.user.id, action: 'api_key.revoke' });
    expect(audit[0]).toMatchObject({ targetId: key.id });
  });

  it('a suspended or frozen owner’s keys stop at once on every machine', async () => {
    const s = await signUpVerified(a);
    const key = await createApiKey(a, s);
    expect((await signed(b, key, { method: 'GET', url: '/api/portfolio' })).statusCode).toBe(200);
    await changeAuthRows(a, s.user.id, sql`update users set frozen_at = now() where id = ${s.user.id}`);
    expectRefused(await signed(b, key, { method: 'GET', url: '/api/portfolio' }), 403, 'ACCOUNT_FROZEN');
    await changeAuthRows(a, s.user.id, sql`update users set frozen_at = null, suspended_at = now() where id = ${s.user.id}`);
    expectRefused(await signed(b, key, { method: 'GET', url: '/api/portfolio' }), 403, 'ACCOUNT_SUSPENDED');
  });
});

describe('a thief’s key does not outlive the recovery', () => {
  it('a password reset revokes the owner’s keys on every machine', async () => {
    const s = await signUpVerified(a);
    const key = await createApiKey(a, s, { scopes: ['read', 'trade'] });
    expect((await signed(b, key, { method: 'GET', url: '/api/portfolio' })).statusCode).toBe(200);
    const before = (await outbox(a, s.user.email)).length;
    expect((await a.app.inject({ method: 'POST', url: '/api/auth/forgot-password', payload: { email: s.user.email } })).statusCode).toBe(202);
    const mail = await waitForEmail(a, s.user.email, before);
    const token = decodeURIComponent(mail?.text.match(/reset-password\?token=([A-Za-z0-9_%-]+)/)?.[1] ?? '');
    const reset = await a.app.inject({ method: 'POST', url: '/api/auth/reset-password', payload: { token, newPassword: 'a brand new passphrase 42' } });
    expect(reset.statusCode, reset.body).toBe(200);
    const res = await signed(b, key, { method: 'GET', url: '/api/portfolio' });
    expectRefused(res, 401, 'API_KEY_INVALID');
    expect(res.json().error.message).toMatch(/revoked/);
  });

  it('a freeze revokes them, and unfreezing gives none back', async () => {
    const s = await signUpVerified(a);
    const key = await createApiKey(a, s);
    expect((await signed(b, key, { method: 'GET', url: '/api/portfolio' })).statusCode).toBe(200);
    const admin = await createAdmin(a);
    for (const action of ['freeze', 'unfreeze']) {
      const r = await asUser(a, admin).inject({
        method: 'POST',
        url: `/api/admin/users/${s.user.id}/${action}`,
        payload: { reason: 'customer reported a stolen password' },
      });
      expect(r.statusCode, r.body).toBe(200);
    }
    expectRefused(await signed(b, key, { method: 'GET', url: '/api/portfolio' }), 401, 'API_KEY_INVALID');
    // The freeze ended the owner's sessions too: the key's row says why it ended.
    const [row] = await rows<{ revoked_reason: string }>(a.platform.database.db, sql`select revoked_reason from api_keys where id = ${key.id}`);
    expect(row?.revoked_reason).toBe('account_frozen');
  });
});

describe('restart, per-key rate limit and logs', () => {
  it('a key keeps working for a new app on the same database; its own rate limit applies; no secret or signature reaches the log', async () => {
    const s = await signUpVerified(a);
    const key = await createApiKey(a, s, { scopes: ['read', 'trade'] });
    await fund(a, s, 'USD', '1000');
    expect((await signed(a, key, { method: 'GET', url: '/api/wallet/balances' })).statusCode).toBe(200);
    await a.close(); // this machine stops; b goes on
    a = await createTestApp(env, { cache: shared, prices: prices[0] });

    // A third app ("after a restart") on the same database, logging everything into memory.
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const { config } = loadConfig(testEnv({ ...env, LOG_LEVEL: 'trace', API_KEY_RATE_LIMIT_PER_MINUTE: '4' }));
    const database = await sharedDatabase();
    const root = await compose(config, pino(loggerOptions(config), sink), {
      database: { ...database, close: async () => undefined },
      cache: shared,
      prices: prices[2],
    });
    prices[2]!.connect(root.platform.events);
    prices[2]!.tick({ bitcoin: '50000', ethereum: '2000' });
    const app = await buildApp(root);
    await app.ready();
    const c = { app, root, platform: root.platform, config, close: async () => undefined } as TestContext;
    try {
      await waitFor(() => root.platform.prices.get('bitcoin') !== null);
      const order = await signed(c, key, { method: 'POST', url: '/api/orders', body: marketBuy, headers: { 'idempotency-key': `r-${randomUUID()}` } });
      expect(order.statusCode, order.body).toBe(201);
      const bad = await signed(c, key, { method: 'GET', url: '/api/portfolio', secret: `${key.secret}x` });
      expectRefused(bad, 401, 'SIGNATURE_INVALID');
      // A key created on this app: its creation answer holds the secret.
      const other = await createApiKey(c, s, { scopes: ['read'] });
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await signed(c, other, { method: 'GET', url: '/api/wallet/balances' })).statusCode);
      expect(statuses).toEqual([200, 200, 200, 200, 429]);
      const limited = await signed(c, other, { method: 'GET', url: '/api/wallet/balances' });
      expectRefused(limited, 429, 'RATE_LIMITED');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // Per key: the other key of the same user is not held back.
      expect((await signed(c, key, { method: 'GET', url: '/api/wallet/balances' })).statusCode).toBe(200);

      const log = lines.join('');
      expect(log.length).toBeGreaterThan(1000); // the requests were logged
      expect(log).toContain(key.id);
      for (const secret of [key.secret, other.secret, key.secret.slice(4), other.secret.slice(4)]) expect(log).not.toContain(secret);
      const signatures = [...log.matchAll(/[0-9a-f]{64}/g)].map((m) => m[0]);
      expect(signatures).toEqual([]);
    } finally {
      await app.close();
      await root.platform.close();
    }
  });
});
