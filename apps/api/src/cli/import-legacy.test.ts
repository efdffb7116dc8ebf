import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { legacyTx, legacyUser, legacyWallet, tag, writeDump } from '../modules/legacy/legacy-fixtures.ts';

const cli = new URL('./import-legacy.ts', import.meta.url).pathname;
// Embedded runs keep their data in a folder of their own: each CLI process is a restart on the same data.
const dataDir = mkdtempSync(join(tmpdir(), 'cv-legacy-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  const base: Record<string, string> = { PATH: process.env.PATH ?? '', ENVIRONMENT: 'test', LOG_LEVEL: 'silent', DATA_DIR: dataDir };
  if (process.env.DATABASE_URL) base.DATABASE_URL = process.env.DATABASE_URL;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

// Each CLI run is a fresh Node process loading the app's modules through tsx (several seconds on a busy machine).
describe('npm run import:legacy', { timeout: 240_000 }, () => {
  const k = tag();
  const alice = legacyUser({ email: `Alice.${k}@example.com` });
  const neg = legacyUser({ email: `neg.${k}@example.com` });
  const dump = writeDump({
    users: [alice, neg],
    wallets: [legacyWallet(alice.id, { USD: 0.1 + 0.2, BTC: 1e-7 }), legacyWallet(neg.id, { USD: -1 })],
    orders: [legacyTx(alice.id, { trading_pair: 'BTC/USD', order_type: 'limit', side: 'buy', amount: 0.01, price: 50000, status: 'pending' })],
    deposits: [legacyTx(alice.id, { order_id: `DEP-${k}`, amount: 20, currency: 'USD', pay_currency: 'BTC', status: 'expired' })],
  });
  const key = 'k'.repeat(40);

  it('refuses bad usage and an import without the servers DATA_ENCRYPTION_KEY', async () => {
    const none = await run([]);
    expect(none.code).toBe(64);
    expect(none.err).toContain('--dump <folder> or --mongo-url <url>');
    const bad = await run(['--dump', dump, '--on-anomaly', 'ignore']);
    expect(bad.code).toBe(64);
    // Nothing kept (DATA_DIR=:memory:) and no key given: the key would be this process's alone.
    const noKey = await run(['--dump', dump], { ENVIRONMENT: 'development', DATA_DIR: ':memory:' });
    expect(noKey.code).toBe(64);
    expect(noKey.err).toContain('DATA_ENCRYPTION_KEY is not set');
  });

  it('dry run, stop, import with review, a second run, verify and the review list', async () => {
    const dry = await run(['--dump', dump, '--dry-run', '--on-anomaly', 'review'], { DATA_ENCRYPTION_KEY: key });
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toContain('DRY RUN: nothing was written');
    expect(dry.out).toMatch(/USD\s+1\s+0\.30000000000000004\s+0\.3\s+-0\.00000000000000004/);
    expect(dry.out).toContain(`wallets/${neg.id}: negative_balance: USD balance is -1`);
    expect(dry.out).toContain('orders: 1 in source, 1 of the users to import, imported 0 (read-only order history)');
    expect(dry.out).toContain('deposits 1 (0 already in transactions)');

    const stopped = await run(['--dump', dump], { DATA_ENCRYPTION_KEY: key });
    expect(stopped.code).toBe(2);
    expect(stopped.out).toContain('STOPPED on anomalies');

    const json = join(dataDir, 'report.json');
    const imported = await run(['--dump', dump, '--on-anomaly', 'review', '--json', json], { DATA_ENCRYPTION_KEY: key });
    expect(imported.code, imported.err).toBe(0);
    expect(imported.out).toContain('import completed');
    expect(JSON.parse(readFileSync(json, 'utf8')).users).toMatchObject({ imported: 1, held: 1 });

    const again = await run(['--dump', dump, '--on-anomaly', 'review'], { DATA_ENCRYPTION_KEY: key });
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/imported 0, already imported 1/);

    const verify = await run(['verify', '--dump', dump], { DATA_ENCRYPTION_KEY: key });
    expect(verify.code, verify.out + verify.err).toBe(0);
    expect(verify.out).toContain('verify: OK');
    expect(verify.out).toContain('orders: 1/1');
    expect(verify.out).toContain('history rows: 1/1');

    const review = await run(['review'], { DATA_ENCRYPTION_KEY: key });
    expect(review.code).toBe(0);
    expect(review.out).toContain(`wallets/${neg.id}: negative_balance`);
  });
});
