import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownDatabaseForFile, type TestContext } from '../../../test/helpers.ts';
import { reconcile } from '../ledger/index.ts';
import { createTradingApp, tradingFixture } from './trading.fixtures.ts';

// Background work of other files' apps (engine resync, order-event passes, alert ticks) stays off this file's rows.
ownDatabaseForFile('cv_advorders');

let t: TestContext;
let f: Awaited<ReturnType<typeof tradingFixture>>;
beforeAll(async () => {
  const app = await createTradingApp();
  t = app.t;
  f = await tradingFixture(app);
});
afterAll(async () => {
  expect((await reconcile(t.platform.database.db)).ok).toBe(true);
  await t.close();
});

const engine = () => t.root.trading.engine;
const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

describe('stop-limit', () => {
  it('a sell triggers at its stop, then rests as a limit until its limit price is reached', async () => {
    const u = await f.user({ BTC: '1' });
    const o = await f.place(u, { type: 'stop_limit', side: 'sell', amount: '0.1', triggerPrice: '48000', price: '47900' });
    expect(o).toMatchObject({ status: 'open', type: 'stop_limit', triggerPrice: '48000', price: '47900' });
    expect(await f.balance(u, 'BTC')).toEqual({ available: '0.9', locked: '0.1' });
    await f.tick({ bitcoin: '48500' });
    expect((await f.orders.get(u, o.id)).status).toBe('open');
    // Triggered, but 47000 is below the limit: it rests as a sell limit at 47900.
    await f.tick({ bitcoin: '47000' });
    expect((await f.orders.get(u, o.id)).status).toBe('open');
    expect(engine().book.has(o.id)).toBe(true);
    // Back above 48000 (no re-trigger needed) and at or above the limit: fills at the market price.
    await f.tick({ bitcoin: '47950' });
    expect(await f.orders.get(u, o.id)).toMatchObject({ status: 'closed', average: '47950', cost: '4795' });
    expect(await f.balance(u, 'BTC')).toEqual({ available: '0.9', locked: '0' });
    await f.tick({ bitcoin: '50000' });
  });

  it('a buy whose limit is reachable when its stop fires fills at once; it holds cost + fee at its limit', async () => {
    const u = await f.user({ USD: '1000' });
    const o = await f.place(u, { type: 'stop_limit', amount: '0.01', triggerPrice: '52000', price: '52500' });
    expect(await f.balance(u, 'USD')).toEqual({ available: '474.47', locked: '525.53' });
    await f.tick({ bitcoin: '52100' });
    expect(await f.orders.get(u, o.id)).toMatchObject({ status: 'closed', average: '52100', cost: '521', fee: { cost: '0.53' } });
    expect(await f.balance(u, 'USD')).toEqual({ available: '478.47', locked: '0' });
    await f.tick({ bitcoin: '50000' });
  });
});

