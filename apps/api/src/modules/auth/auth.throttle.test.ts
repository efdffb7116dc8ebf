import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, latestEmail, outbox, randomIp, setCookies, signUpVerified, waitForEmail } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext, uniqueEmail, usingRedis } from '../../../test/helpers.ts';
import { credit } from '../ledger/index.ts';
import { THROTTLE } from './login-throttle.ts';

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const login = (payload: object, ip = randomIp(), headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/api/auth/login', payload, remoteAddress: ip, headers });
const shape = (r: { statusCode: number; body: string; headers: Record<string, unknown> }) => ({
  status: r.statusCode,
  code: JSON.parse(r.body).error?.code as string | undefined,
  message: JSON.parse(r.body).error?.message as string | undefined,
  retry: r.headers['retry-after'] !== undefined,
});

describe('sign-in throttling instead of a lock (issue 16 item 7)', () => {
  it('a stranger guessing from one address is slowed alone: the owner signs in from another address at once', async () => {
    const s = await signUpVerified(t);
    const stranger = randomIp();
    const statuses: number[] = [];
    for (let i = 0; i < THROTTLE.PAIR_FREE + 2; i++)
      statuses.push((await login({ email: s.user.email, password: `wrong passphrase ${i}0000` }, stranger)).statusCode);
    expect(statuses).toEqual([...Array(THROTTLE.PAIR_FREE).fill(401), 429, 429]);
    // The stranger's refused attempts renew nothing; the owner is not locked out.
    expect((await login({ email: s.user.email, password: s.password }, randomIp())).statusCode).toBe(200);
    // The owner heard about it once, when the throttle tripped.
    const mails = (await outbox(t, s.user.email)).filter((m) => /Failed sign-in attempts/.test(m.subject));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain(stranger);
  });

  it('existing and unknown accounts get the same answers, attempt for attempt (no enumeration oracle)', async () => {
    const s = await signUpVerified(t);
    const ghost = uniqueEmail('ghost');
    const ipA = randomIp();
    const ipB = randomIp();
    for (let i = 0; i < THROTTLE.PAIR_FREE + 2; i++) {
      const a = await login({ email: s.user.email, password: `wrong passphrase ${i}0000` }, ipA);
      const b = await login({ email: ghost, password: `wrong passphrase ${i}0000` }, ipB);
      expect(shape(a)).toEqual(shape(b));
    }
  });

  it('many addresses against one account: backoff for unknown browsers, never for the browser the owner signed in on', async () => {
    const s = await signUpVerified(t);
    const ghost = uniqueEmail('ghost-many');
    // The owner signed in here before: the browser holds the device cookie.
    const first = await login({ email: s.user.email, password: s.password });
    const device = setCookies(first).cv_device;
    expect(device).toMatch(/^[\w-]+\.[\w-]+$/);
    // Another account's device cookie, made before the failures: the backoff after the last one is short (2 s), so
    // the refusals below follow the failures directly.
    const other = await signUpVerified(t);
    const otherDevice = setCookies(await login({ email: other.user.email, password: other.password })).cv_device;
    const runs: Record<string, number[]> = { real: [], ghost: [] };
    for (let i = 0; i < THROTTLE.ACCOUNT_FREE + 2; i++) {
      runs.real!.push((await login({ email: s.user.email, password: 'botnet guess guess' })).statusCode);
      runs.ghost!.push((await login({ email: ghost, password: 'botnet guess guess' })).statusCode);
    }
    expect(runs.real).toEqual([...Array(THROTTLE.ACCOUNT_FREE).fill(401), 429, 429]);
    expect(runs.ghost).toEqual(runs.real);
    // A new browser with the right password waits too (the backoff is short and does not grow while refused) …
    const fresh = await login({ email: s.user.email, password: s.password });
    expect(fresh.statusCode).toBe(429);
    expect(Number(fresh.headers['retry-after'])).toBeLessThanOrEqual(4);
    // A device cookie of another account, or a forged one, is no exemption …
    expect((await login({ email: s.user.email, password: s.password }, randomIp(), { cookie: `cv_device=${otherDevice}` })).statusCode).toBe(429);
    expect((await login({ email: s.user.email, password: s.password }, randomIp(), { cookie: 'cv_device=abc.def' })).statusCode).toBe(429);
    // … but the owner's own browser goes straight in, from any address.
    const owner = await login({ email: s.user.email, password: s.password }, randomIp(), { cookie: `cv_device=${device}` });
    expect(owner.statusCode).toBe(200);
    expect((await latestEmail(t, s.user.email))?.subject).toMatch(/sign-in|Failed/);
  });

  // Embedded mode keeps rate limits in process memory (README); with Redis the throttle is shared and survives.
  it.skipIf(!usingRedis)('the throttle lives in Redis: another machine, or the app after a restart, sees it', async () => {
    const s = await signUpVerified(t);
    const ip = randomIp();
    for (let i = 0; i < THROTTLE.PAIR_FREE; i++) await login({ email: s.user.email, password: `wrong passphrase ${i}0000` }, ip);
    const again = await createTestApp();
    try {
      const res = await again.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: s.user.email, password: s.password }, remoteAddress: ip });
      expect(res.statusCode).toBe(429);
    } finally {
      await again.close();
    }
  });
});

