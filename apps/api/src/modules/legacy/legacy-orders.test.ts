import { randomUUID } from 'node:crypto';
import { TRANSACTION_COLUMNS, type Transaction } from '@cryptovault/contract';
import { ObjectId } from 'bson';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asBearer, signIn, type TestSession } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { waitFor } from '../../../test/prices.ts';
import { authKeys } from '../auth/index.ts';
import { getBalances, reconcile } from '../ledger/index.ts';
import { openOrders } from '../trading/index.ts';
import { rows } from '../../platform/db/sql.ts';
import { type ImportOptions, runImport } from './importer.ts';
import { legacyTx, legacyUser, legacyWallet, tag, writeDump } from './legacy-fixtures.ts';
import { openDump } from './source.ts';
import { verifyImport } from './verify.ts';

/**
 * The original's orders, deposits, withdrawals and transfers (routers/trading.py, routers/wallet.py, admin.py,
 * routers/transfers.py): orders become read-only order history; each deposit, withdrawal and transfer appears
 * once in the history, from the `transactions` row that records it or, without one, as a row of its own.
 */
/** A column of an export line by name (the imported rows' description, the one quoted column, comes last). */
const cell = (line: string, column: keyof Transaction) => line.split(',')[TRANSACTION_COLUMNS.indexOf(column)];
const typeAssetAmount = (line: string) => [cell(line, 'type'), cell(line, 'asset'), cell(line, 'amount')].join(' ');

let t: TestContext;
let opts: ImportOptions;

beforeAll(async () => {
  t = await createTestApp(); // the simulated market, driven through POST /api/dev/market/:assetId
  opts = { dryRun: false, onAnomaly: 'review', keys: authKeys(t.config.auth.dataEncryptionKey) };
  await waitFor(() => t.root.trading.engine.isRunning && t.platform.prices.get('bitcoin') !== null);
});
afterAll(async () => {
  await t?.close();
});

const db = () => t.platform.database.db;
const at = (d: string) => new Date(`2025-${d}T12:00:00Z`);
const doc = <T extends Record<string, unknown>>(fields: T) => ({ _id: new ObjectId(), id: randomUUID() as string, ...fields });