describe('trailing stop', () => {
  it('a sell trails the highest price by a percentage, survives an engine restart, and fills when the price falls back', async () => {
    const u = await f.user({ BTC: '1' });
    const o = await f.place(u, { type: 'trailing_stop', side: 'sell', amount: '0.1', trailPercent: '10' });
    expect(o).toMatchObject({ status: 'open', triggerPrice: '45000', trailPercent: '10', trailAmount: null });
    expect(await f.balance(u, 'BTC')).toEqual({ available: '0.9', locked: '0.1' });
    await f.tick({ bitcoin: '60000' });
    // The level follows the best price, and is stored.
    expect((await f.orders.get(u, o.id)).triggerPrice).toBe('54000');
    await f.tick({ bitcoin: '58000' });
    expect((await f.orders.get(u, o.id)).triggerPrice).toBe('54000');
    await engine().stop();
    await engine().start();
    await f.tick({ bitcoin: '54100' });
    expect((await f.orders.get(u, o.id)).status).toBe('open');
    await f.tick({ bitcoin: '53900' });
    expect(await f.orders.get(u, o.id)).toMatchObject({ status: 'closed', average: '53900' });
    expect(await f.balance(u, 'BTC')).toEqual({ available: '0.9', locked: '0' });
    await f.tick({ bitcoin: '50000' });
  });

  it('a buy trails the lowest price by an amount and fills when the price rises that far', async () => {
    const u = await f.user({ USD: '1000' });
    const o = await f.place(u, { type: 'trailing_stop', amount: '0.01', trailAmount: '1000' });
    expect(o.triggerPrice).toBe('51000');
    await f.tick({ bitcoin: '45000' });
    expect((await f.orders.get(u, o.id)).triggerPrice).toBe('46000');
    await f.tick({ bitcoin: '45900' });
    expect((await f.orders.get(u, o.id)).status).toBe('open');
    await f.tick({ bitcoin: '46000' });
    expect(await f.orders.get(u, o.id)).toMatchObject({ status: 'closed', average: '46000' });
    expect((await f.balance(u, 'USD')).locked).toBe('0');
    await f.tick({ bitcoin: '50000' });
  });

  it('refuses a trail as large as the price', async () => {
    const u = await f.user({ BTC: '1' });
    await expect(f.place(u, { type: 'trailing_stop', side: 'sell', amount: '0.1', trailAmount: '50000' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(await f.balance(u, 'BTC')).toEqual({ available: '1', locked: '0' });
  });
});

describe('OCO', () => {
  it('holds once for the pair; when the stop-loss fills the take-profit is canceled and everything held is released', async () => {
    const u = await f.user({ ETH: '1' });
    const tp = await f.place(u, { symbol: 'ETH/USD', type: 'oco', side: 'sell', amount: '1', takeProfitPrice: '2500', stopLossPrice: '1800' });
    expect(tp).toMatchObject({ type: 'take_profit', status: 'open', triggerPrice: '2500' });
    const sl = await f.orders.get(u, tp.linkedOrderId!);
    expect(sl).toMatchObject({ type: 'stop_loss', status: 'open', triggerPrice: '1800', linkedOrderId: tp.id });
    expect(await f.balance(u, 'ETH')).toEqual({ available: '0', locked: '1' });
    await f.tick({ ethereum: '1790' });
    expect(await f.orders.get(u, sl.id)).toMatchObject({ status: 'closed', average: '1790', cost: '1790' });
    expect((await f.orders.get(u, tp.id)).status).toBe('canceled');
    expect(engine().book.has(tp.id)).toBe(false);
    expect(await f.balance(u, 'ETH')).toEqual({ available: '0', locked: '0' });
    expect(await f.balance(u, 'USD')).toEqual({ available: '1788.21', locked: '0' });
    await f.tick({ ethereum: '2600' });
    expect((await f.orders.get(u, tp.id)).status).toBe('canceled');
    await f.tick({ ethereum: '2000' });
  });

  it('a buy pair holds cost + fee at its higher price once; canceling either leg cancels both and releases it', async () => {
    const u = await f.user({ USD: '1000' });
    const tp = await f.place(u, { type: 'oco', amount: '0.01', takeProfitPrice: '45000', stopLossPrice: '55000' });
    expect(await f.balance(u, 'USD')).toEqual({ available: '449.45', locked: '550.55' });
    const c = await f.orders.cancel(u, tp.linkedOrderId!);
    expect(c.status).toBe('canceled');
    expect((await f.orders.get(u, tp.id)).status).toBe('canceled');
    expect(await f.balance(u, 'USD')).toEqual({ available: '1000', locked: '0' });
    await f.tick({ bitcoin: '44000' });
    expect((await f.orders.get(u, tp.id)).status).toBe('canceled');
    await f.tick({ bitcoin: '50000' });
  });

  it('a take-profit fill cancels the stop-loss in the same transaction', async () => {
    const u = await f.user({ BTC: '0.1' });
    const tp = await f.place(u, { type: 'oco', side: 'sell', amount: '0.1', takeProfitPrice: '52000', stopLossPrice: '48000' });
    await f.tick({ bitcoin: '52000' });
    expect((await f.orders.get(u, tp.id)).status).toBe('closed');
    expect((await f.orders.get(u, tp.linkedOrderId!)).status).toBe('canceled');
    expect(await f.balance(u, 'BTC')).toEqual({ available: '0', locked: '0' });
    await f.tick({ bitcoin: '50000' });
  });

  it('a cancel of one leg racing the fill of the other: one wins, the pair ends closed together, the hold released once', async () => {
    const u = await f.user({ BTC: '0.1' });
    const tp = await f.place(u, { type: 'oco', side: 'sell', amount: '0.1', takeProfitPrice: '51000', stopLossPrice: '45000' });
    await Promise.allSettled([f.orders.cancel(u, tp.linkedOrderId!), f.tick({ bitcoin: '51000' })]);
    await engine().idle();
    const [a, b] = [await f.orders.get(u, tp.id), await f.orders.get(u, tp.linkedOrderId!)];
    expect(b.status).toBe('canceled');
    expect(['closed', 'canceled']).toContain(a.status);
    expect(await f.balance(u, 'BTC')).toEqual({ available: a.status === 'closed' ? '0' : '0.1', locked: '0' });
    await f.tick({ bitcoin: '50000' });
  });

  it('refuses a pair with a leg the market has already passed', async () => {
    const u = await f.user({ BTC: '1' });
    await expect(f.place(u, { type: 'oco', side: 'sell', amount: '0.1', takeProfitPrice: '49000', stopLossPrice: '45000' })).rejects.toMatchObject({
      code: 'TRIGGER_WOULD_FIRE_NOW',
    });
    expect(await f.balance(u, 'BTC')).toEqual({ available: '1', locked: '0' });
  });
});

describe('good-till-date', () => {
  it('expires at its time and releases its hold; a past time is refused', async () => {
    const u = await f.user({ USD: '1000' });
    await expect(
      f.place(u, { type: 'limit', amount: '0.01', price: '49000', timeInForce: 'GTD', expiresAt: new Date(Date.now() - 1000).toISOString() }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
    });
    const expiresAt = inAnHour();
    const o = await f.place(u, { type: 'limit', amount: '0.01', price: '49000', timeInForce: 'GTD', expiresAt });
    expect(o).toMatchObject({ status: 'open', timeInForce: 'GTD', expiresAt });
    expect((await f.balance(u, 'USD')).locked).toBe('490.49');
    expect(await engine().expireDue(new Date(Date.now() + 60_000))).toBe(0);
    expect(await engine().expireDue(new Date(Date.parse(expiresAt) + 1))).toBeGreaterThanOrEqual(1);
    expect((await f.orders.get(u, o.id)).status).toBe('expired');
    expect(await f.balance(u, 'USD')).toEqual({ available: '1000', locked: '0' });
    expect(engine().book.has(o.id)).toBe(false);
  });

  it('an order whose time passed while no engine ran expires when the next one starts; an OCO pair expires together', async () => {
    const u = await f.user({ BTC: '1' });
    const tp = await f.place(u, {
      type: 'oco',
      side: 'sell',
      amount: '0.2',
      takeProfitPrice: '60000',
      stopLossPrice: '40000',
      timeInForce: 'GTD',
      expiresAt: inAnHour(),
    });
    await engine().stop();
    // The hour passes while the engine is down.
    await t.platform.database.db.execute(sql`update orders set expires_at = now() - interval '1 second' where id in (${tp.id}, ${tp.linkedOrderId})`);
    await engine().start();
    await engine().expireDue();
    expect((await f.orders.get(u, tp.id)).status).toBe('expired');
    expect((await f.orders.get(u, tp.linkedOrderId!)).status).toBe('expired');
    expect(await f.balance(u, 'BTC')).toEqual({ available: '1', locked: '0' });
  });
});

describe('triggers on the wrong side of the market', () => {
  it('are refused with TRIGGER_WOULD_FIRE_NOW unless confirmed, then fill at once', async () => {
    const u = await f.user({ BTC: '1', USD: '1000' });
    const refused = f.place(u, { type: 'stop_loss', side: 'sell', amount: '0.01', triggerPrice: '51000' });
    await expect(refused).rejects.toMatchObject({ code: 'TRIGGER_WOULD_FIRE_NOW' });
    await expect(refused).rejects.toThrow(/stop-loss sell triggers when the price falls to \$51,000\.00; BTC is at \$50,000\.00 now/);
    await expect(f.place(u, { type: 'take_profit', side: 'sell', amount: '0.01', triggerPrice: '49000' })).rejects.toMatchObject({
      code: 'TRIGGER_WOULD_FIRE_NOW',
    });
    await expect(f.place(u, { type: 'stop_limit', side: 'buy', amount: '0.01', triggerPrice: '49000', price: '50100' })).rejects.toMatchObject({
      code: 'TRIGGER_WOULD_FIRE_NOW',
    });
    expect(await f.balance(u, 'BTC')).toEqual({ available: '1', locked: '0' });
    expect(await f.balance(u, 'USD')).toEqual({ available: '1000', locked: '0' });
    const confirmed = await f.place(u, { type: 'stop_loss', side: 'sell', amount: '0.01', triggerPrice: '51000', confirmImmediate: true });
    expect(confirmed).toMatchObject({ status: 'closed', average: '50000' });
    // A confirmed stop-limit whose limit is out of reach rests as a triggered limit.
    const sl = await f.place(u, { type: 'stop_limit', side: 'buy', amount: '0.01', triggerPrice: '49000', price: '49500', confirmImmediate: true });
    expect(sl.status).toBe('open');
    expect(Date.parse(sl.triggeredAt ?? '')).toBeGreaterThan(0);
    // Triggered, it is a resting limit: its trigger cannot be amended (the web hides that field).
    await expect(f.orders.amend(u, sl.id, { triggerPrice: '48000' })).rejects.toThrow(/already triggered and rests as a limit order/);
    await f.tick({ bitcoin: '49400' });
    expect(await f.orders.get(u, sl.id)).toMatchObject({ status: 'closed', average: '49400' });
    await f.tick({ bitcoin: '50000' });
  });
});

describe('amend (cancel-and-replace)', () => {
  it('replaces the order and adjusts the hold by the difference; the replacement fills at its new price', async () => {
    const u = await f.user({ USD: '1000' });
    const o = await f.place(u, { type: 'limit', amount: '0.01', price: '49000' });
    expect((await f.balance(u, 'USD')).locked).toBe('490.49');
    const a = await f.orders.amend(u, o.id, { price: '48000' });
    expect(a).toMatchObject({ status: 'open', price: '48000', amount: '0.01', replacesOrderId: o.id });
    expect((await f.orders.get(u, o.id)).status).toBe('canceled');
    expect(await f.balance(u, 'USD')).toEqual({ available: '519.52', locked: '480.48' });
    const b = await f.orders.amend(u, a.id, { amount: '0.02' });
    expect(await f.balance(u, 'USD')).toEqual({ available: '39.04', locked: '960.96' });
    await f.tick({ bitcoin: '48500' });
    expect((await f.orders.get(u, a.id)).status).toBe('canceled');
    expect((await f.orders.get(u, b.id)).status).toBe('open');
    await f.tick({ bitcoin: '48000' });
    expect(await f.orders.get(u, b.id)).toMatchObject({ status: 'closed', filled: '0.02', average: '48000' });
    await f.tick({ bitcoin: '50000' });
  });

  it('a failing amend leaves the original exactly as it was; another user’s order is 404', async () => {
    const u = await f.user({ USD: '600' });
    const o = await f.place(u, { type: 'limit', amount: '0.01', price: '49000' });
    const before = await f.balance(u, 'USD');
    await expect(f.orders.amend(u, o.id, { amount: '0.02' })).rejects.toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
      message: 'Insufficient funds: the changed order needs $490.49 (more than it holds now, fee included) and $109.51 is available',
    });
    await expect(f.orders.amend(u, o.id, { price: '51000' })).rejects.toMatchObject({ code: 'TRIGGER_WOULD_FIRE_NOW' });
    await expect(f.orders.amend(u, o.id, { triggerPrice: '48000' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    const other = await f.user({ USD: '1000' });
    await expect(f.orders.amend(other, o.id, { price: '48000' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await f.orders.get(u, o.id)).toEqual(o);
    expect(await f.balance(u, 'USD')).toEqual(before);
    expect(engine().book.has(o.id)).toBe(true);
    const open = await f.orders.list(u, { status: 'open', limit: 10 });
    expect(open.items.map((x) => x.id)).toEqual([o.id]);
    await f.orders.cancel(u, o.id);
    await expect(f.orders.amend(u, o.id, { price: '48000' })).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });
});
