import { TAX_REPORT_COLUMNS } from '@cryptovault/contract';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, signUpVerified, type TestSession } from '../auth-helpers.ts';
import { createTestApp, ownDatabaseForFile, type TestContext } from '../helpers.ts';
import { rows } from '../../src/platform/db/sql.ts';
import { credit, D, settleWithdrawal, hold, transfer, ZERO } from '../../src/modules/ledger/index.ts';
import { positionsOf } from '../../src/modules/portfolio/portfolio.repo.ts';
import { createTradingApp, QUIET_MARKET_ENV, tradingFixture } from '../../src/modules/trading/trading.fixtures.ts';
import { emptyTotals, GainsBook } from '../../src/modules/gains/gains.compute.ts';
import { booksOf } from '../../src/modules/gains/gains.service.ts';
import { PDF_ROWS_PER_PAGE, pdfPageCount, reportPdf } from '../../src/modules/gains/gains.report.ts';

// Background work of other files' apps (engine resync, order-event passes, alert ticks) stays off this file's rows.
ownDatabaseForFile('cv_gains');

// Fixed secrets so a second app on the same database (a restart) accepts the first one's sessions.
const SECRETS = {
  JWT_SECRET: 'gains-test-jwt-secret-0123456789abcdef',
  CSRF_SECRET: 'gains-test-csrf-secret-0123456789abcdef',
  DATA_ENCRYPTION_KEY: 'gains-test-data-key-0123456789abcdef',
};

let t: TestContext;
let fx: Awaited<ReturnType<typeof tradingFixture>>;
let alice: TestSession;
let bob: TestSession;
const year = new Date().getUTCFullYear();

const get = (s: TestSession, url: string) => asUser(t, s).inject({ method: 'GET', url });
const csvRows = (body: string) =>
  body
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => Object.fromEntries(l.split(',').map((v, i) => [TAX_REPORT_COLUMNS[i]!, v])));
const pages = (pdf: Buffer) => (pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;

/** The USD a fill moved, from the order row: a buy's cost + fee, a sell's cost − fee. */
async function orderFigures(id: string) {
  const [o] = await rows<{ cost: string; fee: string }>(t.platform.database.db, sql`select cost::text, fee_cost::text as fee from orders where id = ${id}`);
  return { cost: new D(o!.cost), fee: new D(o!.fee) };
}

let buy1: { cost: Dec; fee: Dec };
let sell1: { cost: Dec; fee: Dec };
type Dec = InstanceType<typeof D>;

beforeAll(async () => {
  const app = await createTradingApp(SECRETS);
  t = app.t;
  fx = await tradingFixture(app);
  alice = await signUpVerified(t, { name: 'Alice Example' });
  bob = await signUpVerified(t, { name: 'Bob Other' });
  const db = t.platform.database.db;
  await db.transaction((tx) => credit(tx, { userId: alice.user.id, asset: 'USD', amount: '200000', reference: 'test:fund' }));
  await db.transaction((tx) => credit(tx, { userId: bob.user.id, asset: 'BTC', amount: '3', reference: 'test:fund' }));
  await db.transaction((tx) => credit(tx, { userId: bob.user.id, asset: 'USD', amount: '1000', reference: 'test:fund' }));

  // Alice: buys 1 BTC at $50,000 (cost + fee is lot A) …
  await fx.tick({ bitcoin: '50000' });
  const b = await fx.place(alice.user.id, { side: 'buy', amount: '1' });
  buy1 = await orderFigures(b.id);
  // … receives 0.5 BTC from Bob, valued at the platform's candle of the transfer's minute: $40,000 (lot B: $20,000.00).
  // The app's candle recorder writes bitcoin candles for the current minute at its own prices. So the transfer's time
  // is moved to a random past minute that no recorder writes (lots still enter in journal order: FIFO sells lot A
  // first), with a 40,000 1m candle there: 2 to 6 days back, as the recorder prunes 1m candles older than 7 days.
  const transferRef = `transfer:gains-${Date.now()}`;
  const minute = Math.floor(Date.now() / 60_000) - 60 * 24 * 2 - Math.floor(Math.random() * 60 * 24 * 4);
  const transferAt = new Date(minute * 60_000 + 30_000);
  await db.transaction((tx) => transfer(tx, { fromUserId: bob.user.id, toUserId: alice.user.id, asset: 'BTC', amount: '0.5', reference: transferRef }));
  // The journal is append-only (a trigger refuses UPDATE); only this test's session skips it, for this one backdating.
  await db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    await tx.execute(sql`update journal_entries set created_at = ${transferAt.toISOString()}::timestamptz where reference = ${transferRef}`);
  });
  await db.execute(sql`insert into candles (asset_id, interval, bucket, open, high, low, close)
    values ('bitcoin', '1m', ${new Date(minute * 60_000).toISOString()}::timestamptz, 40000, 40000, 40000, 40000)
    on conflict (asset_id, interval, bucket) do update set close = 40000, open = 40000, high = 40000, low = 40000`);
  // … a coin deposit of 2 SOL (no current price in this app's market): valued as the provider credited it, $300 for
  // 2 SOL (lot C), whatever SOL candles other test files left in a shared database …
  const [dep] = await rows<{ id: string }>(
    db,
    sql`insert into deposits (user_id, provider, provider_payment_id, status, amount_usd, pay_currency, pay_amount, credit_asset, credited_amount, credited_at)
        values (${alice.user.id}, 'simulated', ${`gains-${Date.now()}`}, 'finished', 300, 'sol', 2, 'SOL', 2, now()) returning id::text as id`,
  );
  await db.transaction((tx) => credit(tx, { userId: alice.user.id, asset: 'SOL', amount: '2', reference: `deposit:${dep!.id}` }));
  // … then sells 1.2 BTC at $60,000, and withdraws 0.1 BTC (not a sale).
  await fx.tick({ bitcoin: '60000', ethereum: '2000' });
  const s = await fx.place(alice.user.id, { side: 'sell', amount: '1.2' });
  sell1 = await orderFigures(s.id);
  await db.transaction(async (tx) => {
    await hold(tx, { userId: alice.user.id, asset: 'BTC', amount: '0.1', reference: 'withdrawal:test' });
    await settleWithdrawal(tx, { userId: alice.user.id, asset: 'BTC', amount: '0.1', reference: 'withdrawal:test' });
  });
  // Bob sells too: never in Alice's numbers.
  await fx.place(bob.user.id, { side: 'sell', amount: '2' });
}, 60_000);
afterAll(() => t?.close());

