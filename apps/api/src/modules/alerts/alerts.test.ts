import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, signUpVerified, type TestSession } from '../../../test/auth-helpers.ts';
import { createTestApp, ownDatabaseForFile, type TestContext } from '../../../test/helpers.ts';
import { evaluateTick } from './alerts.service.ts';

// Background work of other files' apps (engine resync, order-event passes, alert ticks) stays off this file's rows.
ownDatabaseForFile('cv_alerts');

let t: TestContext;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

async function setPrice(assetId: string, priceUsd: string) {
  const res = await t.app.inject({ method: 'POST', url: `/api/dev/market/${assetId}`, payload: { priceUsd, holdMs: 600_000 } });
  expect(res.statusCode, res.body).toBe(200);
}

const create = (u: TestSession, payload: Record<string, unknown>) => asUser(t, u).inject({ method: 'POST', url: '/api/alerts', payload });

async function waitFor<T>(fn: () => Promise<T | undefined>, ms = 4000): Promise<T | undefined> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

async function alertNotes(u: TestSession): Promise<{ title: string; data: Record<string, unknown> }[]> {
  const res = await asUser(t, u).inject({ method: 'GET', url: '/api/notifications?limit=200' });
  return res.json().items.filter((n: { type: string }) => n.type === 'alert');
}

