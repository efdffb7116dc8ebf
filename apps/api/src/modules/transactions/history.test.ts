import { TRANSACTION_COLUMNS } from '@cryptovault/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, createAdmin, signUpVerified, stepUp, type TestSession } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { waitFor } from '../../../test/prices.ts';
import { reconcile } from '../ledger/index.ts';

let t: TestContext;
let alice: TestSession;
let bob: TestSession;
let orderId: string;
let depositId: string;

const get = (s: TestSession, url: string) => asUser(t, s).inject({ method: 'GET', url });

beforeAll(async () => {
  t = await createTestApp();
  await waitFor(() => t.root.trading.engine.isRunning && t.platform.prices.get('bitcoin') !== null);
  alice = await signUpVerified(t, { name: 'Alice' });
  bob = await signUpVerified(t, { name: 'Bob' });
  // Money in through the real deposit path, a price the test knows, a market buy, a transfer to Bob.
  const dep = await asUser(t, alice).inject({ method: 'POST', url: '/api/wallet/deposits', payload: { amountUsd: '5000', payCurrency: 'usdt' } });
  depositId = dep.json().id;
  expect((await asUser(t, alice).inject({ method: 'POST', url: `/api/dev/deposits/${depositId}/complete`, payload: {} })).json().status).toBe('finished');
  const priced = await t.app.inject({ method: 'POST', url: '/api/dev/market/bitcoin', payload: { priceUsd: '97026', holdMs: 600_000 } });
  expect(priced.statusCode).toBe(200);
  await waitFor(() => t.platform.prices.get('bitcoin')?.priceUsd === '97026');
  const order = await asUser(t, alice).inject({
    method: 'POST',
    url: '/api/orders',
    payload: { symbol: 'BTC/USD', side: 'buy', type: 'market', amount: '0.02' },
  });
  expect(order.statusCode, order.body).toBe(201);
  orderId = order.json().id;
  const sent = await asUser(t, alice).inject({
    method: 'POST',
    url: '/api/wallet/transfers',
    payload: { asset: 'USD', recipientEmail: bob.user.email, amount: '10' },
  });
  expect(sent.statusCode, sent.body).toBe(201);
});
afterAll(async () => {
  await t.close();
});

