import { randomUUID } from 'node:crypto';
import type { ClientToServerEvents, ServerToClientEvents } from '@cryptovault/contract';
import { sql } from 'drizzle-orm';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asBearer, asUser, createAdmin, latestEmail, signIn, signUpVerified, type TestSession } from '../../test/auth-helpers.ts';
import { createTestApp, type TestContext, usingRedis } from '../../test/helpers.ts';
import { sampleNotification } from '../../test/realtime/payloads.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

// Two app instances ("machines") on one database and, when REDIS_URL is set, one Redis: a revocation on one
// machine must disconnect the session's sockets on the other.
const env = {
  USE_MOCK_PRICES: 'true',
  FLY_APP_NAME: `cv-revoke-${randomUUID().slice(0, 8)}`,
  JWT_SECRET: 'revocation-test-jwt-secret-0123456789abcdef',
  CSRF_SECRET: 'revocation-test-csrf-secret-0123456789abcdef',
  DATA_ENCRYPTION_KEY: 'revocation-test-data-key-0123456789abcdef',
};
let a: TestContext;
let b: TestContext;
const urls = new Map<TestContext, string>();
const open: Client[] = [];

async function listen(t: TestContext) {
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = t.app.server.address();
  urls.set(t, `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`);
}

beforeAll(async () => {
  a = await createTestApp(env);
  b = await createTestApp(env);
  await Promise.all([listen(a), listen(b)]);
});
afterAll(async () => {
  for (const s of open) s.disconnect();
  await a?.close();
  await b?.close();
});

/** A socket of `s`'s session on machine `t`, authenticated by its access-token cookie; resolves once connected. */
async function socketOf(t: TestContext, s: TestSession): Promise<Client> {
  const c: Client = connect(urls.get(t)!, {
    path: t.config.socketIoPath,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: { cookie: `access_token=${s.accessToken}` },
  });
  open.push(c);
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('connect_error', reject);
  });
  return c;
}

/**
 * Watches a socket from before the request that revokes its session; `within(ms)`, called once the response is in,
 * resolves with how long after that moment the disconnect came (0 if it already had), or rejects after `ms`. The
 * second is counted from the response, so a slow machine's request time is not part of it.
 */
function watchDisconnect(c: Client): { within(ms: number): Promise<number> } {
  let at: number | undefined;
  const done = new Promise<void>((resolve) => {
    if (!c.connected) {
      at = Date.now();
      return resolve();
    }
    c.once('disconnect', () => {
      at = Date.now();
      resolve();
    });
  });
  return {
    async within(ms) {
      const since = Date.now();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`still connected ${ms} ms after the response`)), ms);
      });
      try {
        await Promise.race([done, late]);
      } finally {
        clearTimeout(timer);
      }
      return Math.max(0, (at ?? since) - since);
    },
  };
}

/** The machine other than the one a revocation is made on (itself without Redis: no shared fan-out then). */
const other = usingRedis ? () => b : () => a;