function fixture() {
  const k = tag();
  const alice = legacyUser({ email: `alice.${k}@example.com`, password: 'alice-old-password' });
  const bob = legacyUser({ email: `bob.${k}@example.com`, password: 'bob-old-password' });
  const carol = legacyUser({ email: `carol.${k}@example.com` });
  const users = [alice, bob, carol];
  const wallets = [legacyWallet(alice.id, { USD: 1000.5, BTC: 0.5 }), legacyWallet(bob.id, { USD: 20 }), legacyWallet(carol.id, { USD: 1 })];

  // routers/trading.py: a filled market buy (with its trade and fee transactions), a pending stop-limit and a pending
  // limit (floats), a cancelled limit sell; one order of nobody, one with a side that is neither buy nor sell.
  const filled = doc({
    user_id: alice.id,
    trading_pair: 'BTC/USD',
    order_type: 'market',
    side: 'buy',
    amount: 0.1,
    price: 60000.5,
    status: 'filled',
    created_at: at('04-01'),
    filled_at: at('04-01'),
  });
  const stopLimit = doc({
    user_id: alice.id,
    trading_pair: 'BTC/USD',
    order_type: 'stop_limit',
    side: 'buy',
    amount: 0.2,
    price: 55000,
    stop_price: 56000,
    time_in_force: 'GTC',
    status: 'pending',
    reserved_amount: 11011,
    created_at: at('04-02'),
    filled_at: null,
  });
  const pendingLimit = doc({
    user_id: alice.id,
    trading_pair: 'ETH/USD',
    order_type: 'limit',
    side: 'sell',
    amount: 1e-7,
    price: 0.1 + 0.2,
    status: 'pending',
    created_at: at('04-03'),
  });
  const cancelled = doc({
    user_id: alice.id,
    trading_pair: 'BTC/USD',
    order_type: 'limit',
    side: 'sell',
    amount: 0.05,
    price: 70000,
    status: 'cancelled',
    created_at: at('04-04'),
    cancelled_at: at('04-05'),
  });
  const bobOrder = doc({
    user_id: bob.id,
    trading_pair: 'BTC/USD',
    order_type: 'market',
    side: 'sell',
    amount: 0.001,
    price: 61000,
    status: 'filled',
    created_at: at('04-06'),
  });
  const orphan = doc({ user_id: 'no-such-user', trading_pair: 'BTC/USD', order_type: 'market', side: 'buy', amount: 1, price: 1, status: 'filled' });
  const sideless = doc({ user_id: alice.id, trading_pair: 'BTC/USD', order_type: 'market', side: 'hold', amount: 1, price: 1, status: 'filled' });
  const orders = [filled, stopLimit, pendingLimit, cancelled, bobOrder, orphan, sideless];

  // routers/wallet.py + admin.py: deposits (one credited and logged, one expired, one waiting), withdrawals (one
  // logged and later completed by an admin, one the log never recorded), transfers (one logged on both sides, one
  // logged on neither).
  const depCredited = doc({
    user_id: alice.id,
    order_id: `DEP-${k}-1`,
    amount: 100,
    currency: 'USD',
    pay_currency: 'BTC',
    status: 'finished',
    created_at: at('03-01'),
  });
  const depExpired = doc({
    user_id: alice.id,
    order_id: `DEP-${k}-2`,
    amount: 50,
    currency: 'USD',
    pay_currency: 'ETH',
    status: 'expired',
    created_at: at('03-02'),
  });
  const depWaiting = doc({
    user_id: alice.id,
    order_id: `DEP-${k}-3`,
    amount: 0.1 + 0.2,
    currency: 'USD',
    pay_currency: 'USDT',
    status: 'waiting',
    created_at: at('03-03'),
  });
  const wLogged = doc({
    user_id: alice.id,
    amount: 40,
    currency: 'USD',
    address: 'bc1qexampleaddress000',
    status: 'completed',
    fee: 1,
    total_amount: 41,
    transaction_hash: '0xfeed',
    created_at: at('03-04'),
  });
  const wUnlogged = doc({
    user_id: alice.id,
    amount: 25,
    currency: 'USD',
    address: 'bc1qotheraddress0000',
    status: 'processing',
    fee: 1,
    created_at: at('03-05'),
  });
  const tLogged = doc({
    sender_id: alice.id,
    sender_email: alice.email,
    sender_name: 'alice',
    recipient_id: bob.id,
    recipient_email: bob.email,
    recipient_name: 'bob',
    amount: 10,
    currency: 'USD',
    status: 'completed',
    created_at: at('03-06'),
  });
  const tUnlogged = doc({
    sender_id: bob.id,
    sender_email: bob.email,
    sender_name: 'bob',
    recipient_id: alice.id,
    recipient_email: alice.email,
    recipient_name: 'alice',
    amount: 5,
    currency: 'USD',
    note: 'lunch',
    status: 'completed',
    created_at: at('03-07'),
  });

  const transactions = [
    legacyTx(alice.id, {
      type: 'deposit',
      amount: 100,
      currency: 'USD',
      reference: depCredited.order_id,
      description: 'Deposit via BTC',
      created_at: at('03-01'),
    }),
    legacyTx(alice.id, {
      type: 'withdrawal',
      amount: -40,
      currency: 'USD',
      status: 'pending',
      reference: wLogged.id,
      description: 'Withdrawal to bc1qexamplead...',
      created_at: at('03-04'),
    }),
    legacyTx(alice.id, { type: 'fee', amount: -1, currency: 'USD', reference: wLogged.id, description: 'Withdrawal fee', created_at: at('03-04') }),
    legacyTx(alice.id, { type: 'transfer_out', amount: -10, currency: 'USD', reference: tLogged.id, description: 'Transfer to bob', created_at: at('03-06') }),
    legacyTx(bob.id, { type: 'transfer_in', amount: 10, currency: 'USD', reference: tLogged.id, description: 'Transfer from alice', created_at: at('03-06') }),
    // routers/transfers.py (the later P2P router): its own types, the transfer id in metadata, no transfers document.
    legacyTx(alice.id, { type: 'p2p_send', amount: -2, currency: 'USD', metadata: { transfer_id: `T-${k}`, note: 'coffee' }, created_at: at('03-08') }),
    legacyTx(alice.id, { type: 'gas_fee', amount: -0.01, currency: 'USD', metadata: { transfer_id: `T-${k}` }, created_at: at('03-08') }),
    legacyTx(alice.id, { type: 'trade', amount: 0.1, symbol: 'BTC/USD', description: 'BUY 0.1 BTC/USD @ $60000.5', created_at: at('04-01') }),
    legacyTx(alice.id, {
      type: 'fee',
      amount: -6.00005,
      symbol: 'USD',
      description: `Trading fee for order ${filled.id.slice(0, 8)}`,
      created_at: at('04-01'),
    }),
  ];
  const dump = writeDump({
    users,
    wallets,
    transactions,
    orders,
    deposits: [depCredited, depExpired, depWaiting],
    withdrawals: [wLogged, wUnlogged],
    transfers: [tLogged, tUnlogged],
  });
  return {
    k,
    alice,
    bob,
    carol,
    users,
    dump,
    filled,
    stopLimit,
    pendingLimit,
    cancelled,
    bobOrder,
    orphan,
    sideless,
    depCredited,
    depExpired,
    depWaiting,
    wLogged,
    wUnlogged,
    tLogged,
    tUnlogged,
  };
}

