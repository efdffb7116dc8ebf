import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../test/helpers.ts';
import { TestPrices } from '../test/prices.ts';

describe('the composition root (compose.ts)', () => {
  let t: TestContext;
  const prices = new TestPrices();
  beforeAll(async () => {
    t = await createTestApp({}, { prices });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is frozen, and so is each module part: nothing is added or replaced after start-up', () => {
    expect(Object.isFrozen(t.root)).toBe(true);
    for (const part of [t.root.auth, t.root.markets, t.root.trading, t.root.payments]) expect(Object.isFrozen(part)).toBe(true);
    expect(() => {
      (t.root as { auth: unknown }).auth = null;
    }).toThrow(TypeError);
  });

  it('the platform holds infrastructure only: services live in the root, built once', () => {
    for (const name of ['authenticator', 'priceHealth', 'tradingEngine']) expect(name in t.platform).toBe(false);
    expect(t.root.payments.platform).toBe(t.platform);
    expect(t.root.auth.deps.platform).toBe(t.platform);
  });

  it('the prices every module reads are the ones given to the root', async () => {
    expect(t.platform.prices).toBe(prices);
    prices.tick({ bitcoin: '50000' });
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    expect(res.json().checks.prices).toBeDefined();
  });
});
