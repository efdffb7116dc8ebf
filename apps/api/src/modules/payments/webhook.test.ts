import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { asUser, createAdmin, signUpVerified, stepUp, type TestSession } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { reconcile } from '../ledger/index.ts';
import { runPaymentMaintenance } from './maintenance.ts';
import { createProvider } from './payments.routes.ts';
import { signIpn } from './signature.ts';
import { UNSIGNED_KEEP_CHARS } from './webhook.ts';

let t: TestContext;
let secret: string;

beforeAll(async () => {
  t = await createTestApp();
  secret = t.config.payments.ipnSecret;
});
afterAll(async () => {
  await t.close();
});
afterEach(async () => {
  const r = await reconcile(t.platform.database.db);
  expect(r.ok).toBe(true);
});

interface Dep {
  id: string;
  providerPaymentId: string;
  payAmount: string;
  payCurrency: string;
  amountUsd: string;
}

async function newDeposit(user: TestSession, amountUsd: string): Promise<Dep> {
  const res = await asUser(t, user).inject({ method: 'POST', url: '/api/wallet/deposits', payload: { amountUsd, payCurrency: 'usdt' } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

const ipn = (dep: Dep, status: string) => ({
  payment_id: Number(dep.providerPaymentId),
  payment_status: status,
  price_amount: Number(dep.amountUsd),
  price_currency: 'usd',
  pay_amount: Number(dep.payAmount),
  actually_paid: Number(dep.payAmount),
  pay_currency: dep.payCurrency,
  order_id: dep.id,
  fee: { currency: dep.payCurrency, depositFee: 0, withdrawalFee: 0, serviceFee: 0 },
});

const send = (raw: string, sig?: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/webhooks/nowpayments',
    headers: { 'content-type': 'application/json', ...(sig ? { 'x-nowpayments-sig': sig } : {}) },
    payload: raw,
  });
const sendSigned = (body: object) => send(JSON.stringify(body), signIpn(body, secret));

type Rows<T> = { rows: T[] };
async function query<T>(q: ReturnType<typeof sql>): Promise<T[]> {
  return ((await t.platform.database.db.execute(q)) as unknown as Rows<T>).rows;
}

async function usd(user: TestSession): Promise<string> {
  const res = await asUser(t, user).inject({ method: 'GET', url: '/api/wallet/balances' });
  return res.json().items.find((i: { asset: string }) => i.asset === 'USD')?.available ?? '0';
}

const credits = async (depositId: string) =>
  (await query<{ n: number }>(sql`select count(*)::int as n from journal_entries where reference = ${`deposit:${depositId}`}`))[0]!.n;

describe('the payment webhook against an anonymous disk-fill', () => {
  it('keeps only the first bytes of unsigned bodies, refuses oversized ones unread, and prunes unsigned rows after the retention', async () => {
    const marker = `fill-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
    // Just under the route's limit: JSON that looks like a callback, padded, with a forged or missing signature.
    const big = JSON.stringify({ payment_id: 1, payment_status: 'finished', marker, pad: 'x'.repeat(60_000) });
    const answers = await Promise.all(Array.from({ length: 20 }, (_v, i) => send(big, i % 2 ? 'a'.repeat(128) : undefined)));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(20).fill(401));
    const kept = await query<{ id: number; len: number; body_bytes: number; outcome: string; signature_valid: boolean | null }>(
      sql`select id, length(raw_body) as len, body_bytes, outcome, signature_valid from payment_webhook_inbox where raw_body like ${`%${marker}%`}`,
    );
    expect(kept).toHaveLength(20);
    for (const r of kept) {
      expect(r.len).toBeLessThanOrEqual(UNSIGNED_KEEP_CHARS);
      expect(r.body_bytes).toBe(Buffer.byteLength(big));
      expect(r).toMatchObject({ outcome: 'invalid_signature', signature_valid: false });
    }
    // Beyond 64 KiB the body is refused before it is read whole, and nothing is stored.
    const before = (await query<{ n: number }>(sql`select count(*)::int as n from payment_webhook_inbox`))[0]!.n;
    const oversized = await send(JSON.stringify({ payment_id: 1, pad: 'y'.repeat(200_000) }));
    expect(oversized.statusCode).toBe(413);
    expect(oversized.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    // Not JSON at all: 400, kept truncated too.
    expect((await send(`{"marker":"${marker}", ${'z'.repeat(10_000)}`)).statusCode).toBe(400);
    const after = (await query<{ n: number }>(sql`select count(*)::int as n from payment_webhook_inbox`))[0]!.n;
    expect(after - before).toBeLessThanOrEqual(1 + 20); // other test files may write to a shared database meanwhile

    // A signed callback keeps its whole body (the audit trail), and the retention job leaves it alone.
    const u = await signUpVerified(t);
    const dep = await newDeposit(u, '11.00');
    const signed = ipn(dep, 'confirming');
    expect((await sendSigned(signed)).statusCode).toBe(200);
    const [kept2] = await query<{ id: number; raw_body: string }>(
      sql`select id, raw_body from payment_webhook_inbox where payment_id = ${dep.providerPaymentId}`,
    );
    expect(kept2!.raw_body).toBe(JSON.stringify(signed));

    const ids = [...kept.map((r) => r.id), kept2!.id];
    await t.platform.database.db.execute(
      sql`update payment_webhook_inbox set received_at = now() - interval '8 days' where id in ${sql.raw(`(${ids.join(',')})`)}`,
    );
    const report = await runPaymentMaintenance({ platform: t.platform, provider: createProvider(t.platform) });
    expect(report.pruned).toBeGreaterThanOrEqual(20);
    expect(await query(sql`select id from payment_webhook_inbox where raw_body like ${`%${marker}%`} and received_at < now() - interval '7 days'`)).toEqual([]);
    expect(await query<{ id: number }>(sql`select id from payment_webhook_inbox where id = ${kept2!.id}`)).toHaveLength(1);
  });

  it('answers a deeply nested body with 400, not a stack overflow', async () => {
    const depth = 10_000; // about 60 kB: under the route's body limit
    const deep = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    for (const sig of [undefined, 'b'.repeat(128)]) {
      const res = await send(deep, sig);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringMatching(/nested deeper than 32 levels/) });
    }
    const arrays = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    expect((await send(arrays, 'c'.repeat(128))).statusCode).toBe(400);
  });
});

describe('late final callbacks open a review instead of vanishing', () => {
  it('a deposit the maintenance expired, then paid: 200 to the provider, nothing credited, in the operator review queue', async () => {
    const u = await signUpVerified(t);
    const dep = await newDeposit(u, '33.00');
    await t.platform.database.db.execute(sql`update deposits set expires_at = now() - interval '2 hours' where id = ${dep.id}`);
    await runPaymentMaintenance({ platform: t.platform, provider: createProvider(t.platform) });
    expect((await asUser(t, u).inject({ method: 'GET', url: `/api/wallet/deposits/${dep.id}` })).json()).toMatchObject({ status: 'expired', review: null });

    const late = ipn(dep, 'finished');
    for (let i = 0; i < 3; i++) expect((await sendSigned(late)).statusCode).toBe(200);
    expect(await usd(u)).toBe('0');
    expect(await credits(dep.id)).toBe(0);
    const seen = (await asUser(t, u).inject({ method: 'GET', url: `/api/wallet/deposits/${dep.id}` })).json();
    expect(seen).toMatchObject({ status: 'expired', review: 'pending', creditedUsd: null });
    const outcomes = await query<{ outcome: string }>(
      sql`select outcome from payment_webhook_inbox where payment_id = ${dep.providerPaymentId} and payment_status = 'finished' order by id`,
    );
    expect(outcomes.map((o) => o.outcome)).toEqual(['review', 'duplicate', 'duplicate']);

    const admin = await createAdmin(t);
    await stepUp(t, admin);
    const queue = (await asUser(t, admin).inject({ method: 'GET', url: '/api/admin/deposits?review=pending&limit=200' })).json();
    const item = queue.items.find((i: { id: string }) => i.id === dep.id);
    expect(item).toMatchObject({ status: 'expired', review: 'pending', userEmail: u.user.email });
    expect(item.reviewReason).toMatch(/^finished after the deposit was expired.*nothing was credited/);
    // The operator, having checked the chain, credits it through the review: once.
    const resolved = await asUser(t, admin).inject({
      method: 'POST',
      url: `/api/admin/deposits/${dep.id}/resolve`,
      payload: { note: 'paid late, on chain', creditUsd: '33' },
    });
    expect(resolved.statusCode, resolved.body).toBe(200);
    expect(await usd(u)).toBe('33');
  });

  it('an operator never decides on their own deposit; another operator’s credit counts against the tier allowance', async () => {
    const maker = await createAdmin(t);
    await stepUp(t, maker);
    const dep = await newDeposit(maker, '41.00');
    await t.platform.database.db.execute(sql`update deposits set expires_at = now() - interval '2 hours' where id = ${dep.id}`);
    await runPaymentMaintenance({ platform: t.platform, provider: createProvider(t.platform) });
    expect(await query(sql`select 1 from kyc_usage where reference = ${`deposit:${dep.id}`}`)).toHaveLength(0);
    expect((await sendSigned(ipn(dep, 'finished'))).statusCode).toBe(200);
    const resolve = (who: TestSession) =>
      asUser(t, who).inject({ method: 'POST', url: `/api/admin/deposits/${dep.id}/resolve`, payload: { note: 'paid late', creditUsd: '41' } });
    const own = await resolve(maker);
    expect(own.statusCode).toBe(403);
    expect(own.json().error.code).toBe('FORBIDDEN');
    expect(await usd(maker)).toBe('0');
    const checker = await createAdmin(t);
    // Without a fresh step-up with the second factor, a signed-in operator's cookie credits nothing.
    expect((await resolve(checker)).json().error.code).toBe('STEP_UP_REQUIRED');
    await stepUp(t, checker);
    expect((await resolve(checker)).statusCode).toBe(200);
    expect(await usd(maker)).toBe('41');
    const usage = await query<{ amount: string }>(
      sql`select amount_usd::numeric(20,2)::text as amount from kyc_usage where reference = ${`deposit:${dep.id}`}`,
    );
    expect(usage.map((u) => u.amount)).toEqual(['41.00']);
  });

  it('refunded after finished: the credit stands, nothing is debited, the deposit goes to review', async () => {
    const u = await signUpVerified(t);
    const dep = await newDeposit(u, '30.00');
    expect((await sendSigned(ipn(dep, 'finished'))).statusCode).toBe(200);
    expect(await usd(u)).toBe('30');
    expect((await sendSigned(ipn(dep, 'refunded'))).statusCode).toBe(200);
    expect(await usd(u)).toBe('30');
    expect(await credits(dep.id)).toBe(1);
    const seen = (await asUser(t, u).inject({ method: 'GET', url: `/api/wallet/deposits/${dep.id}` })).json();
    expect(seen).toMatchObject({ status: 'finished', review: 'pending', creditedUsd: '30.00' });
    const admin = await createAdmin(t);
    const queue = (await asUser(t, admin).inject({ method: 'GET', url: '/api/admin/deposits?review=pending&limit=200' })).json();
    const item = queue.items.find((i: { id: string }) => i.id === dep.id);
    expect(item?.reviewReason).toMatch(/^refunded after \$30\.00 was credited/);
  });

  it('a late non-final status still changes nothing and opens no review', async () => {
    const u = await signUpVerified(t);
    const dep = await newDeposit(u, '14.00');
    expect((await sendSigned(ipn(dep, 'finished'))).statusCode).toBe(200);
    expect((await sendSigned(ipn(dep, 'confirming'))).statusCode).toBe(200);
    expect((await asUser(t, u).inject({ method: 'GET', url: `/api/wallet/deposits/${dep.id}` })).json()).toMatchObject({ status: 'finished', review: null });
  });
});
