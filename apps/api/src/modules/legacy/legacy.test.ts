import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asBearer, randomIp, signIn, totpCode } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { authKeys } from '../auth/index.ts';
import { reconcile } from '../ledger/index.ts';
import { rows } from '../../platform/db/sql.ts';
import { type ImportOptions, runImport, userReference } from './importer.ts';
import { base32Secret, legacyTx, legacyUser, legacyWallet, tag, writeDump } from './legacy-fixtures.ts';
import { openDump } from './source.ts';
import { verifyImport } from './verify.ts';

let t: TestContext;
let opts: ImportOptions;

beforeAll(async () => {
  t = await createTestApp();
  opts = { dryRun: false, onAnomaly: 'review', keys: authKeys(t.config.auth.dataEncryptionKey) };
});
afterAll(async () => {
  await t?.close();
});

const db = () => t.platform.database.db;

/** The original's documents: the issue's cases (float sums, 1e-7, a negative balance, a duplicate email, 2FA). */
function fixture() {
  const k = tag();
  const bobSecret = base32Secret();
  const alice = legacyUser({ email: `Alice.${k}@Example.com`, password: 'alice-old-password' });
  const bob = legacyUser({
    email: `bob.${k}@example.com`,
    password: 'bob-old-password',
    hash: 'sha256',
    extra: { two_factor_enabled: true, two_factor_secret: bobSecret, backup_codes: ['A1B2C3D4', 'E5F6A7B8'] },
  });
  const carol = legacyUser({ email: `carol.${k}@example.com` });
  const dup1 = legacyUser({ email: `Dup.${k}@example.com` });
  const dup2 = legacyUser({ email: `dup.${k}@EXAMPLE.com` });
  const erin = legacyUser({ email: `erin.${k}@example.com`, extra: { is_suspended: true } });
  const frank = legacyUser({ email: `frank.${k}@example.com`, extra: { two_factor_enabled: true, two_factor_secret: 'Zm9v-bar_baz-not-base32' } });
  const gina = legacyUser({ email: `gina.${k}@example.com` });
  const users = [alice, bob, carol, dup1, dup2, erin, frank, gina];
  const wallets = [
    legacyWallet(alice.id, { USD: 0.1 + 0.2, BTC: 1e-7, ETH: 1.5 }),
    legacyWallet(bob.id, { USD: 100.005, BTC: 0.000000015 }),
    legacyWallet(carol.id, { USD: -5 }),
    legacyWallet(dup1.id, { USD: 1 }),
    legacyWallet(erin.id, { USDT: 10 }),
    legacyWallet(frank.id, { USD: 0 }),
    legacyWallet(gina.id, { BTC: Number.NaN }),
  ];
  // The original's money log (routers/wallet.py, routers/trading.py): a deposit, a buy and its fee, a pending
  // withdrawal with its fee, a P2P transfer out, a refund; one row of a held user and one of nobody.
  const at = (d: string) => new Date(`2025-0${d}T12:00:00Z`);
  const transactions = [
    legacyTx(alice.id, { type: 'deposit', amount: 100.0, currency: 'USD', reference: 'DEP-1', description: 'Deposit via BTC', created_at: at('4-01') }),
    legacyTx(alice.id, { type: 'trade', amount: 1e-7, symbol: 'BTC/USD', description: 'BUY 1e-07 BTC/USD @ $60000', created_at: at('4-02') }),
    legacyTx(alice.id, { type: 'fee', amount: -0.01, symbol: 'USD', description: 'Trading fee', created_at: at('4-03') }),
    legacyTx(alice.id, { type: 'withdrawal', amount: -50, currency: 'USD', status: 'pending', reference: 'W-1', created_at: at('4-04') }),
    legacyTx(alice.id, { type: 'transfer_out', amount: -0.1 - 0.2, currency: 'USD', description: 'Transfer to bob', created_at: at('4-05') }),
    legacyTx(alice.id, { type: 'refund', amount: 1.5, currency: 'USD', created_at: at('4-06') }),
    legacyTx(gina.id, { type: 'deposit', amount: 5, currency: 'USD', created_at: at('4-01') }),
    legacyTx('no-such-user', { type: 'deposit', amount: 5, currency: 'USD', created_at: at('4-01') }),
  ];
  // routers/alerts.py documents: one waiting, one that fired, one on an asset CryptoVault does not list.
  const price_alerts = [
    legacyTx(alice.id, {
      symbol: 'BTC',
      target_price: 9000000.5,
      condition: 'above',
      is_active: true,
      notify_email: false,
      triggered_at: null,
      created_at: at('4-07'),
    }),
    legacyTx(alice.id, { symbol: 'ETH', target_price: 0.1 + 0.2, condition: 'below', is_active: false, triggered_at: at('4-08'), triggered_price: 0.29 }),
    legacyTx(alice.id, { symbol: 'MATIC', target_price: 1, condition: 'above', is_active: true }),
  ];
  return { k, users, wallets, alice, bob, bobSecret, carol, dup1, dup2, erin, frank, gina, dump: writeDump({ users, wallets, transactions, price_alerts }) };
}

