import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { insertUser } from '../../../test/users.ts';
import { apiPackageRoot } from '../../platform/paths.ts';
import { credit } from '../ledger/index.ts';
import { inclusionProof, takeSnapshot } from './pol.service.ts';

/** `npm run verify-proof -- proof.json`: the standalone verifier on a proof the server produced. */

/** The whole suite shares one PostgreSQL database: another file's snapshot may be in progress (409), so try again. */
async function snapshot(...args: Parameters<typeof takeSnapshot>): ReturnType<typeof takeSnapshot> {
  for (let i = 0; ; i++) {
    try {
      return await takeSnapshot(...args);
    } catch (err) {
      if ((err as { code?: string }).code !== 'CONFLICT' || i >= 50) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

let t: TestContext;
let dir: string;
beforeAll(async () => {
  t = await createTestApp();
  dir = mkdtempSync(join(tmpdir(), 'cv-pol-cli-'));
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('npm', ['run', '--silent', 'verify-proof', '--', ...args], { cwd: join(apiPackageRoot(), '../..') }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('verify-proof CLI', () => {
  it('verifies a downloaded proof, refuses a tampered one, and checks the published root and key when given', async () => {
    const u = await insertUser(t.platform.database);
    await t.platform.database.db.transaction((tx) => credit(tx, { userId: u.id, asset: 'ETH', amount: '2.5', reference: 'pol-cli' }));
    const root = await snapshot(t.platform, { trigger: 'schedule', requestedBy: null });
    const proof = await inclusionProof(t.platform.database.db, u.id, root.snapshotId);
    const file = join(dir, 'proof.json');
    writeFileSync(file, JSON.stringify(proof));

    const ok = await cli(file, '--root', root.rootHash, '--public-key', root.publicKey);
    expect(ok.stdout).toMatch(/VERIFIED/);
    expect(ok.stdout).toMatch(/ETH\s+yours 2\.5/);
    expect(ok.code).toBe(0);

    const tampered = JSON.parse(JSON.stringify(proof));
    tampered.balances[tampered.root.assets.findIndex((a: { symbol: string }) => a.symbol === 'ETH')] = '25';
    writeFileSync(join(dir, 'tampered.json'), JSON.stringify(tampered));
    const bad = await cli(join(dir, 'tampered.json'));
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/NOT VERIFIED/);
    expect(bad.stdout).toMatch(/altered/);

    const other = await cli(file, '--root', 'f'.repeat(64));
    expect(other.code).toBe(1);
    expect(other.stdout).toMatch(/differs from the published root/);
    expect((await cli()).code).toBe(2);
  });

  it('uses no server code: the CLI imports only the shared verifier, which imports nothing', () => {
    const cliSource = readFileSync(join(join(apiPackageRoot(), '../..'), 'scripts/verify-proof.mjs'), 'utf8');
    const imports = [...cliSource.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
    expect(imports).toEqual(['node:fs', '../packages/contract/src/pol/verify.ts']);
    expect(readFileSync(join(join(apiPackageRoot(), '../..'), 'packages/contract/src/pol/verify.ts'), 'utf8')).not.toMatch(/^import /m);
  });
});