describe('price alerts', () => {
  it('CRUD, validation, and another user sees 404', async () => {
    const u = await signUpVerified(t);
    // Pinned below the target: the simulated market's BTC would cross it some day, and then the alert fires at once.
    await setPrice('bitcoin', '95000');
    const res = await create(u, { assetId: 'BTC', condition: 'above', targetPrice: '123456.78', channels: ['in_app', 'email'] });
    expect(res.statusCode, res.body).toBe(201);
    const a = res.json();
    expect(a).toMatchObject({ assetId: 'bitcoin', symbol: 'BTC', targetPrice: '123456.78', repeat: false, active: true, channels: ['in_app', 'email'] });
    for (const targetPrice of ['abc', '-5', '0', '1e5', 12]) {
      expect((await create(u, { assetId: 'bitcoin', condition: 'above', targetPrice })).statusCode, String(targetPrice)).toBe(400);
    }
    expect((await create(u, { assetId: 'nocoin', condition: 'above', targetPrice: '1' })).statusCode).toBe(400);
    expect((await create(u, { assetId: 'bitcoin', condition: 'sideways', targetPrice: '1' })).statusCode).toBe(400);
    const patched = await asUser(t, u).inject({ method: 'PATCH', url: `/api/alerts/${a.id}`, payload: { targetPrice: '130000', active: false } });
    expect(patched.json()).toMatchObject({ targetPrice: '130000', active: false });
    const other = await signUpVerified(t);
    expect((await asUser(t, other).inject({ method: 'PATCH', url: `/api/alerts/${a.id}`, payload: { active: true } })).statusCode).toBe(404);
    expect((await asUser(t, other).inject({ method: 'DELETE', url: `/api/alerts/${a.id}` })).statusCode).toBe(404);
    expect((await asUser(t, u).inject({ method: 'DELETE', url: `/api/alerts/${a.id}` })).statusCode).toBe(204);
    expect((await asUser(t, u).inject({ method: 'GET', url: '/api/alerts' })).json().items).toEqual([]);
  });

  it('an alert the price already satisfies is refused with TRIGGER_WOULD_FIRE_NOW unless confirmed (issue 20)', async () => {
    const u = await signUpVerified(t);
    await setPrice('polkadot', '4495.134529');
    const refused = await create(u, { assetId: 'polkadot', condition: 'above', targetPrice: '100' });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error).toMatchObject({
      code: 'TRIGGER_WOULD_FIRE_NOW',
      message: 'DOT is already at $4,495.135, above your $100.00: this alert would fire at once. Confirm to create it anyway.',
    });
    expect((await create(u, { assetId: 'polkadot', condition: 'below', targetPrice: '5000' })).json().error.code).toBe('TRIGGER_WOULD_FIRE_NOW');
    expect((await asUser(t, u).inject({ method: 'GET', url: '/api/alerts' })).json().items).toEqual([]);
    // On the right side of the market, or confirmed, it is created.
    expect((await create(u, { assetId: 'polkadot', condition: 'above', targetPrice: '5000' })).statusCode).toBe(201);
    expect((await create(u, { assetId: 'polkadot', condition: 'above', targetPrice: '100', confirmImmediate: true })).statusCode).toBe(201);
  });

  it('turning an alert back on, or moving it, where the price already is: refused the same way unless confirmed', async () => {
    const u = await signUpVerified(t);
    await setPrice('polkadot', '4495.134529');
    const a = (await create(u, { assetId: 'polkadot', condition: 'above', targetPrice: '5000' })).json();
    const patch = (payload: Record<string, unknown>) => asUser(t, u).inject({ method: 'PATCH', url: `/api/alerts/${a.id}`, payload });
    const moved = await patch({ targetPrice: '100' });
    expect(moved.statusCode).toBe(422);
    expect(moved.json().error).toMatchObject({
      code: 'TRIGGER_WOULD_FIRE_NOW',
      message: 'DOT is already at $4,495.135, above your $100.00: this alert would fire at once. Confirm to move it anyway.',
    });
    // Turned off, it can be moved freely; turning it on again is the moment that needs the confirmation.
    expect((await patch({ active: false, targetPrice: '100' })).json()).toMatchObject({ active: false, targetPrice: '100' });
    const on = await patch({ active: true });
    expect(on.json().error).toMatchObject({ code: 'TRIGGER_WOULD_FIRE_NOW', message: expect.stringMatching(/Confirm to turn it on anyway\.$/) });
    expect((await asUser(t, u).inject({ method: 'GET', url: '/api/alerts' })).json().items[0]).toMatchObject({ active: false, targetPrice: '100' });
    expect((await patch({ active: true, confirmImmediate: true })).json()).toMatchObject({ active: true });
    // Confirmed, it may fire (and turn itself off) on the very next tick, so what follows uses an alert the price
    // does not satisfy. "On" again for an alert already on turns nothing on: nothing to confirm.
    const b = (await create(u, { assetId: 'polkadot', condition: 'above', targetPrice: '6000' })).json();
    const patchB = (payload: Record<string, unknown>) => asUser(t, u).inject({ method: 'PATCH', url: `/api/alerts/${b.id}`, payload });
    expect((await patchB({ active: true })).statusCode).toBe(200);
    // A change that does not touch the trigger (the channels) needs nothing, whether the alert is on or has fired.
    expect((await patchB({ channels: ['in_app', 'email'] })).statusCode).toBe(200);
    expect((await patch({ channels: ['in_app', 'email'] })).statusCode).toBe(200);
  });

  it('allows at most 50 active alerts', async () => {
    const u = await signUpVerified(t);
    for (let i = 0; i < 50; i++) {
      expect((await create(u, { assetId: 'ethereum', condition: 'above', targetPrice: String(900000 + i) })).statusCode).toBe(201);
    }
    const over = await create(u, { assetId: 'ethereum', condition: 'above', targetPrice: '1' });
    expect(over.statusCode).toBe(422);
    expect(over.json().error.code).toBe('LIMIT_EXCEEDED');
  });

  it('fires a one-shot alert once when the price crosses, in-app and by email', async () => {
    const u = await signUpVerified(t);
    await setPrice('solana', '100');
    const a = (await create(u, { assetId: 'solana', condition: 'above', targetPrice: '150', channels: ['in_app', 'email'] })).json();
    const b = (await create(u, { assetId: 'solana', condition: 'below', targetPrice: '50' })).json();
    await setPrice('solana', '140');
    await new Promise((r) => setTimeout(r, 300));
    expect(await alertNotes(u)).toEqual([]);
    await setPrice('solana', '155.5');
    const notes = await waitFor(async () => {
      const n = await alertNotes(u);
      return n.length > 0 ? n : undefined;
    });
    expect(notes?.[0]).toMatchObject({ title: 'SOL is above $150.00', data: { alertId: a.id, priceUsd: '155.5' } });
    await setPrice('solana', '160');
    await new Promise((r) => setTimeout(r, 300));
    expect(await alertNotes(u)).toHaveLength(1);
    const list = (await asUser(t, u).inject({ method: 'GET', url: '/api/alerts' })).json().items;
    expect(list.find((x: { id: string }) => x.id === a.id)).toMatchObject({ active: false, triggerCount: 1, lastTriggeredPrice: '155.5' });
    expect(list.find((x: { id: string }) => x.id === b.id)).toMatchObject({ active: true, triggerCount: 0 });
    const subjects = async () =>
      (await t.app.inject({ method: 'GET', url: `/api/dev/outbox?to=${encodeURIComponent(u.user.email)}` }))
        .json()
        .items.map((m: { subject: string }) => m.subject);
    expect(await waitFor(async () => ((await subjects()).includes('CryptoVault: SOL is above $150.00') ? true : undefined))).toBe(true);
  });

  it('a repeating alert stays active and sleeps for its cooldown', async () => {
    const u = await signUpVerified(t);
    await setPrice('litecoin', '80');
    const a = (await create(u, { assetId: 'litecoin', condition: 'below', targetPrice: '70', repeat: true, cooldownSeconds: 600 })).json();
    await setPrice('litecoin', '65');
    expect(await waitFor(async () => ((await alertNotes(u)).length > 0 ? true : undefined))).toBe(true);
    await setPrice('litecoin', '60');
    await new Promise((r) => setTimeout(r, 300));
    expect(await alertNotes(u)).toHaveLength(1);
    const after = (await asUser(t, u).inject({ method: 'GET', url: '/api/alerts' })).json().items[0];
    expect(after).toMatchObject({ id: a.id, active: true, triggerCount: 1 });
  });

  it('never fires on stale prices', async () => {
    const u = await signUpVerified(t);
    // A target the live simulated market never reaches, so only the stale tick below could fire it.
    const a = (await create(u, { assetId: 'cardano', condition: 'above', targetPrice: '1000000' })).json();
    const stale = { ...t.platform, prices: { ...t.platform.prices, isStale: () => true } };
    expect(await evaluateTick(stale, { ts: Date.now(), prices: { cardano: '2000000' } })).toBe(0);
    expect((await asUser(t, u).inject({ method: 'GET', url: '/api/alerts' })).json().items[0]).toMatchObject({ id: a.id, active: true });
  });
});
