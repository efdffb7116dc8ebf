import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { asUser, currentTermsVersion, signUpVerified, type TestSession } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext, uniqueEmail } from '../../../test/helpers.ts';
import { reconcile } from '../ledger/index.ts';

let t: TestContext;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});
afterEach(async () => {
  const r = await reconcile(t.platform.database.db);
  expect(r.ok).toBe(true);
});

/** USD through the real deposit path (simulated provider + signed webhook). */
async function fundUsd(u: TestSession, amountUsd: string) {
  const dep = await asUser(t, u).inject({ method: 'POST', url: '/api/wallet/deposits', payload: { amountUsd, payCurrency: 'usdt' } });
  const done = await asUser(t, u).inject({ method: 'POST', url: `/api/dev/deposits/${dep.json().id}/complete`, payload: {} });
  expect(done.json().status).toBe('finished');
}

async function usd(u: TestSession): Promise<string> {
  const res = await asUser(t, u).inject({ method: 'GET', url: '/api/wallet/balances' });
  return res.json().items.find((i: { asset: string }) => i.asset === 'USD')?.available ?? '0';
}

const send = (u: TestSession, payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
  asUser(t, u).inject({ method: 'POST', url: '/api/wallet/transfers', payload: { asset: 'USD', ...payload }, headers });

describe('transfers', () => {
  it('moves funds atomically, notifies the recipient, lists for both sides, idempotent', async () => {
    const alice = await signUpVerified(t, { name: 'Alice' });
    const bob = await signUpVerified(t, { name: 'Bob' });
    await fundUsd(alice, '100');
    const res = await send(alice, { recipientEmail: bob.user.email.toUpperCase(), amount: '30.25', note: 'lunch' }, { 'idempotency-key': 'tr-1' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ direction: 'out', counterpartyEmail: bob.user.email, amount: '30.25', asset: 'USD', note: 'lunch' });
    const replay = await send(alice, { recipientEmail: bob.user.email.toUpperCase(), amount: '30.25', note: 'lunch' }, { 'idempotency-key': 'tr-1' });
    expect(replay.json().id).toBe(res.json().id);
    expect(await usd(alice)).toBe('69.75');
    expect(await usd(bob)).toBe('30.25');
    const bobList = (await asUser(t, bob).inject({ method: 'GET', url: '/api/wallet/transfers' })).json();
    expect(bobList.items[0]).toMatchObject({ direction: 'in', counterpartyEmail: alice.user.email, counterpartyName: 'Alice' });
    const notes = (await asUser(t, bob).inject({ method: 'GET', url: '/api/notifications' })).json().items;
    expect(notes[0]).toMatchObject({ type: 'transfer', title: 'Transfer received' });
    // Its own page, where each side's history row leads: both parties read it from their side; nobody else can.
    const id = res.json().id;
    const mine = await asUser(t, alice).inject({ method: 'GET', url: `/api/wallet/transfers/${id}` });
    expect(mine.json()).toMatchObject({ id, direction: 'out', counterpartyName: 'Bob', amount: '30.25', note: 'lunch' });
    const theirs = await asUser(t, bob).inject({ method: 'GET', url: `/api/wallet/transfers/${id}` });
    expect(theirs.json()).toMatchObject({ id, direction: 'in', counterpartyEmail: alice.user.email });
    const rows = (await asUser(t, bob).inject({ method: 'GET', url: '/api/transactions?type=transfer' })).json().items;
    expect(rows[0]).toMatchObject({ type: 'transfer_in', link: `/transfers/${id}` });
    const carol = await signUpVerified(t);
    expect((await asUser(t, carol).inject({ method: 'GET', url: `/api/wallet/transfers/${id}` })).statusCode).toBe(404);
  });

  it('refuses more than available, to self, and to unknown or unverified users with one answer', async () => {
    const alice = await signUpVerified(t);
    const bob = await signUpVerified(t);
    await fundUsd(alice, '10');
    const over = await send(alice, { recipientEmail: bob.user.email, amount: '10.01' });
    expect(over.statusCode).toBe(422);
    expect(over.json().error.code).toBe('INSUFFICIENT_FUNDS');
    expect((await send(alice, { recipientEmail: alice.user.email, amount: '1' })).statusCode).toBe(400);
    const unverified = uniqueEmail('unverified');
    await t.app.inject({
      method: 'POST',
      url: '/api/auth/signup',
      payload: { email: unverified, password: 'correct horse battery staple 42', name: 'U', termsVersion: await currentTermsVersion(t) },
    });
    const a = await send(alice, { recipientEmail: unverified, amount: '1' });
    const b = await send(alice, { recipientEmail: uniqueEmail('nobody'), amount: '1' });
    expect(a.statusCode).toBe(404);
    expect(b.statusCode).toBe(404);
    expect(a.json().error.message).toBe(b.json().error.message);
    expect((await send(alice, { recipientEmail: bob.user.email, amount: '0' })).statusCode).toBe(400);
    expect((await send(alice, { recipientEmail: bob.user.email, amount: '1.001' })).statusCode).toBe(400);
    expect(await usd(alice)).toBe('10');
    const n = (await t.platform.database.db.execute(sql`select count(*)::int as n from transfers where sender_id = ${alice.user.id}`)) as unknown as {
      rows: { n: number }[];
    };
    expect(n.rows[0]?.n).toBe(0);
  });

  it('concurrent transfers never overdraw', async () => {
    const alice = await signUpVerified(t);
    const bob = await signUpVerified(t);
    await fundUsd(alice, '50');
    const results = await Promise.all(Array.from({ length: 5 }, () => send(alice, { recipientEmail: bob.user.email, amount: '20' })));
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(2);
    expect(await usd(alice)).toBe('10');
    expect(await usd(bob)).toBe('40');
  });
});
