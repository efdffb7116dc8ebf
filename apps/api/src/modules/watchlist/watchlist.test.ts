import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, signUpVerified, type TestSession } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';

// Fixed secrets so a second app on the same database (a restart) accepts the first one's sessions.
const env = {
  JWT_SECRET: 'watchlist-test-jwt-secret-0123456789abcdef',
  CSRF_SECRET: 'watchlist-test-csrf-secret-0123456789abcdef',
  DATA_ENCRYPTION_KEY: 'watchlist-test-data-key-0123456789abcdef',
};

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp(env);
});
afterAll(async () => {
  await t.close();
});

const list = async (u: TestSession): Promise<string[]> => {
  const res = await asUser(t, u).inject({ method: 'GET', url: '/api/watchlist' });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items.map((i: { assetId: string }) => i.assetId);
};
const star = (u: TestSession, asset: string) => asUser(t, u).inject({ method: 'PUT', url: `/api/watchlist/${asset}` });
const unstar = (u: TestSession, asset: string) => asUser(t, u).inject({ method: 'DELETE', url: `/api/watchlist/${asset}` });

describe('watchlist', () => {
  it('adds and removes idempotently, by id or symbol', async () => {
    const u = await signUpVerified(t);
    expect(await list(u)).toEqual([]);
    const first = await star(u, 'bitcoin');
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ assetId: 'bitcoin', symbol: 'BTC' });
    const again = await star(u, 'btc');
    expect(again.statusCode).toBe(200);
    expect(again.json().addedAt).toBe(first.json().addedAt);
    expect((await star(u, 'DOGE')).json()).toMatchObject({ assetId: 'dogecoin', symbol: 'DOGE' });
    expect(await list(u)).toEqual(['bitcoin', 'dogecoin']);
    expect((await unstar(u, 'BTC')).statusCode).toBe(204);
    expect((await unstar(u, 'bitcoin')).statusCode).toBe(204);
    expect(await list(u)).toEqual(['dogecoin']);
  });

  it('refuses an unknown asset with a 404 in the error shape, and anonymous callers with a 401', async () => {
    const u = await signUpVerified(t);
    const res = await star(u, 'nocoin');
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatchObject({ code: 'NOT_FOUND' });
    expect(res.json().error.message).toContain('nocoin');
    expect((await unstar(u, 'nocoin')).statusCode).toBe(404);
    expect(await list(u)).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: '/api/watchlist' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'PUT', url: '/api/watchlist/bitcoin' })).statusCode).toBe(401);
  });

  it("keeps each user's list to themselves", async () => {
    const a = await signUpVerified(t);
    const b = await signUpVerified(t);
    await star(a, 'ethereum');
    expect(await list(b)).toEqual([]);
    // b removing the same asset touches only b's (empty) list.
    expect((await unstar(b, 'ethereum')).statusCode).toBe(204);
    expect(await list(a)).toEqual(['ethereum']);
  });

  it('survives a restart on the same database', async () => {
    const u = await signUpVerified(t);
    await star(u, 'chainlink');
    await star(u, 'solana');
    await t.close();
    t = await createTestApp(env);
    expect(await list(u)).toEqual(['chainlink', 'solana']);
  });
});
