import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { asUser, outbox, signUpVerified, type TestSession } from '../../../test/auth-helpers.ts';
import { createTestApp, ownDatabaseForFile, type TestContext } from '../../../test/helpers.ts';
import { waitFor } from '../../../test/prices.ts';
import { rows } from '../../platform/db/sql.ts';
import { credit } from '../ledger/index.ts';
import { describe as describe_, money, ORDER_EVENTS_KEPT_DAYS, preferenceType, processOrderEvents, pruneOrderEvents } from './order-notifications.ts';

// Background work of other files' apps (engine resync, order-event passes, alert ticks) stays off this file's rows.
ownDatabaseForFile('cv_ordernotes');

let t: TestContext;
let alice: TestSession;

beforeAll(async () => {
  t = await createTestApp();
  await waitFor(() => t.root.trading.engine.isRunning && t.platform.prices.get('bitcoin') !== null);
  alice = await signUpVerified(t, { name: 'Alice' });
  await t.platform.database.db.transaction((tx) => credit(tx, { userId: alice.user.id, asset: 'USD', amount: '20000', reference: 'test:fund' }));
  await setPrice('97026');
});
afterAll(async () => {
  await t.close();
});

async function setPrice(priceUsd: string) {
  const res = await t.app.inject({ method: 'POST', url: '/api/dev/market/bitcoin', payload: { priceUsd, holdMs: 600_000 } });
  expect(res.statusCode).toBe(200);
  await waitFor(() => t.platform.prices.get('bitcoin')?.priceUsd === priceUsd);
  await t.root.trading.engine.idle();
}
const place = async (s: TestSession, payload: Record<string, unknown>) => {
  const res = await asUser(t, s).inject({ method: 'POST', url: '/api/orders', payload: { symbol: 'BTC/USD', ...payload } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; status: string };
};
/** The user's notifications about one order, straight from the table. */
const about = (orderId: string) =>
  rows<{ type: string; title: string; body: string }>(
    t.platform.database.db,
    sql`select type, title, body from notifications where user_id = ${alice.user.id} and data ->> 'orderId' = ${orderId} order by created_at`,
  );
/** Waits until the order's events were processed (the notifier runs after the commit, in the background). */
async function settled(orderId: string) {
  await waitFor(async () => {
    const [r] = await rows<{ n: number }>(
      t.platform.database.db,
      sql`select count(*)::int as n from order_events where order_id = ${orderId} and processed_at is null`,
    );
    return r!.n === 0;
  });
}
const fillEmails = async () => (await outbox(t, alice.user.email)).filter((m) => /Order filled|triggered/.test(m.subject));
const setPrefs = (items: { type: string; inApp: boolean; email: boolean }[]) =>
  asUser(t, alice).inject({ method: 'PUT', url: '/api/notifications/preferences', payload: { items } });

describe('order notifications', () => {
  it('a fill creates exactly one notification, readable money, no email unless chosen', async () => {
    const o = await place(alice, { side: 'buy', type: 'market', amount: '0.02' });
    await settled(o.id);
    const mine = await about(o.id);
    expect(mine).toEqual([{ type: 'order_filled', title: 'Order filled: bought 0.02 BTC', body: 'Bought 0.02 BTC at $97,026.00 for $1,940.52, fee $1.95.' }]);
    expect(await fillEmails()).toEqual([]);
    const listed = (await asUser(t, alice).inject({ method: 'GET', url: '/api/notifications' })).json().items;
    expect(listed.filter((n: { data: { orderId?: string } }) => n.data.orderId === o.id)).toHaveLength(1);
  });

  it('emails a fill when chosen, with the anti-phishing code, once', async () => {
    expect((await setPrefs([{ type: 'order_filled', inApp: true, email: true }])).statusCode).toBe(200);
    expect((await asUser(t, alice).inject({ method: 'PUT', url: '/api/security/anti-phishing', payload: { code: 'otter42' } })).statusCode).toBe(200);
    const o = await place(alice, { side: 'buy', type: 'market', amount: '0.01' });
    await settled(o.id);
    // The email is handed to the mailer after the notification's commit: wait for it, then make sure it is the only one.
    await waitFor(async () => (await fillEmails()).length >= 1);
    await t.platform.mailer.idle();
    const mails = await fillEmails();
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toContain('Order filled: bought 0.01 BTC');
    expect(mails[0]!.text).toContain('otter42');
    expect(mails[0]!.html).toContain('otter42');
    expect(await about(o.id)).toHaveLength(1);
  });

  it('a stop-loss that fires is a trigger notification (and email when chosen)', async () => {
    expect((await setPrefs([{ type: 'order_triggered', inApp: true, email: true }])).statusCode).toBe(200);
    const before = (await fillEmails()).length;
    const o = await place(alice, { side: 'sell', type: 'stop_loss', amount: '0.01', triggerPrice: '90000' });
    await setPrice('89000');
    // Generous bounds: the Node 26 CI pass, with other files running beside, once took more than 10 s to the email.
    await waitFor(async () => (await about(o.id)).length === 1, 30_000);
    const [n] = await about(o.id);
    expect(n).toMatchObject({ type: 'order_triggered', title: 'Stop-loss triggered: sold 0.01 BTC' });
    expect(n!.body).toContain('at $90,000.00 triggered');
    await waitFor(async () => (await fillEmails()).length >= before + 1, 30_000);
    await t.platform.mailer.idle();
    expect(await fillEmails()).toHaveLength(before + 1);
    await setPrice('97026');
  }, 75_000);

  it('cancellations are stored unless switched off; a switched-off type stores nothing', async () => {
    const a = await place(alice, { side: 'buy', type: 'limit', amount: '0.01', price: '50000' });
    expect((await asUser(t, alice).inject({ method: 'DELETE', url: `/api/orders/${a.id}` })).statusCode).toBe(200);
    await settled(a.id);
    expect((await about(a.id)).map((n) => n.title)).toEqual(['Order canceled']);
    expect((await about(a.id))[0]!.body).toBe('Your limit buy of 0.01 BTC at $50,000.00 was canceled; the funds it held are available again.');

    expect((await setPrefs([{ type: 'order_canceled', inApp: false, email: false }])).statusCode).toBe(200);
    const b = await place(alice, { side: 'buy', type: 'limit', amount: '0.01', price: '50000' });
    expect((await asUser(t, alice).inject({ method: 'DELETE', url: `/api/orders/${b.id}` })).statusCode).toBe(200);
    await settled(b.id);
    expect(await about(b.id)).toEqual([]);
  });

  it('an event recorded before a restart is notified once at the next pass, and a second pass adds nothing', async () => {
    const o = await place(alice, { side: 'buy', type: 'limit', amount: '0.01', price: '40000' });
    await settled(o.id);
    // As if the process stopped right after the commit: the change is in the database, no event was emitted.
    await t.platform.database.db.execute(sql`update orders set status = 'expired', held = 0 where id = ${o.id}`);
    expect(await about(o.id)).toEqual([]);
    // This pass, or the app's own sweep if it got there first (SKIP LOCKED: then this pass finds nothing to do).
    await processOrderEvents(t.platform);
    await vi.waitFor(async () => expect((await about(o.id)).map((n) => n.type)).toEqual(['order_expired']), { timeout: 5000 });
    // As if it stopped after the notification was written but before the event was marked: processed again, not doubled.
    await t.platform.database.db.execute(sql`update order_events set processed_at = null where order_id = ${o.id}`);
    await processOrderEvents(t.platform);
    await processOrderEvents(t.platform);
    expect((await about(o.id)).map((n) => n.type)).toEqual(['order_expired']);
  });

  it(`prunes processed events older than ${ORDER_EVENTS_KEPT_DAYS} days, never an unprocessed one`, async () => {
    const o = await place(alice, { side: 'buy', type: 'limit', amount: '0.01', price: '41000' });
    await settled(o.id);
    expect((await asUser(t, alice).inject({ method: 'DELETE', url: `/api/orders/${o.id}` })).statusCode).toBe(200);
    await settled(o.id);
    const events = () =>
      rows<{ id: string; processed: boolean }>(
        t.platform.database.db,
        sql`select id::text, processed_at is not null as processed from order_events where order_id = ${o.id} order by id`,
      );
    const [canceled] = await events();
    expect(canceled).toMatchObject({ processed: true });
    // One processed and one unprocessed event of this order, both written long ago.
    await t.platform.database.db.execute(sql`update order_events set created_at = now() - interval '40 days' where order_id = ${o.id}`);
    await t.platform.database.db.execute(sql`
      insert into order_events (order_id, user_id, event, snapshot, created_at)
      select order_id, user_id, 'expired', snapshot, now() - interval '40 days' from order_events where order_id = ${o.id}`);
    // Only the old processed one goes; whatever else the shared database holds, a young event is never touched.
    expect(await pruneOrderEvents(t.platform)).toBeGreaterThanOrEqual(1);
    expect((await events()).map((e) => e.processed)).toEqual([false]);
    await t.platform.database.db.execute(sql`delete from order_events where order_id = ${o.id}`);
  });

  it('preferences: every type with defaults, changes kept, bad input a 400', async () => {
    const bob = await signUpVerified(t);
    const got = (await asUser(t, bob).inject({ method: 'GET', url: '/api/notifications/preferences' })).json();
    expect(got.items.map((i: { type: string }) => i.type)).toEqual(['order_filled', 'order_triggered', 'order_canceled', 'order_expired', 'order_rejected']);
    expect(got.items.every((i: { inApp: boolean; email: boolean; label: string }) => i.inApp && !i.email && i.label)).toBe(true);
    const put = await asUser(t, bob).inject({
      method: 'PUT',
      url: '/api/notifications/preferences',
      payload: { items: [{ type: 'order_expired', inApp: false, email: true }] },
    });
    expect(put.json().items.find((i: { type: string }) => i.type === 'order_expired')).toMatchObject({ inApp: false, email: true });
    // Bob's choice is not Alice's.
    const hers = (await asUser(t, alice).inject({ method: 'GET', url: '/api/notifications/preferences' })).json();
    expect(hers.items.find((i: { type: string }) => i.type === 'order_expired')).toMatchObject({ inApp: true, email: false });
    for (const payload of [
      { items: [{ type: 'coffee', inApp: true, email: true }] },
      { items: [] },
      { items: [{ type: 'order_filled', inApp: 'yes', email: true }] },
      {},
    ]) {
      const res = await asUser(t, bob).inject({ method: 'PUT', url: '/api/notifications/preferences', payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json()).toMatchObject({ error: { code: 'VALIDATION_ERROR' } });
    }
  });

  it('words each event, and tells a stop-limit trigger and its later fill from a stop that fills on its trigger', () => {
    const s = {
      id: 'o',
      symbol: 'BTC/USD',
      base: 'BTC',
      quote: 'USD',
      side: 'sell' as const,
      amount: '0.01',
      filled: '0.01',
      average: '89500',
      cost: '895',
      fee_cost: '0.895',
    };
    const stopLimit = { ...s, type: 'stop_limit', price: '89500', trigger_price: '90000', triggered_at: '2026-12-04T08:00:00Z' };
    expect(preferenceType({ event: 'triggered' }, stopLimit)).toBe('order_triggered');
    expect(describe_({ event: 'triggered' }, stopLimit)).toEqual({
      title: 'Stop-limit triggered',
      body: 'Your stop-limit sell of 0.01 BTC triggered at $90,000.00; it now waits as a limit order at $89,500.00.',
    });
    expect(preferenceType({ event: 'filled' }, stopLimit)).toBe('order_filled');
    expect(preferenceType({ event: 'filled' }, { ...s, type: 'trailing_stop', trigger_price: '90000' })).toBe('order_triggered');
    expect(preferenceType({ event: 'expired' }, { ...s, type: 'limit', price: '95000' })).toBe('order_expired');
    expect(describe_({ event: 'rejected' }, { ...s, type: 'stop_loss', trigger_price: '90000', reject_reason: 'INSUFFICIENT_FUNDS' }).body).toBe(
      'Your stop-loss sell of 0.01 BTC was rejected (insufficient funds when it triggered).',
    );
  });

  it('writes money by currency', () => {
    expect(money('1942.46052', 'USD')).toBe('$1,942.46');
    expect(money('0.00001031', 'USD')).toBe('$0.00001031');
    expect(money('1234.5', 'BTC')).toBe('1,234.5 BTC');
    expect(money('0.02', 'BTC')).toBe('0.02 BTC');
  });
});