describe('history a person reads', () => {
  it('shows a trade as one row with pair, side, price, value, fee and total, linking to its order', async () => {
    const res = await get(alice, '/api/transactions?type=trade');
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json().items;
    expect(items).toHaveLength(1);
    // 0.02 × 97,026 = 1,940.52; fee 0.1 % = 1.94052, rounded up to the cent (contract tradeFigures) = 1.95; total paid 1,942.47.
    expect(items[0]).toMatchObject({
      type: 'trade',
      label: 'Buy',
      pair: 'BTC/USD',
      side: 'buy',
      asset: 'BTC',
      amount: '0.02',
      price: '97026',
      value: '1940.52',
      fee: '1.95',
      feeAsset: 'USD',
      total: '-1942.47',
      totalAsset: 'USD',
      reference: `order:${orderId}`,
      link: `/orders/${orderId}`,
      imported: false,
    });
    expect(Object.keys(items[0])).toEqual(TRANSACTION_COLUMNS);
  });

  it('lists each event once, newest first: the transfer (with who), the trade, the deposit (with its link)', async () => {
    const items = (await get(alice, '/api/transactions')).json().items;
    expect(items.map((i: { label: string }) => i.label)).toEqual(['Sent', 'Buy', 'Deposit']);
    expect(items[0]).toMatchObject({ type: 'transfer_out', asset: 'USD', amount: '-10', total: '-10', counterparty: `Bob (${bob.user.email})` });
    expect(items[2]).toMatchObject({ type: 'deposit', asset: 'USD', amount: '5000', link: `/deposits/${depositId}` });
    const bobs = (await get(bob, '/api/transactions?type=transfer')).json().items;
    expect(bobs).toHaveLength(1);
    expect(bobs[0]).toMatchObject({ type: 'transfer_in', label: 'Received', amount: '10', counterparty: `Alice (${alice.user.email})` });
  });

  it('filters by type, asset and date, and pages with the cursor', async () => {
    expect((await get(alice, '/api/transactions?type=deposit')).json().items.map((i: { type: string }) => i.type)).toEqual(['deposit']);
    expect((await get(alice, '/api/transactions?asset=btc')).json().items.map((i: { type: string }) => i.type)).toEqual(['trade']);
    expect((await get(alice, '/api/transactions?type=withdrawal')).json().items).toEqual([]);
    expect((await get(alice, '/api/transactions?to=2020-01-01T00:00:00Z')).json().items).toEqual([]);
    const all = (await get(alice, '/api/transactions')).json().items;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = (
        await get(alice, `/api/transactions?limit=1${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      seen.push(...page.items.map((i: { id: string }) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((i: { id: string }) => i.id));
  });

  it('never shows another user their entries', async () => {
    const items = (await get(bob, '/api/transactions?limit=200')).json().items;
    expect(items.every((i: { reference: string | null }) => i.reference !== `order:${orderId}` && i.reference !== `deposit:${depositId}`)).toBe(true);
    const csv = (await get(bob, '/api/transactions/export?format=csv')).body;
    expect(csv).not.toContain(orderId);
  });

  it('exports CSV and JSON with the same columns as the list', async () => {
    const list = (await get(alice, '/api/transactions')).json().items;
    const csv = await get(alice, '/api/transactions/export?format=csv');
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toBe(TRANSACTION_COLUMNS.join(','));
    expect(lines[0]).toContain('pair,side,asset,amount,price,value,fee,feeAsset,total');
    const trade = lines.find((l) => l.includes(`order:${orderId}`))!.split(',');
    const col = (name: string) => trade[TRANSACTION_COLUMNS.indexOf(name as (typeof TRANSACTION_COLUMNS)[number])];
    expect([col('pair'), col('side'), col('price'), col('value'), col('fee'), col('total')]).toEqual([
      'BTC/USD',
      'buy',
      '97026',
      '1940.52',
      '1.95',
      '-1942.47',
    ]);
    expect(lines).toHaveLength(list.length + 1);
    const json = await get(alice, '/api/transactions/export?format=json&type=trade');
    expect(json.json()).toEqual(list.filter((i: { type: string }) => i.type === 'trade'));
  });

  it('"fee" lists every row that charged a fee (the trade, the withdrawal), not the deposit, and exports the same rows', async () => {
    // A person of their own: a deposit, a market buy (fee in USD), a completed BTC withdrawal (fee in BTC), a transfer.
    const carol = await signUpVerified(t, { name: 'Carol' });
    const dep = (await asUser(t, carol).inject({ method: 'POST', url: '/api/wallet/deposits', payload: { amountUsd: '3000', payCurrency: 'usdt' } })).json();
    expect((await asUser(t, carol).inject({ method: 'POST', url: `/api/dev/deposits/${dep.id}/complete`, payload: {} })).json().status).toBe('finished');
    const order = await asUser(t, carol).inject({
      method: 'POST',
      url: '/api/orders',
      payload: { symbol: 'BTC/USD', side: 'buy', type: 'market', amount: '0.02' },
    });
    expect(order.statusCode, order.body).toBe(201);
    const w = await asUser(t, carol).inject({
      method: 'POST',
      url: '/api/wallet/withdrawals',
      payload: { asset: 'BTC', address: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', amount: '0.01' },
    });
    expect(w.statusCode, w.body).toBe(201);
    const admin = await createAdmin(t);
    await stepUp(t, admin);
    expect((await asUser(t, admin).inject({ method: 'POST', url: `/api/admin/withdrawals/${w.json().id}/approve` })).statusCode).toBe(200);
    const done = await asUser(t, admin).inject({ method: 'POST', url: `/api/admin/withdrawals/${w.json().id}/complete`, payload: { txHash: 'c'.repeat(64) } });
    expect(done.json().status, done.body).toBe('completed');
    expect(
      (await asUser(t, carol).inject({ method: 'POST', url: '/api/wallet/transfers', payload: { asset: 'USD', recipientEmail: bob.user.email, amount: '1' } }))
        .statusCode,
    ).toBe(201);

    const fees = (await get(carol, '/api/transactions?type=fee')).json();
    expect(fees.nextCursor).toBeNull();
    expect(fees.items).toHaveLength(2);
    expect(fees.items[0]).toMatchObject({
      type: 'withdrawal',
      asset: 'BTC',
      amount: '-0.01',
      fee: '0.0002',
      feeAsset: 'BTC',
      total: '-0.0102',
      reference: `withdrawal:${w.json().id}`,
    });
    expect(fees.items[1]).toMatchObject({ type: 'trade', label: 'Buy', pair: 'BTC/USD', fee: '1.95', feeAsset: 'USD', reference: `order:${order.json().id}` });
    const all = (await get(carol, '/api/transactions')).json().items;
    expect(all.map((i: { type: string }) => i.type)).toEqual(['transfer_out', 'withdrawal', 'trade', 'deposit']);
    expect(fees.items).toEqual(all.filter((i: { fee: string | null }) => i.fee !== null && i.fee !== '0'));
    // An asset narrows to fees of rows in it: a BTC/USD trade is in both; the BTC withdrawal only in BTC.
    expect((await get(carol, '/api/transactions?type=fee&asset=BTC')).json().items.map((i: { type: string }) => i.type)).toEqual(['withdrawal', 'trade']);
    expect((await get(carol, '/api/transactions?type=fee&asset=USD')).json().items.map((i: { type: string }) => i.type)).toEqual(['trade']);
    // Paged one row at a time, the same rows.
    const paged = await get(carol, '/api/transactions?type=fee&limit=1');
    expect(paged.json().items.map((i: { id: string }) => i.id)).toEqual([fees.items[0].id]);
    const next = await get(carol, `/api/transactions?type=fee&limit=1&cursor=${paged.json().nextCursor}`);
    expect(next.json()).toEqual({ items: [fees.items[1]], nextCursor: null });
    // The exports, with the same filter, hold exactly the list's rows.
    expect((await get(carol, '/api/transactions/export?format=json&type=fee')).json()).toEqual(fees.items);
    const csv = (await get(carol, '/api/transactions/export?format=csv&type=fee')).body.trim().split('\n');
    expect(csv).toHaveLength(3);
    expect(csv[1]).toContain(`withdrawal:${w.json().id}`);
    expect(csv[2]).toContain(`order:${order.json().id}`);
    expect(csv.join('\n')).not.toContain(`deposit:${dep.id}`);
  });

  it('answers bad filters with a 400 a person can read', async () => {
    for (const q of ['type=trades!', 'type=coffee', 'asset=B', 'from=yesterday', 'limit=0', 'cursor=bm9wZQ']) {
      for (const path of ['/api/transactions', '/api/transactions/export']) {
        if (path.endsWith('export') && (q.startsWith('limit') || q.startsWith('cursor'))) continue; // the export is never paged
        const res = await get(alice, `${path}?${q}`);
        expect(res.statusCode, `${path}?${q}`).toBe(400);
        expect(res.json()).toMatchObject({ error: { code: 'VALIDATION_ERROR' } });
      }
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/transactions' })).statusCode).toBe(401);
  });

  it('leaves the books reconciled', async () => {
    expect((await reconcile(t.platform.database.db)).ok).toBe(true);
  });
});
