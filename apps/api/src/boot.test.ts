import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_PASSWORD, enableTwoFactor, randomIp, signIn, signUpVerified, totpCode, type TestSession } from '../test/auth-helpers.ts';
import { uniqueEmail } from '../test/helpers.ts';
import { type Booted, bootServer } from './boot.ts';
import { loadConfig } from './config.ts';
import { forgetTwoFactor } from './modules/auth/data-key.ts';
import { createDatabase } from './platform/db/client.ts';
import { lockFileFor } from './platform/db/data-dir-lock.ts';
import { applyLocalSecrets } from './platform/local-secrets.ts';

/**
 * `npm start` in embedded mode, restarted on the same data directory: the server is booted the way server.ts boots
 * it (bootServer), closed, and booted again. Always embedded (PGlite in a temporary DATA_DIR), whatever
 * DATABASE_URL the suite runs with: this is the mode the issue is about.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'cv-boot-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function embeddedEnv(): Record<string, string | undefined> {
  return {
    ENVIRONMENT: 'development',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    LOG_FORMAT: 'json',
    RATE_LIMIT_PER_MINUTE: '1000000',
    PRICE_POLL_INTERVAL_MS: '3600000',
  };
}

async function boot(): Promise<Booted & { close(): Promise<void> }> {
  const { config } = loadConfig(embeddedEnv());
  const booted = await bootServer(config, pino({ level: 'silent' }));
  await booted.app.ready();
  return {
    ...booted,
    async close() {
      await booted.app.close();
      await booted.platform.close();
    },
  };
}

/** Names and contents of every file under `dir`: equal snapshots mean nothing was written. */
function snapshot(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else h.update(p).update(readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex');
}

describe('embedded server restarted on the same data directory', () => {
  let user: TestSession;
  let firstKey: string;

  it('first start: generates the secrets once, keeps them in DATA_DIR/secrets.json (0600), holds the directory', async () => {
    const t = await boot();
    try {
      expect(t.config.generatedSecrets).toContain('DATA_ENCRYPTION_KEY');
      const file = join(dataDir, 'secrets.json');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const kept = JSON.parse(readFileSync(file, 'utf8'));
      expect(kept.DATA_ENCRYPTION_KEY).toBe(t.config.auth.dataEncryptionKey);
      expect(kept.JWT_SECRET).toBe(t.config.auth.jwtSecret);
      firstKey = kept.DATA_ENCRYPTION_KEY;
      user = await enableTwoFactor(t, await signUpVerified(t, { email: uniqueEmail('restart') }));

      // A second opener in this process (or any other) is refused while the server holds the directory.
      const lock = JSON.parse(readFileSync(lockFileFor(join(dataDir, 'cryptovault')), 'utf8'));
      expect(lock.pid).toBe(process.pid);
      await expect(createDatabase(t.config, undefined, 'a second opener')).rejects.toThrow(/in use by process \d+ \(the CryptoVault server/);
    } finally {
      await t.close();
    }
    expect(() => statSync(lockFileFor(join(dataDir, 'cryptovault')))).toThrow(/ENOENT/);
  }, 120_000);

  it('after a restart: the old session still works, and sign-in with TOTP and with a backup code succeed', async () => {
    const t = await boot();
    try {
      expect(t.config.auth.dataEncryptionKey).toBe(firstKey);
      const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: user.cookies }, remoteAddress: user.ip });
      expect(me.statusCode).toBe(200);
      expect(me.json().email).toBe(user.user.email);
      expect(me.json().twoFactorEnabled).toBe(true);

      const withTotp = await signIn(t, user.user.email, DEFAULT_PASSWORD, { totpCode: await totpCode(user.totpSecret!, 0) });
      expect(withTotp.user.id).toBe(user.user.id);
      const backup = user.backupCodes![0]!;
      const withBackup = await signIn(t, user.user.email, DEFAULT_PASSWORD, { totpCode: backup });
      expect(withBackup.user.id).toBe(user.user.id);
      // Single use, across restarts too.
      const again = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: randomIp(),
        payload: { email: user.user.email, password: DEFAULT_PASSWORD, totpCode: backup },
      });
      expect(again.statusCode).toBe(401);
    } finally {
      await t.close();
    }
  }, 120_000);

  it('admin:create against a directory the server holds refuses at once and touches nothing', async () => {
    const t = await boot();
    try {
      const before = snapshot(dataDir);
      const email = uniqueEmail('refused-admin');
      const started = Date.now();
      const r = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'cli/admin-create.ts'), '--email', email], {
        env: { PATH: process.env.PATH, DATA_DIR: dataDir, ENVIRONMENT: 'development' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.status, r.stderr).toBe(75);
      expect(r.stdout).not.toMatch(/created administrator/);
      expect(r.stderr).toMatch(new RegExp(`admin:create refused: the embedded database at .*cryptovault is in use by process ${process.pid}`));
      expect(r.stderr).toMatch(/one-time setup link \(\/setup\?token=\.\.\.\)/);
      expect(r.stderr).toMatch(/stop the server .*run admin:create, then start the server again/);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(snapshot(dataDir)).toBe(before);
      const rows = await t.platform.database.db.execute(sql`select count(*)::int as n from users where email = ${email}`);
      expect((rows as unknown as { rows: { n: number }[] }).rows[0]?.n).toBe(0);
    } finally {
      await t.close();
    }
  }, 120_000);

  it('a lost secrets.json is detected at start and explained, the directory left as it was; keys:forget-2fa recovers', async () => {
    const file = join(dataDir, 'secrets.json');
    const original = readFileSync(file, 'utf8');
    rmSync(file);
    await expect(boot()).rejects.toThrow(
      /written with a different data-encryption key: .*secrets\.json did not exist, so a new key was generated at this start/,
    );
    await expect(boot()).rejects.toThrow(
      /1 account with two-factor authentication .*Restore the original .*secrets\.json.*keys:forget-2fa -- --confirm.*Nothing was changed/,
    );
    // The refused start removed the file it generated (restoring the original is not blocked) and released the lock.
    expect(() => statSync(file)).toThrow(/ENOENT/);
    expect(() => statSync(lockFileFor(join(dataDir, 'cryptovault')))).toThrow(/ENOENT/);

    // A replaced file (another key) is refused the same way, naming the file.
    const other = applyLocalSecrets(loadConfig(embeddedEnv()).config);
    await expect(boot()).rejects.toThrow(/the key in .*secrets\.json is not the one the database was written with/);

    // Restoring the original file is the fix.
    rmSync(other.file!);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, original, { mode: 0o600 });
    const restored = await boot();
    await restored.close();

    // With the original gone for good: the recovery command's path turns 2FA off and records the new key.
    rmSync(file);
    const { config } = applyLocalSecrets(loadConfig(embeddedEnv()).config);
    const database = await createDatabase(config, undefined, 'keys:forget-2fa');
    const result = await forgetTwoFactor(database, config.auth.dataEncryptionKey);
    await database.close();
    expect(result.accounts).toBe(1);
    const t = await boot();
    try {
      const session = await signIn(t, user.user.email, DEFAULT_PASSWORD);
      expect(session.user.id).toBe(user.user.id);
      const audit = await t.platform.database.db.execute(sql`select count(*)::int as n from audit_log where action = 'security.forget_2fa'`);
      expect((audit as unknown as { rows: { n: number }[] }).rows[0]?.n).toBe(1);
    } finally {
      await t.close();
    }
  }, 180_000);
});