describe('revocation reaches sockets (issue 16 item 5)', () => {
  it('logout disconnects that session’s sockets within a second, and no later private event reaches them; other sessions keep theirs', async () => {
    const s = await signUpVerified(a);
    const second = await signIn(a, s.user.email, s.password);
    const mine = await socketOf(other(), s);
    const kept = await socketOf(other(), second);
    const gone = watchDisconnect(mine);
    expect((await asUser(a, s).inject({ method: 'POST', url: '/api/auth/logout' })).statusCode).toBe(200);
    await gone.within(1000);
    let leaked = false;
    mine.on('notification', () => {
      leaked = true;
    });
    const seen = new Promise((resolve) => kept.once('notification', resolve));
    const n = sampleNotification({ id: 'n1' });
    a.platform.realtime.toUser(s.user.id, 'notification', n);
    expect(await seen).toEqual(n);
    expect(leaked).toBe(false);
    expect(kept.connected).toBe(true);
  });

  it('logout-all, password change, password reset and 2FA turned on each disconnect the sessions they end', async () => {
    // logout-all: every session, the caller's too.
    const u = await signUpVerified(a);
    const u2 = await signIn(a, u.user.email, u.password);
    const sockets = [await socketOf(other(), u), await socketOf(other(), u2)];
    const all = sockets.map((c) => watchDisconnect(c));
    await asUser(a, u).inject({ method: 'POST', url: '/api/auth/logout-all' });
    await Promise.all(all.map((w) => w.within(1000)));

    // Password change: the others go, the caller's socket stays.
    const p = await signUpVerified(a);
    const p2 = await signIn(a, p.user.email, p.password);
    const own = await socketOf(other(), p);
    const theirs = await socketOf(other(), p2);
    const gone = watchDisconnect(theirs);
    const changed = await asUser(a, p).inject({
      method: 'POST',
      url: '/api/auth/change-password',
      payload: { currentPassword: p.password, newPassword: 'another fine passphrase 8' },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    await gone.within(1000);
    expect(own.connected).toBe(true);

    // Reset: every session.
    const r = await signUpVerified(a);
    const rs = await socketOf(other(), r);
    const reset = watchDisconnect(rs);
    await a.app.inject({ method: 'POST', url: '/api/auth/forgot-password', payload: { email: r.user.email }, remoteAddress: r.ip });
    let token: string | undefined;
    for (let i = 0; i < 50 && !token; i++) {
      token = (await latestEmail(a, r.user.email))?.text.match(/token=([A-Za-z0-9_%-]+)/)?.[1];
      if (!token) await new Promise((res) => setTimeout(res, 50));
    }
    await a.app.inject({
      method: 'POST',
      url: '/api/auth/reset-password',
      payload: { token: decodeURIComponent(token!), newPassword: 'reset to this passphrase 3' },
    });
    await reset.within(1000);

    // 2FA turned on ends the other sessions (a thief's socket too).
    const f = await signUpVerified(a);
    const thief = await signIn(a, f.user.email, f.password);
    const ts = await socketOf(other(), thief);
    const out = watchDisconnect(ts);
    const setup = await asUser(a, f).inject({ method: 'POST', url: '/api/auth/2fa/setup' });
    const { generate } = await import('otplib');
    await asUser(a, f).inject({
      method: 'POST',
      url: '/api/auth/2fa/enable',
      payload: { code: await generate({ secret: setup.json().secret, epoch: Math.floor(Date.now() / 1000) - 30 }) },
    });
    await out.within(1000);
  });

  it('suspension and admin force-logout disconnect every socket of the user', async () => {
    const admin = await createAdmin(a);
    for (const action of ['suspend', 'force-logout'] as const) {
      const u = await signUpVerified(a);
      const c = await socketOf(other(), u);
      const bearerSocket = await socketOf(other(), await signIn(a, u.user.email, u.password));
      const both = [watchDisconnect(c), watchDisconnect(bearerSocket)];
      const res = await asUser(a, admin).inject({
        method: 'POST',
        url: `/api/admin/users/${u.user.id}/${action}`,
        payload: action === 'suspend' ? { reason: 'test' } : {},
      });
      expect(res.statusCode, res.body).toBe(200);
      const ms = await Promise.all(both.map((w) => w.within(1000)));
      expect(Math.max(...ms)).toBeLessThan(1000);
      expect((await asBearer(a, u).inject({ method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
    }
  });

  it('a revoked session cannot reconnect its socket (the handshake checks the session row)', async () => {
    const s = await signUpVerified(a);
    await a.platform.database.db.execute(sql`update sessions set revoked_at = now() where user_id = ${s.user.id}`);
    const c = await socketOf(other(), s);
    // A stale cookie is anonymous: connected for public prices, but in no user or session room.
    let got = false;
    c.on('notification', () => {
      got = true;
    });
    a.platform.realtime.toUser(s.user.id, 'notification', sampleNotification());
    await new Promise((r) => setTimeout(r, 300));
    expect(got).toBe(false);
  });
});