describe('no enumeration through transfers or forgot-password (issue 16 item 14)', () => {
  it('transfers: the same answer for an existing and an unknown recipient until money can move', async () => {
    const alice = await signUpVerified(t);
    const bob = await signUpVerified(t);
    await credit(t.platform.database.db, { userId: alice.user.id, asset: 'USD', amount: '10', reference: `test-funding:${alice.user.id}` });
    const send = (recipientEmail: string, amount: string) =>
      asUser(t, alice).inject({ method: 'POST', url: '/api/wallet/transfers', payload: { asset: 'USD', amount, recipientEmail } });
    // The whole error but its request id: message and details alike must not depend on the recipient.
    const strip = (r: { statusCode: number; json(): { error: Record<string, unknown> } }) => {
      const { requestId: _, ...error } = r.json().error;
      return { status: r.statusCode, ...error };
    };
    const known = await send(bob.user.email, '11');
    const unknown = await send(uniqueEmail('nobody'), '11');
    expect(strip(known)).toEqual({
      status: 422,
      code: 'INSUFFICIENT_FUNDS',
      message: 'Insufficient funds: this transfer needs $11.00 and $10.00 is available',
      details: { asset: 'USD', available: '10', required: '11' },
    });
    expect(strip(unknown)).toEqual(strip(known));
    // With the funds, only sending real money tells them apart.
    expect((await send(uniqueEmail('nobody'), '1')).statusCode).toBe(404);
    expect((await send(bob.user.email, '1')).statusCode).toBe(201);
  });

  it('forgot-password answers in the same time for existing and unknown addresses (ratio of medians over many tries)', async () => {
    const time = async (email: string) => {
      const t0 = performance.now();
      const res = await t.app.inject({ method: 'POST', url: '/api/auth/forgot-password', payload: { email }, remoteAddress: randomIp() });
      const ms = performance.now() - t0;
      expect(res.statusCode).toBe(202);
      // Let the background work of this request finish before the next measurement.
      await new Promise((r) => setTimeout(r, 100));
      return ms;
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    // A round: six fresh accounts (three forgot requests per address per hour are allowed: 6 × 3 = 18), interleaved
    // after a warm-up pair. A loaded machine can skew one round (a GC pause, another process), so up to three rounds
    // are measured and the first one inside the bounds passes; an answer that waits for the lookup and the email is
    // outside them round after round (1.7–2.9× measured before the fix).
    const rounds: string[] = [];
    let ratio = Number.NaN;
    let users: Awaited<ReturnType<typeof signUpVerified>>[] = [];
    for (let round = 0; round < 3; round++) {
      users = await Promise.all(Array.from({ length: 6 }, () => signUpVerified(t)));
      const known: number[] = [];
      const unknown: number[] = [];
      await time(users[0]!.user.email);
      await time(uniqueEmail('nobody'));
      for (let i = 0; i < 17; i++) {
        known.push(await time(users[(i + 1) % 6]!.user.email));
        unknown.push(await time(uniqueEmail('nobody')));
      }
      ratio = median(known) / median(unknown);
      rounds.push(`known ${median(known).toFixed(2)} ms, unknown ${median(unknown).toFixed(2)} ms (ratio ${ratio.toFixed(2)})`);
      if (ratio > 0.5 && ratio < 1.6) break;
    }
    expect(ratio, rounds.join('; ')).toBeGreaterThan(0.5);
    expect(ratio, rounds.join('; ')).toBeLessThan(1.6);
    // The link still arrives (after the answer).
    expect((await waitForEmail(t, users[0]!.user.email, 1)).subject).toMatch(/Reset/);
  }, 120_000);
});