async function counts(ids: string[]) {
  const [r] = await rows<{ orders: number; history: number; entries: number }>(
    db(),
    sql`with u as (select user_id from legacy_import_map where collection = 'users' and source_id in (${sql.join(
      ids.map((i) => sql`${i}`),
      sql`, `,
    )}))
      select (select count(*) from legacy_orders where user_id in (select user_id from u))::int as orders,
        (select count(*) from legacy_history where user_id in (select user_id from u))::int as history,
        (select count(*) from journal_postings where user_id in (select user_id from u))::int as entries`,
  );
  return r!;
}

type ApiOrder = {
  id: string;
  status: string;
  imported?: boolean;
  originalStatus?: string;
  originalType?: string;
  type: string;
  amount: string;
  price: string | null;
  triggerPrice: string | null;
  filled: string;
  cost: string;
  average: string | null;
  fee: { cost: string; currency: string; rate: string };
};

async function allOrders(s: TestSession, status: string, limit: number): Promise<ApiOrder[]> {
  const out: ApiOrder[] = [];
  let cursor: string | null = null;
  do {
    const res = await asBearer(t, s).inject({ method: 'GET', url: `/api/orders?status=${status}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}` });
    expect(res.statusCode, res.body).toBe(200);
    out.push(...res.json().items);
    cursor = res.json().nextCursor;
  } while (cursor);
  return out;
}

