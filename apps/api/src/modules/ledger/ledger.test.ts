import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { insertUser } from '../../../test/users.ts';
import { getBalances } from './balances.ts';
import { rows } from './ledger.repo.ts';
import { credit, hold, post, release, settleWithdrawal, transfer, UnbalancedEntryError } from './ledger.service.ts';
import { D } from './money.ts';
import { reconcile } from './reconciliation.ts';

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const db = () => t.platform.database.db;
async function balance(userId: string, asset: string) {
  const r = await getBalances(db(), t.platform.prices, userId);
  return r.items.find((i) => i.asset === asset) ?? { available: '0', locked: '0' };
}

describe('ledger', () => {
  it('credits, holds, releases and transfers with balanced entries', async () => {
    const a = await insertUser(t.platform.database);
    const b = await insertUser(t.platform.database);
    await db().transaction((tx) => credit(tx, { userId: a.id, asset: 'USD', amount: '100.5', reference: 'test:1' }));
    await db().transaction((tx) => hold(tx, { userId: a.id, asset: 'USD', amount: '40', reference: 'test:2' }));
    expect(await balance(a.id, 'USD')).toMatchObject({ available: '60.5', locked: '40' });
    await db().transaction((tx) => release(tx, { userId: a.id, asset: 'USD', amount: '15', reference: 'test:3' }));
    await db().transaction((tx) => transfer(tx, { fromUserId: a.id, toUserId: b.id, asset: 'USD', amount: '0.5', reference: 'test:4' }));
    expect(await balance(a.id, 'USD')).toMatchObject({ available: '75', locked: '25' });
    expect(await balance(b.id, 'USD')).toMatchObject({ available: '0.5', locked: '0' });
    await db().transaction((tx) => settleWithdrawal(tx, { userId: a.id, asset: 'USD', amount: '20', fee: '5', reference: 'test:5' }));
    expect(await balance(a.id, 'USD')).toMatchObject({ available: '75', locked: '0' });
    expect((await reconcile(db())).ok).toBe(true);
  });

  it('refuses unbalanced entries before they reach the database', async () => {
    const a = await insertUser(t.platform.database);
    const entry = {
      type: 'adjustment' as const,
      postings: [
        { account: { kind: 'user' as const, userId: a.id, asset: 'USD' }, bucket: 'available' as const, amount: new D('1'), leg: 'adjustment' as const },
        { account: { kind: 'custody' as const, asset: 'USD' }, bucket: 'available' as const, amount: new D('-0.99'), leg: 'adjustment' as const },
      ],
    };
    await expect(post(db(), entry)).rejects.toBeInstanceOf(UnbalancedEntryError);
    expect(await balance(a.id, 'USD')).toMatchObject({ available: '0' });
  });

  it('never lets a balance go negative: the database CHECK refuses, whatever the caller read', async () => {
    const a = await insertUser(t.platform.database);
    await db().transaction((tx) => credit(tx, { userId: a.id, asset: 'BTC', amount: '1', reference: 'test:n' }));
    await expect(db().transaction((tx) => hold(tx, { userId: a.id, asset: 'BTC', amount: '1.00000001', reference: 'x' }))).rejects.toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
    });
    await expect(db().transaction((tx) => release(tx, { userId: a.id, asset: 'BTC', amount: '0.1', reference: 'x' }))).rejects.toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
    });
    // Even a direct UPDATE cannot do it.
    await expect(db().execute(sql`update ledger_accounts set available = -1 where user_id = ${a.id}`)).rejects.toThrow();
    expect(await balance(a.id, 'BTC')).toMatchObject({ available: '1', locked: '0' });
  });

  it('keeps the journal append-only', async () => {
    const cause = { cause: expect.objectContaining({ message: expect.stringMatching(/append-only/) }) };
    await expect(db().execute(sql`update journal_postings set amount = 1`)).rejects.toMatchObject(cause);
    await expect(db().execute(sql`delete from journal_entries`)).rejects.toMatchObject(cause);
  });

  it('reconciliation finds a balance changed behind the ledger’s back', async () => {
    const a = await insertUser(t.platform.database);
    await db().transaction((tx) => credit(tx, { userId: a.id, asset: 'DOGE', amount: '10', reference: 'test:r' }));
    expect((await reconcile(db())).ok).toBe(true);
    await db().transaction(async (tx) => {
      await tx.execute(sql`update ledger_accounts set available = available + 1 where user_id = ${a.id} and asset = 'DOGE'`);
      const r = await reconcile(tx);
      expect(r.ok).toBe(false);
      expect(r.items.find((i) => i.asset === 'DOGE')).toMatchObject({ drift: '1', mismatchedAccounts: 1 });
      tx.rollback();
    }).catch((err: Error) => expect(err.message).toMatch(/rollback/i));
    expect((await reconcile(db())).ok).toBe(true);
  });

  it('property: any sequence of credits, holds, releases and transfers stays balanced and non-negative', async () => {
    const users = [await insertUser(t.platform.database), await insertUser(t.platform.database), await insertUser(t.platform.database)];
    const amount = fc.integer({ min: 1, max: 10_000_000 }).map((n) => new D(n).div(1000).toFixed());
    const op = fc.oneof(
      fc.record({ k: fc.constant('credit' as const), u: fc.nat(2), asset: fc.constantFrom('USD', 'ETH'), amount }),
      fc.record({ k: fc.constant('hold' as const), u: fc.nat(2), asset: fc.constantFrom('USD', 'ETH'), amount }),
      fc.record({ k: fc.constant('release' as const), u: fc.nat(2), asset: fc.constantFrom('USD', 'ETH'), amount }),
      fc.record({ k: fc.constant('transfer' as const), u: fc.nat(2), to: fc.nat(2), asset: fc.constantFrom('USD', 'ETH'), amount }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
        for (const o of ops) {
          const userId = users[o.u]!.id;
          const ref = { reference: 'prop', asset: o.asset, amount: o.amount };
          await db()
            .transaction(async (tx) => {
              if (o.k === 'credit') await credit(tx, { ...ref, userId });
              if (o.k === 'hold') await hold(tx, { ...ref, userId });
              if (o.k === 'release') await release(tx, { ...ref, userId });
              if (o.k === 'transfer' && o.to !== o.u) await transfer(tx, { ...ref, fromUserId: userId, toUserId: users[o.to]!.id });
            })
            .catch((err: { code?: string }) => {
              if (err.code !== 'INSUFFICIENT_FUNDS') throw err;
            });
        }
        const r = await reconcile(db());
        expect(r.ok).toBe(true);
        const negative = await rows<{ n: number }>(db(), sql`select count(*)::int as n from ledger_accounts where kind = 'user' and (available < 0 or locked < 0)`);
        expect(negative[0]!.n).toBe(0);
      }),
      { numRuns: 15 },
    );
  });
});
