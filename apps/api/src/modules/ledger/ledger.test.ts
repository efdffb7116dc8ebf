import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { insertUser } from '../../../test/users.ts';
import { getBalances } from './balances.ts';
import { rows } from '../../platform/db/sql.ts';
import { userHoldingsPage, userHoldingsPageQuery } from './ledger.repo.ts';
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
    await db()
      .transaction(async (tx) => {
        await tx.execute(sql`update ledger_accounts set available = available + 1 where user_id = ${a.id} and asset = 'DOGE'`);
        const r = await reconcile(tx);
        expect(r.ok).toBe(false);
        expect(r.items.find((i) => i.asset === 'DOGE')).toMatchObject({ drift: '1', mismatchedAccounts: 1 });
        tx.rollback();
      })
      .catch((err: Error) => expect(err.message).toMatch(/rollback/i));
    expect((await reconcile(db())).ok).toBe(true);
  });

  it("reads users' holdings a page at a time: every user once, in user id order, and a page reads only its own users' accounts", async () => {
    const USERS = 3000;
    const tag = randomUUID().replaceAll('-', '');
    await db()
      .transaction(async (tx) => {
        // Rolled back at the end: nobody else sees these users (the PostgreSQL suite shares one database).
        await tx.execute(sql`with u as (
            insert into users (email, name, password_hash, email_verified_at)
            select 'holdings-' || ${tag} || '-' || g || '@example.test', 'Page', 'x', now() from generate_series(1, ${USERS}) g
            returning id, email)
          insert into ledger_accounts (key, kind, user_id, asset, available, locked)
          select 'user:' || u.id || ':' || x.asset, 'user', u.id, x.asset, x.available, x.locked
          from u, lateral (select 'USD' as asset, 1.5 as available, 0.25 as locked
                           union all select 'BTC', 0.00000001, 0 where u.email like '%0@example.test') x`);
        await tx.execute(sql`analyze ledger_accounts`);
        const mine = new Map(
          (await rows<{ id: string; email: string }>(tx, sql`select id::text as id, email from users where email like ${`holdings-${tag}-%`}`)).map((u) => [
            u.id,
            u.email.endsWith('0@example.test') ? 'BTC:0.000000010000000000,USD:1.750000000000000000' : 'USD:1.750000000000000000',
          ]),
        );
        expect(mine.size).toBe(USERS);

        // Walk every page: ascending, no user twice, each of ours with their holdings (all assets, in asset order).
        const seen = new Map<string, string>();
        let after: string | null = null;
        let previous = '';
        for (;;) {
          const page: Awaited<ReturnType<typeof userHoldingsPage>> = await userHoldingsPage(tx, after, 128);
          for (const r of page) {
            expect(r.user_id > previous).toBe(true);
            previous = r.user_id;
            seen.set(r.user_id, r.holdings);
          }
          if (page.length < 128) break;
          after = page.at(-1)!.user_id;
        }
        for (const [id, holdings] of mine) expect(seen.get(id)).toBe(holdings);

        // A page from the middle reads its users' accounts and no others (not every account, as a group-then-limit would).
        const middle = [...mine.keys()].sort()[USERS / 2]!;
        const [explained] = await rows<{ 'QUERY PLAN': unknown }>(tx, sql`explain (analyze, format json) ${userHoldingsPageQuery(middle, 20)}`);
        const plan = explained!['QUERY PLAN'];
        type PlanNode = { 'Relation Name'?: string; 'Actual Rows': number; 'Actual Loops': number; 'Rows Removed by Filter'?: number; Plans?: PlanNode[] };
        const root = (typeof plan === 'string' ? JSON.parse(plan) : plan) as { Plan: PlanNode }[];
        let touched = 0;
        const walk = (n: PlanNode): void => {
          if (n['Relation Name'] === 'ledger_accounts') touched += (n['Actual Rows'] + (n['Rows Removed by Filter'] ?? 0)) * n['Actual Loops'];
          n.Plans?.forEach(walk);
        };
        walk(root[0]!.Plan);
        // 20 users hold at most 40 accounts; read once for the ids and once for the balances.
        expect(touched).toBeGreaterThan(0);
        expect(touched).toBeLessThanOrEqual(100);
        tx.rollback();
      })
      .catch((err: Error) => expect(err.message).toMatch(/rollback/i));
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
        const negative = await rows<{ n: number }>(
          db(),
          sql`select count(*)::int as n from ledger_accounts where kind = 'user' and (available < 0 or locked < 0)`,
        );
        expect(negative[0]!.n).toBe(0);
      }),
      { numRuns: 15 },
    );
  });
});