describe('realised gains through the API', () => {
  it('P&L per asset by FIFO: lot A (the buy) sold whole, then 0.2 of lot B (the transfer in)', async () => {
    const res = await get(alice, '/api/gains/pnl');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.method).toBe('fifo');
    const btc = body.assets.find((a: { asset: string }) => a.asset === 'BTC');
    const proceeds = sell1.cost.minus(sell1.fee); // net of fee
    const costA = buy1.cost.plus(buy1.fee);
    // FIFO: A whole (1 BTC, costA) + 0.2 of B (20,000 × 0.2/0.5 = 8,000.00)
    const realized = proceeds.minus(costA).minus(8000);
    expect(btc.realizedUsd).toBe(realized.toFixed(2));
    // open: B's 0.3 costing 12,000.00, less the 0.1 withdrawn (0.1 of B: 4,000.00) → 0.2 costing 8,000.00
    expect(btc.amount).toBe('0.2');
    expect(btc.costBasisUsd).toBe('8000.00');
    // unrealised at $60,000: 0.2 × 60,000 − 8,000 = 4,000.00
    expect(btc.unrealizedUsd).toBe('4000.00');
    expect(btc.totalUsd).toBe(realized.plus(4000).toFixed(2));
    const sol = body.assets.find((a: { asset: string }) => a.asset === 'SOL');
    // 2 SOL costing the quote's $300.00; no current price: no value, no unrealised figure (rather than a guess)
    expect(sol).toMatchObject({ amount: '2', costBasisUsd: '300.00', realizedUsd: '0.00', priceUsd: null, unrealizedUsd: null, totalUsd: null });
    expect(body.realizedUsd).toBe(realized.toFixed(2));
    expect(body.unrealizedUsd).toBe('4000.00');
  });

  it('changing the method recomputes: HIFO sells the $50,000-a-unit lot A before B ($40,000)', async () => {
    const put = await asUser(t, alice).inject({ method: 'PUT', url: '/api/gains/settings', payload: { method: 'hifo' } });
    expect(put.statusCode).toBe(200);
    expect((await get(alice, '/api/gains/settings')).json()).toEqual({ method: 'hifo' });
    const btc = (await get(alice, '/api/gains/pnl')).json().assets.find((a: { asset: string }) => a.asset === 'BTC');
    // A costs (cost + fee)/1 ≈ 50,050 a unit, B 40,000: same lots as FIFO here, so the same realised figure
    expect(btc.realizedUsd).toBe(sell1.cost.minus(sell1.fee).minus(buy1.cost.plus(buy1.fee)).minus(8000).toFixed(2));
    await asUser(t, alice).inject({ method: 'PUT', url: '/api/gains/settings', payload: { method: 'average' } });
    const avg = (await get(alice, '/api/gains/pnl')).json().assets.find((a: { asset: string }) => a.asset === 'BTC');
    // average: pool 1.5 BTC costing costA + 20,000; 1.2 of it costs 0.8 of the pool
    const pool = buy1.cost.plus(buy1.fee).plus(20000);
    const sold = pool.times('1.2').div('1.5').toDecimalPlaces(2, D.ROUND_HALF_UP);
    expect(avg.realizedUsd).toBe(sell1.cost.minus(sell1.fee).minus(sold).toFixed(2));
    const bad = await asUser(t, alice).inject({ method: 'PUT', url: '/api/gains/settings', payload: { method: 'lifo' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_ERROR');
    await asUser(t, alice).inject({ method: 'PUT', url: '/api/gains/settings', payload: { method: 'fifo' } });
  });

  it('the CSV lists every disposal of the year with its lot; another user’s sales are never in it', async () => {
    const res = await get(alice, `/api/gains/report?year=${year}&format=csv`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toContain(`cryptovault-gains-${year}-fifo.csv`);
    expect(res.body.split('\n')[0]).toBe(TAX_REPORT_COLUMNS.join(','));
    const r = csvRows(res.body);
    expect(r).toHaveLength(2);
    expect(r.map((x) => [x.asset, x.quantity, x.cost_usd, x.holding_period])).toEqual([
      ['BTC', '1', buy1.cost.plus(buy1.fee).toFixed(2), 'short'],
      ['BTC', '0.2', '8000.00', 'short'],
    ]);
    const total = r.reduce((s, x) => s.plus(x.proceeds_usd!), ZERO);
    expect(total.toFixed(2)).toBe(sell1.cost.minus(sell1.fee).toFixed(2));
    expect(r.reduce((s, x) => s.plus(x.fee_usd!), ZERO).toFixed(2)).toBe(sell1.fee.toFixed(2));
    for (const x of r) expect(x.reference).toMatch(/^order:/);
    // Bob's report: his own sale only (2 BTC of the coins credited to him).
    const bobs = csvRows((await get(bob, `/api/gains/report?year=${year}&format=csv`)).body);
    expect(bobs).toHaveLength(1);
    expect(bobs[0]).toMatchObject({ asset: 'BTC', quantity: '2' });
    expect(bobs[0]!.reference).not.toBe(r[0]!.reference);
  });

  it('a year without disposals is an honest empty report: the CSV header alone, a PDF with one page saying so', async () => {
    const csv = await get(alice, `/api/gains/report?year=${year - 3}&format=csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toBe(`${TAX_REPORT_COLUMNS.join(',')}\n`);
    const pdf = await get(alice, `/api/gains/report?year=${year - 3}&format=pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pages(pdf.rawPayload)).toBe(1);
  });

  it('the PDF: %PDF, the title page and the table pages', async () => {
    const res = await get(alice, `/api/gains/report?year=${year}&format=pdf`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toContain('.pdf');
    expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(res.rawPayload.subarray(-6).toString()).toContain('%%EOF');
    expect(pages(res.rawPayload)).toBe(pdfPageCount(2)); // 2 rows: title + one table page
  });

  it('has the expected page count for a given number of rows (title page + ⌈rows / rows per page⌉)', async () => {
    const book = new GainsBook('fifo');
    const at = new Date(Date.UTC(2025, 0, 1));
    book.apply({ kind: 'acquire', at, asset: 'BTC', qty: new D(1000), costUsd: new D(1000), source: 'buy', ref: 'b' });
    const n = PDF_ROWS_PER_PAGE * 3 + 5;
    async function* many() {
      for (let i = 0; i < n; i++) yield* book.apply({ kind: 'dispose', at, asset: 'BTC', qty: new D(1), proceedsUsd: new D(2), feeUsd: ZERO, ref: `s${i}` });
    }
    const totals = { ...emptyTotals(), rows: n };
    const doc = reportPdf({ name: 'P', email: 'p@example.test', year: 2025, method: 'fifo', totals, notes: { unpriced: 0 }, generatedAt: new Date() }, many());
    const chunks: Buffer[] = [];
    for await (const c of doc) chunks.push(c as Buffer);
    const pdf = Buffer.concat(chunks);
    expect(pdfPageCount(n)).toBe(5);
    expect(pages(pdf)).toBe(5);
    expect(pdf.toString('latin1')).toMatch(/^%PDF-/);
  });

  it('signed-in only, own data only, rate-limited', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/gains/pnl' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: `/api/gains/report?year=${year}` })).statusCode).toBe(401);
    const bad = await get(alice, '/api/gains/report?year=1999');
    expect(bad.statusCode).toBe(400);
    // There is no user parameter to ask for someone else's report: the principal is the only subject.
    const other = await get(alice, `/api/gains/report?year=${year}&format=csv&userId=${bob.user.id}`);
    expect(csvRows(other.body)).toHaveLength(2);
    let last = 200;
    for (let i = 0; i < 12 && last !== 429; i++) last = (await get(alice, `/api/gains/report?year=${year - 3}&format=csv`)).statusCode;
    expect(last).toBe(429);
    const limited = await get(alice, `/api/gains/report?year=${year - 3}&format=csv`);
    expect(limited.json().error).toMatchObject({ code: 'RATE_LIMITED' });
    expect(limited.json().error.message).toMatch(/Too many report requests/);
  });
});

describe('one definition of cost with the positions table', () => {
  it('with fills only, the average-cost book holds what the positions table holds (to the cent per sale)', async () => {
    const user = await fx.user({ USD: '100000' });
    await fx.tick({ bitcoin: '41000' });
    await fx.place(user, { side: 'buy', quoteAmount: '1234.56' });
    await fx.tick({ bitcoin: '43500' });
    await fx.place(user, { side: 'buy', quoteAmount: '2000' });
    await fx.place(user, { side: 'sell', amount: '0.03' });
    await fx.tick({ bitcoin: '39000' });
    await fx.place(user, { side: 'buy', quoteAmount: '777' });
    await fx.place(user, { side: 'sell', amount: '0.01' });
    const book = (await booksOf(t.platform.database.db, user, 'average')).find((b) => b.asset === 'BTC')!;
    const pos = (await positionsOf(t.platform.database.db, user)).find((p) => p.asset === 'BTC')!;
    expect(book.qty.toFixed()).toBe(new D(pos.qty).toFixed());
    // positions keep 18 places; the book rounds each sale's cost to the cent: two sales, at most a cent apart
    expect(book.basisUsd.minus(pos.basis).abs().lte('0.01')).toBe(true);
  });
});

describe('the method survives a restart', () => {
  it('a new app on the same database answers the saved method', async () => {
    await asUser(t, bob).inject({ method: 'PUT', url: '/api/gains/settings', payload: { method: 'average' } });
    const again = await createTestApp({ ...QUIET_MARKET_ENV, ...SECRETS });
    try {
      const res = await again.app.inject({ method: 'GET', url: '/api/gains/settings', remoteAddress: bob.ip, headers: { cookie: bob.cookies } });
      expect(res.json()).toEqual({ method: 'average' });
    } finally {
      await again.close();
    }
  });
});