async function mapped(ids: string[]): Promise<number> {
  const r = await rows<{ n: number }>(
    db(),
    sql`select count(*)::int as n from legacy_import_map where collection = 'users' and source_id in (${sql.join(
      ids.map((i) => sql`${i}`),
      sql`, `,
    )})`,
  );
  return r[0]!.n;
}

async function entriesFor(sourceIds: string[]): Promise<number> {
  const r = await rows<{ n: number }>(
    db(),
    sql`select count(*)::int as n from journal_entries where reference in (${sql.join(
      sourceIds.map((i) => sql`${userReference(i)}`),
      sql`, `,
    )})`,
  );
  return r[0]!.n;
}

describe('import:legacy from a mongodump', () => {
  it('dry run: the report lists totals, roundings and anomalies, and nothing is written', async () => {
    const f = fixture();
    const report = await runImport(t.platform.database, openDump(f.dump), { ...opts, dryRun: true });
    expect(report.status).toBe('dry-run');
    expect(report.users.seen).toBe(8);
    expect(report.users.planned).toBe(4); // alice, bob, erin, frank
    expect(report.totals.USD).toEqual({ source: '100.30500000000000004', imported: '100.31', rounding: '0.00499999999999996', accounts: 2 });
    expect(report.totals.BTC).toEqual({ source: '0.000000115', imported: '0.00000012', rounding: '0.000000005', accounts: 2 });
    expect(report.roundings).toEqual(
      expect.arrayContaining([
        { sourceId: f.alice.id, asset: 'USD', source: '0.30000000000000004', imported: '0.3', delta: '-0.00000000000000004' },
        { sourceId: f.bob.id, asset: 'USD', source: '100.005', imported: '100.01', delta: '0.005' },
        { sourceId: f.bob.id, asset: 'BTC', source: '0.000000015', imported: '0.00000002', delta: '0.000000005' },
      ]),
    );
    expect(report.roundings).toHaveLength(3); // 1e-7 BTC is exact at 8 places: no rounding
    const reasons = report.anomalies.map((a) => `${a.sourceId}:${a.reason}`).sort();
    expect(reasons).toEqual(
      [`${f.carol.id}:negative_balance`, `${f.dup1.id}:duplicate_email`, `${f.dup2.id}:duplicate_email`, `${f.gina.id}:nan_balance`].sort(),
    );
    expect(report.notices.map((n) => `${n.sourceId}:${n.kind}`)).toContain(`${f.frank.id}:twofa_reset`);
    expect(await mapped(f.users.map((u) => u.id))).toBe(0);
    const found = await rows(db(), sql`select 1 from users where email like ${`%.${f.k}@example.com`}`);
    expect(found).toHaveLength(0);
  });

  it('--on-anomaly stop: the run stops before writing anything', async () => {
    const f = fixture();
    const report = await runImport(t.platform.database, openDump(f.dump), { ...opts, onAnomaly: 'stop' });
    expect(report.status).toBe('stopped');
    expect(report.runId).toBeNull();
    expect(await mapped(f.users.map((u) => u.id))).toBe(0);
  });

  it('imports users and opening balances exactly, reconciles to zero, holds anomalies for review; a second run changes nothing', async () => {
    const f = fixture();
    const report = await runImport(t.platform.database, openDump(f.dump), opts);
    expect(report.status).toBe('completed');
    expect(report.users.imported).toBe(4);
    expect(report.users.twoFactorCarried).toBe(1);
    expect(report.users.twoFactorReset).toBe(1);
    expect(report.users.suspended).toBe(1);

    const posted = await rows<{ email: string; asset: string; available: string }>(
      db(),
      sql`select u.email, a.asset, a.available::text as available from ledger_accounts a join users u on u.id = a.user_id
          where u.email like ${`%.${f.k}@example.com`} order by u.email, a.asset`,
    );
    const bal = Object.fromEntries(posted.map((r) => [`${r.email.split('.')[0]}:${r.asset}`, Number(r.available).toString()]));
    expect(bal).toEqual({ 'alice:BTC': '1e-7', 'alice:ETH': '1.5', 'alice:USD': '0.3', 'bob:BTC': '2e-8', 'bob:USD': '100.01', 'erin:USDT': '10' });
    expect((await reconcile(db())).ok).toBe(true);

    const review = await rows<{ source_id: string; reason: string }>(
      db(),
      sql`select source_id, reason from legacy_import_review where resolved_at is null and run_id = ${report.runId}`,
    );
    expect(review.map((r) => r.reason).sort()).toEqual(['duplicate_email', 'duplicate_email', 'nan_balance', 'negative_balance']);

    const v = await verifyImport(t.platform.database, openDump(f.dump));
    expect(v.ok).toBe(true);
    expect(v.usersImported).toBe(4);
    expect(v.assets.find((a) => a.asset === 'USD')).toMatchObject({ source: '100.30500000000000004', posted: '100.31', ok: true });

    const entriesBefore = await entriesFor(f.users.map((u) => u.id));
    const again = await runImport(t.platform.database, openDump(f.dump), opts);
    expect(again.users.imported).toBe(0);
    expect(again.users.alreadyImported).toBe(4);
    expect(await entriesFor(f.users.map((u) => u.id))).toBe(entriesBefore);
    expect(await mapped(f.users.map((u) => u.id))).toBe(4);
  });

  it('an interrupted run resumes where it stopped', async () => {
    const f = fixture();
    const controller = new AbortController();
    const first = await runImport(t.platform.database, openDump(f.dump), {
      ...opts,
      signal: controller.signal,
      afterUser: (_id, done) => done === 2 && controller.abort(),
    });
    expect(first.status).toBe('interrupted');
    expect(first.users.imported).toBe(2);
    expect((await verifyImport(t.platform.database, openDump(f.dump))).missing).toHaveLength(2);
    const second = await runImport(t.platform.database, openDump(f.dump), opts);
    expect(second.status).toBe('completed');
    expect(second.users.imported).toBe(2);
    expect(second.users.alreadyImported).toBe(2);
    expect((await verifyImport(t.platform.database, openDump(f.dump))).ok).toBe(true);
  });

  it('a failure inside one user leaves nothing of that user written; the next run completes', async () => {
    const f = fixture();
    const victim = f.bob.id;
    // The idempotency row is the user's last write: failing it must roll back the account and its balances too.
    await db().execute(
      sql.raw(`create or replace function legacy_test_fail() returns trigger language plpgsql as $$
        begin if new.source_id = '${victim}' then raise exception 'injected failure'; end if; return new; end; $$`),
    );
    await db().execute(sql.raw(`create trigger legacy_test_fail_${f.k} before insert on legacy_import_map for each row execute function legacy_test_fail()`));
    try {
      await expect(runImport(t.platform.database, openDump(f.dump), opts)).rejects.toThrow();
    } finally {
      await db().execute(sql.raw(`drop trigger legacy_test_fail_${f.k} on legacy_import_map`));
    }
    expect(await rows(db(), sql`select 1 from users where email = ${f.bob.email}`)).toHaveLength(0);
    expect(await entriesFor([victim])).toBe(0);
    expect(await mapped([f.alice.id])).toBe(1); // the user before it stays imported
    const second = await runImport(t.platform.database, openDump(f.dump), opts);
    expect(second.users.imported).toBe(3);
    expect((await verifyImport(t.platform.database, openDump(f.dump))).ok).toBe(true);
  });

  it('an imported user signs in with the old password (then holds argon2id), with 2FA carried over, and sees the balances', async () => {
    const f = fixture();
    await runImport(t.platform.database, openDump(f.dump), opts);
    const aliceEmail = f.alice.email.toLowerCase();
    const before = await rows<{ password_hash: string }>(db(), sql`select password_hash from users where email = ${aliceEmail}`);
    expect(before[0]!.password_hash).toMatch(/^legacy-bcrypt:\$2b\$/);

    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: randomIp(),
      payload: { email: aliceEmail, password: 'not-her-password' },
    });
    expect(wrong.statusCode).toBe(401);
    const alice = await signIn(t, f.alice.email, 'alice-old-password');
    const after = await rows<{ password_hash: string }>(db(), sql`select password_hash from users where email = ${aliceEmail}`);
    expect(after[0]!.password_hash).toMatch(/^\$argon2id\$/);
    await signIn(t, aliceEmail, 'alice-old-password'); // the argon2id hash verifies the same password

    const balances = await asBearer(t, alice).inject({ method: 'GET', url: '/api/wallet/balances' });
    expect(balances.statusCode).toBe(200);
    expect(JSON.stringify(balances.json())).toContain('"0.3');

    // Bob: SHA-256 legacy hash and a carried TOTP secret: the password alone is not enough.
    const noCode = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: randomIp(),
      payload: { email: f.bob.email, password: 'bob-old-password' },
    });
    expect(noCode.json().error.code).toBe('TOTP_REQUIRED');
    await signIn(t, f.bob.email, 'bob-old-password', { totpCode: await totpCode(f.bobSecret) });
    const bobHash = await rows<{ password_hash: string; totp_secret_enc: string }>(
      db(),
      sql`select password_hash, totp_secret_enc from users where email = ${f.bob.email}`,
    );
    expect(bobHash[0]!.password_hash).toMatch(/^\$argon2id\$/);
    expect(bobHash[0]!.totp_secret_enc).not.toContain(f.bobSecret);
    // A backup code the original issued still works once.
    await signIn(t, f.bob.email, 'bob-old-password', { totpCode: 'a1b2c3d4' });

    // Erin was suspended in the original and stays suspended.
    const erin = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: randomIp(),
      payload: { email: f.erin.email, password: 'old-password-1' },
    });
    expect(erin.json().error.code).toBe('ACCOUNT_SUSPENDED');

    // Frank's 2FA secret could not be carried: he is asked to set it up again.
    const frank = await signIn(t, f.frank.email, 'old-password-1');
    const notes = await asBearer(t, frank).inject({ method: 'GET', url: '/api/notifications' });
    expect(JSON.stringify(notes.json())).toContain('Set up two-factor authentication again');
  });

  it('history: the original transactions appear in /api/transactions and its export, marked imported, once', async () => {
    const f = fixture();
    const first = await runImport(t.platform.database, openDump(f.dump), opts);
    expect(first.history).toEqual({ seen: 8, ofImportedUsers: 6, imported: 6 });
    expect(first.notices.filter((n) => n.kind === 'history_not_carried')).toHaveLength(1);
    expect(first.alerts).toEqual({ seen: 3, imported: 2 });
    expect(first.notices.find((n) => n.kind === 'alert_not_carried')?.detail).toContain('MATIC');
    const alice = await signIn(t, f.alice.email, 'alice-old-password');

    // Page through two at a time: the opening-balance entry's legs first, then the imported rows, newest first.
    const seen: { id: string; type: string; asset: string; amount: string; imported?: boolean; description?: string; createdAt: string }[] = [];
    let cursor: string | null = null;
    do {
      const res = await asBearer(t, alice).inject({ method: 'GET', url: `/api/transactions?limit=2${cursor ? `&cursor=${cursor}` : ''}` });
      expect(res.statusCode, res.body).toBe(200);
      seen.push(...res.json().items);
      cursor = res.json().nextCursor;
    } while (cursor);
    expect(new Set(seen.map((x) => x.id)).size).toBe(seen.length);
    const journal = seen.filter((x) => !x.imported);
    const imported = seen.filter((x) => x.imported);
    expect(journal.map((x) => `${x.type} ${x.asset} ${x.amount}`).sort()).toEqual(['adjustment BTC 0.0000001', 'adjustment ETH 1.5', 'adjustment USD 0.3']);
    expect(seen.slice(0, 3).every((x) => !x.imported)).toBe(true);
    expect(imported.map((x) => `${x.type} ${x.asset} ${x.amount}`)).toEqual([
      'adjustment USD 1.5',
      'transfer_out USD -0.30000000000000004',
      'withdrawal USD -50',
      'fee USD -0.01',
      'trade BTC 0.0000001',
      'deposit USD 100',
    ]);
    expect(imported[0]!.description).toContain('refund');
    expect(imported[2]!.description).toContain('(pending)');
    expect(imported.at(-1)!.createdAt).toBe('2025-04-01T12:00:00.000Z');

    const alerts = await asBearer(t, alice).inject({ method: 'GET', url: '/api/alerts' });
    expect(alerts.statusCode, alerts.body).toBe(200);
    const list = (alerts.json().items ?? alerts.json()) as { assetId: string; targetPrice: string; active: boolean; channels: string[] }[];
    expect(list.map((a) => `${a.assetId} ${a.targetPrice} ${a.active} ${a.channels.join('+')}`).sort()).toEqual([
      'bitcoin 9000000.5 true in_app',
      'ethereum 0.30000000000000004 false in_app+email',
    ]);

    const filtered = await asBearer(t, alice).inject({ method: 'GET', url: '/api/transactions?type=deposit' });
    expect(filtered.json().items.map((x: { amount: string }) => x.amount)).toEqual(['100']);

    const csv = await asBearer(t, alice).inject({ method: 'GET', url: '/api/transactions/export?format=csv' });
    expect(csv.statusCode).toBe(200);
    const lines = csv.body.trim().split('\n');
    expect(lines).toHaveLength(1 + 3 + 6);
    expect(lines.filter((l) => l.includes(',true,'))).toHaveLength(6);

    await runImport(t.platform.database, openDump(f.dump), opts);
    const again = await asBearer(t, alice).inject({ method: 'GET', url: '/api/transactions?limit=100' });
    expect(again.json().items).toHaveLength(9);
    expect((await verifyImport(t.platform.database, openDump(f.dump))).history).toEqual({ expected: 6, imported: 6 });
  });

  it('survives a restart: a new app on the same database signs the imported user in', async () => {
    const f = fixture();
    await runImport(t.platform.database, openDump(f.dump), opts);
    const t2 = await createTestApp({ DATA_ENCRYPTION_KEY: t.config.auth.dataEncryptionKey });
    try {
      await signIn(t2, f.bob.email, 'bob-old-password', { totpCode: await totpCode(f.bobSecret) });
    } finally {
      await t2.close();
    }
  });
});
