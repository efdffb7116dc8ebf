import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, signUpVerified, type TestSession } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { credit } from '../ledger/index.ts';

// Issue 20: which refusal a person reads (funds before the daily limit), what the form may offer, and schema
// errors in words naming the field.
let t: TestContext;
const BTC_ADDR = 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq';

beforeAll(async () => {
  t = await createTestApp({ WITHDRAWAL_DAILY_LIMIT_USD: '40000', WITHDRAWAL_FEES: 'BTC:0.0005' });
  const res = await t.app.inject({ method: 'POST', url: '/api/dev/market/bitcoin', payload: { priceUsd: '90000', holdMs: 600_000 } });
  expect(res.statusCode, res.body).toBe(200);
});
afterAll(async () => {
  await t?.close();
});

async function holding(btc: string): Promise<TestSession> {
  const u = await signUpVerified(t);
  await credit(t.platform.database.db, { userId: u.user.id, asset: 'BTC', amount: btc, reference: `test-words:${u.user.id}` });
  return u;
}

const withdraw = (u: TestSession, payload: Record<string, unknown>) =>
  asUser(t, u).inject({ method: 'POST', url: '/api/wallet/withdrawals', payload: { asset: 'BTC', address: BTC_ADDR, ...payload } });

describe('withdrawal refusals', () => {
  it('says insufficient funds, not the daily limit, when the balance is what is short (5 BTC while holding 0.0155)', async () => {
    const u = await holding('0.0155');
    const res = await withdraw(u, { amount: '5' });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
      message: 'Insufficient funds: this withdrawal needs 5.0005 BTC (5 BTC plus a 0.0005 BTC network fee) and 0.0155 BTC is available',
      details: { asset: 'BTC', available: '0.0155', required: '5.0005' },
    });
  });

  it('says the daily limit, in dollars, when the funds are there and the limit refuses', async () => {
    const u = await holding('2');
    const res = await withdraw(u, { amount: '1' });
    expect(res.json().error).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      message: 'This withdrawal (about $90,000.00) would exceed your daily withdrawal limit of $40,000.00; $40,000.00 is left for the next 24 hours',
    });
  });

  it('refuses USD in words, and the list of withdrawable assets offers neither USD nor an asset without a fee', async () => {
    const u = await holding('0.01');
    const usd = await withdraw(u, { asset: 'USD', amount: '10' });
    expect(usd.statusCode).toBe(400);
    expect(usd.json().error.message).toBe('USD cannot be withdrawn: withdrawals send a crypto asset to an address');
    const list = await asUser(t, u).inject({ method: 'GET', url: '/api/wallet/withdrawal-assets' });
    expect(list.statusCode).toBe(200);
    const items = list.json().items as { asset: string; fee: string; networks: { id: string; name: string }[]; defaultNetwork: string }[];
    expect(items.map((i) => i.asset)).not.toContain('USD');
    expect(items.map((i) => i.asset)).not.toContain('DOGE');
    expect(items.find((i) => i.asset === 'BTC')).toMatchObject({ fee: '0.0005', defaultNetwork: 'bitcoin', networks: [{ id: 'bitcoin', name: 'Bitcoin' }] });
    expect(items.find((i) => i.asset === 'USDT')?.networks.map((n) => n.id)).toEqual(['erc20', 'solana']);
    expect((await t.app.inject({ method: 'GET', url: '/api/wallet/withdrawal-assets' })).statusCode).toBe(401);
  });
});

describe('schema errors in words', () => {
  it('names the field and says what it must be; details keep the path', async () => {
    const u = await holding('1');
    const amount = await withdraw(u, { amount: '1e3' });
    expect(amount.statusCode).toBe(400);
    expect(amount.json().error).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(amount.json().error.message).toMatch(/^Amount must be a number such as 12\.5/);
    expect(amount.json().error.details).toEqual([{ path: ['body', 'amount'], field: 'Amount', message: expect.stringMatching(/^must be a number/) }]);

    const short = await withdraw(u, { amount: '0.1', address: 'bc1short' });
    expect(short.json().error.message).toBe('Address must be at least 20 characters');

    const missing = await asUser(t, u).inject({ method: 'POST', url: '/api/wallet/deposits', payload: { payCurrency: 'btc', creditAs: 'gold' } });
    expect(missing.json().error.message).toBe('Amount is required; Credit as must be one of usd, coin');

    const query = await asUser(t, u).inject({ method: 'GET', url: '/api/wallet/withdrawals?limit=0' });
    expect(query.json().error.message).toBe('Limit (in the query string) must be at least 1');
    const param = await asUser(t, u).inject({ method: 'GET', url: '/api/wallet/deposits/nope' });
    expect(param.json().error.message).toMatch(/^ID \(in the address\) must be an ID such as/);
  });
});