describe('import:legacy: orders, deposits, withdrawals and transfers as read-only history', () => {
  it('dry run counts them and writes nothing', async () => {
    const f = fixture();
    const report = await runImport(t.platform.database, openDump(f.dump), { ...opts, dryRun: true });
    expect(report.orders).toEqual({ seen: 7, ofImportedUsers: 5, imported: 0 });
    expect(report.movements).toEqual({ seen: { deposits: 3, withdrawals: 2, transfers: 2 }, linked: { deposits: 1, withdrawals: 1, transfers: 1 } });
    // 9 transactions + expired and waiting deposits, the unlogged withdrawal, both sides of the unlogged transfer.
    expect(report.history).toEqual({ seen: 9, ofImportedUsers: 14, imported: 0 });
    expect(
      report.notices
        .filter((n) => n.kind === 'order_not_carried')
        .map((n) => n.sourceId)
        .sort(),
    ).toEqual([f.orphan.id, f.sideless.id].sort());
    const written = await rows(db(), sql`select 1 from legacy_orders where source_id in (${f.filled.id}, ${f.stopLimit.id})`);
    expect(written).toHaveLength(0);
  });

  it('imports orders with their original status (never open, never in the engine), each movement once, moving no money; a second run changes nothing', async () => {
    const f = fixture();
    const report = await runImport(t.platform.database, openDump(f.dump), opts);
    expect(report.status).toBe('completed');
    expect(report.orders).toEqual({ seen: 7, ofImportedUsers: 5, imported: 5 });
    expect(report.history.imported).toBe(14);
    expect((await reconcile(db())).ok).toBe(true);

    const alice = await signIn(t, f.alice.email, 'alice-old-password');
    // Balances come from the wallet alone: history rows move nothing.
    const balances = await getBalances(db(), t.platform.prices, alice.user.id);
    expect(balances.items.map((b) => `${b.asset} ${b.available} ${b.locked}`).sort()).toEqual(['BTC 0.5 0', 'USD 1000.5 0']);

    // Orders: closed/all show the imported ones marked, with the original's words; open shows none.
    const all = await allOrders(alice, 'all', 100);
    expect(all).toHaveLength(4);
    expect(all.every((o) => o.imported === true)).toBe(true);
    const byId = new Map(all.map((o) => [o.id, o]));
    const ids = await rows<{ id: string; source_id: string }>(
      db(),
      sql`select id::text as id, source_id from legacy_orders where source_id in (${f.filled.id}, ${f.stopLimit.id}, ${f.pendingLimit.id}, ${f.cancelled.id})`,
    );
    const bySource = new Map(ids.map((r) => [r.source_id, byId.get(r.id)!]));
    expect(bySource.get(f.filled.id)).toMatchObject({
      status: 'closed',
      originalStatus: 'filled',
      type: 'market',
      filled: '0.1',
      cost: '6000.05',
      average: '60000.5',
      fee: { cost: '6.00005', currency: 'USD', rate: '0.001' },
    });
    expect(bySource.get(f.stopLimit.id)).toMatchObject({
      status: 'canceled',
      originalStatus: 'pending',
      type: 'limit',
      originalType: 'stop_limit',
      price: '55000',
      triggerPrice: '56000',
      filled: '0',
    });
    expect(bySource.get(f.pendingLimit.id)).toMatchObject({ status: 'canceled', originalStatus: 'pending', amount: '0.0000001', price: '0.30000000000000004' });
    expect(bySource.get(f.cancelled.id)).toMatchObject({ status: 'canceled', originalStatus: 'cancelled', filled: '0', cost: '0' });
    expect((await allOrders(alice, 'closed', 100)).map((o) => o.id).sort()).toEqual(all.map((o) => o.id).sort());
    expect(await allOrders(alice, 'open', 100)).toEqual([]);
    const engineOpen = (await openOrders(db())).map((o) => o.id);
    for (const o of all) expect(engineOpen).not.toContain(o.id);

    // One order: readable, not cancelable, and another user's is a 404.
    const one = await asBearer(t, alice).inject({ method: 'GET', url: `/api/orders/${bySource.get(f.stopLimit.id)!.id}` });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ imported: true, originalStatus: 'pending' });
    const cancel = await asBearer(t, alice).inject({ method: 'DELETE', url: `/api/orders/${bySource.get(f.stopLimit.id)!.id}` });
    expect(cancel.statusCode).toBe(422); // as for any order that is not open
    expect(cancel.json().error.message).toContain('Imported orders are read-only');
    const [bobsOrder] = await rows<{ id: string }>(db(), sql`select id::text as id from legacy_orders where source_id = ${f.bobOrder.id}`);
    expect((await asBearer(t, alice).inject({ method: 'GET', url: `/api/orders/${bobsOrder!.id}` })).statusCode).toBe(404);

    // History: each deposit, withdrawal and transfer once, by reference.
    const csv = await asBearer(t, alice).inject({ method: 'GET', url: '/api/transactions/export?format=csv' });
    expect(csv.statusCode).toBe(200);
    const lines = csv.body.trim().split('\n').slice(1);
    expect(lines).toHaveLength(2 + 12); // two opening legs (USD, BTC) + 8 transactions + 4 rows of their own
    const withRef = (ref: string) => lines.filter((l) => cell(l, 'reference') === ref);
    expect(withRef(f.depCredited.order_id).map((l) => typeAssetAmount(l))).toEqual(['deposit USD 100']);
    expect(withRef(f.depExpired.order_id).map((l) => typeAssetAmount(l))).toEqual(['deposit USD 0']);
    expect(withRef(f.depExpired.order_id)[0]).toContain('never credited');
    expect(withRef(f.depWaiting.order_id)[0]).toContain('Deposit of 0.30000000000000004 USD via USDT (waiting): never credited');
    expect(
      withRef(f.wLogged.id)
        .map((l) => typeAssetAmount(l))
        .sort(),
    ).toEqual(['fee USD -1', 'withdrawal USD -40']);
    expect(withRef(f.wLogged.id).find((l) => cell(l, 'type') === 'withdrawal')).toContain('withdrawal completed, tx 0xfeed');
    expect(withRef(f.wUnlogged.id).map((l) => typeAssetAmount(l))).toEqual(['withdrawal USD -25']);
    expect(withRef(f.tLogged.id).map((l) => typeAssetAmount(l))).toEqual(['transfer_out USD -10']);
    expect(withRef(f.tUnlogged.id).map((l) => typeAssetAmount(l))).toEqual(['transfer_in USD 5']);
    expect(
      withRef(`T-${f.k}`)
        .map((l) => typeAssetAmount(l))
        .sort(),
    ).toEqual(['fee USD -0.01', 'transfer_out USD -2']);
    expect(lines.filter((l) => cell(l, 'imported') === 'true')).toHaveLength(12);

    const bob = await signIn(t, f.bob.email, 'bob-old-password');
    const bobCsv = (await asBearer(t, bob).inject({ method: 'GET', url: '/api/transactions/export?format=csv' })).body.trim().split('\n').slice(1);
    expect(bobCsv.filter((l) => cell(l, 'reference') === f.tUnlogged.id).map((l) => typeAssetAmount(l))).toEqual(['transfer_out USD -5']);
    expect(bobCsv.filter((l) => cell(l, 'reference') === f.tLogged.id).map((l) => typeAssetAmount(l))).toEqual(['transfer_in USD 10']);

    const v = await verifyImport(t.platform.database, openDump(f.dump));
    expect(v.ok).toBe(true);
    expect(v.orders).toEqual({ expected: 5, imported: 5 });
    expect(v.history).toEqual({ expected: 14, imported: 14 });

    const before = await counts(f.users.map((u) => u.id));
    const again = await runImport(t.platform.database, openDump(f.dump), opts);
    expect(again.orders.imported).toBe(0);
    expect(again.history.imported).toBe(0);
    expect(await counts(f.users.map((u) => u.id))).toEqual(before);
  });

  it('imported orders merge into the live order history on the same pages', async () => {
    const f = fixture();
    await runImport(t.platform.database, openDump(f.dump), opts);
    const alice = await signIn(t, f.alice.email, 'alice-old-password');
    const service = t.root.trading.orders;
    // A live resting limit buy far below the market (open) and a market buy (closed), both newer than the imports.
    const resting = (await service.place(alice.user.id, { symbol: 'BTC/USD', side: 'buy', type: 'limit', amount: '0.001', price: '1000' }, null)).order;
    const market = (await service.place(alice.user.id, { symbol: 'BTC/USD', side: 'buy', type: 'market', amount: '0.0001' }, null)).order;
    await t.root.trading.engine.idle();

    const open = await allOrders(alice, 'open', 100);
    expect(open.map((o) => o.id)).toEqual([resting.id]);
    const all = await allOrders(alice, 'all', 1);
    expect(all).toHaveLength(6);
    expect(new Set(all.map((o) => o.id)).size).toBe(6);
    expect(
      all
        .slice(0, 2)
        .map((o) => o.id)
        .sort(),
    ).toEqual([resting.id, market.id].sort());
    expect(all.slice(0, 2).every((o) => !o.imported)).toBe(true);
    expect(all.slice(2).every((o) => o.imported)).toBe(true);
    const closed = await allOrders(alice, 'closed', 2);
    expect(closed.map((o) => o.id)).toEqual(all.filter((o) => o.id !== resting.id).map((o) => o.id));
    expect((await openOrders(db())).map((o) => o.id)).toContain(resting.id);
  });

  it('an interrupted run resumes: every user gets their orders and history exactly once', async () => {
    const f = fixture();
    const controller = new AbortController();
    const first = await runImport(t.platform.database, openDump(f.dump), {
      ...opts,
      signal: controller.signal,
      afterUser: (_id, done) => done === 1 && controller.abort(),
    });
    expect(first.status).toBe('interrupted');
    expect(first.users.imported).toBe(1);
    const second = await runImport(t.platform.database, openDump(f.dump), opts);
    expect(second.status).toBe('completed');
    expect(first.orders.imported + second.orders.imported).toBe(5);
    expect(first.history.imported + second.history.imported).toBe(14);
    const v = await verifyImport(t.platform.database, openDump(f.dump));
    expect(v.ok).toBe(true);
    expect(v.orders).toEqual({ expected: 5, imported: 5 });
    expect(await counts(f.users.map((u) => u.id))).toMatchObject({ orders: 5, history: 14 });
  });

  it('the OpenAPI document describes imported orders', async () => {
    const text = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).body;
    const doc = JSON.parse(text) as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>> };
    const schema = JSON.stringify(doc.paths['/api/orders/{id}']?.get?.responses['200']?.content?.['application/json']?.schema);
    expect(schema).toContain('"imported"');
    expect(schema).toContain('"originalStatus"');
    expect(schema).toContain('"originalType"');
  });
});
