import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { generate } from 'otplib';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, randomIp, signIn, totpCode } from '../../../test/auth-helpers.ts';
import { type Booted, bootServer } from '../../boot.ts';
import { loadConfig } from '../../config.ts';
import { sha256 } from './secrets.ts';
import { issueSetupLink, SETUP_LINK_TTL_MINUTES } from './setup.service.ts';

/**
 * The first administrator from the setup link a first embedded start prints. Booted as `npm start` boots (a new
 * embedded data directory, so no administrator exists whatever database the rest of the suite shares).
 */
const dataDir = mkdtempSync(join(tmpdir(), 'cv-setup-'));
let t: Booted & { close(): Promise<void> };

async function boot(): Promise<Booted & { close(): Promise<void> }> {
  const { config } = loadConfig({
    ENVIRONMENT: 'development',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    LOG_FORMAT: 'json',
    RATE_LIMIT_PER_MINUTE: '1000000',
    PRICE_POLL_INTERVAL_MS: '3600000',
  });
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

beforeAll(async () => {
  t = await boot();
}, 120_000);
afterAll(async () => {
  await t?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const post = (url: string, payload: Record<string, unknown>, ip = randomIp()) => t.app.inject({ method: 'POST', url, payload, remoteAddress: ip });
const tokenOf = (url: string) => new URL(url).searchParams.get('token') ?? '';
const ADMIN = { email: 'first-admin@example.test', name: 'First Admin', password: 'first admin passphrase 2026' };

describe('the setup link for the first administrator', () => {
  let token = '';
  let secret = '';

  it('a first start with no administrator issues a one-time link to /setup on APP_URL, valid for an hour', () => {
    expect(t.setupLink).not.toBeNull();
    expect(t.setupLink!.url).toMatch(/^http:\/\/localhost:8001\/setup\?token=[A-Za-z0-9_-]{40,}$/);
    const minutes = (t.setupLink!.expiresAt.getTime() - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(SETUP_LINK_TTL_MINUTES - 2);
    expect(minutes).toBeLessThanOrEqual(SETUP_LINK_TTL_MINUTES);
    token = tokenOf(t.setupLink!.url);
  });

  it('refuses a wrong token and an expired link (404, explained)', async () => {
    const wrong = await post('/api/setup/begin', { token: 'x'.repeat(43) });
    expect(wrong.statusCode).toBe(404);
    expect(wrong.json().error.message).toMatch(/not valid: it was already used, it expired, or a newer start replaced it/);
    const expired = await issueSetupLink(t.platform.database, new Date(Date.now() - (SETUP_LINK_TTL_MINUTES + 1) * 60_000));
    expect((await post('/api/setup/begin', { token: expired!.token })).statusCode).toBe(404);
    // Issuing voided the start's link; a fresh one for the rest of the flow.
    expect((await post('/api/setup/begin', { token })).statusCode).toBe(404);
    token = (await issueSetupLink(t.platform.database))!.token;
    expect((await post('/api/setup/begin', { token: 'short' })).statusCode).toBe(400);
  });

  it('begin offers a TOTP secret; complete with a wrong code creates nothing', async () => {
    const begin = await post('/api/setup/begin', { token });
    expect(begin.statusCode).toBe(200);
    secret = begin.json().secret;
    expect(begin.json().otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    expect(begin.json().qrSvg).toMatch(/^<svg/);
    const stored = await t.platform.database.db.execute(sql`select totp_secret_enc from setup_tokens where token_hash = ${sha256(token)}`);
    const enc = (stored as unknown as { rows: { totp_secret_enc: string }[] }).rows[0]?.totp_secret_enc;
    expect(enc).toBeTruthy();
    expect(enc).not.toContain(secret);

    const wrongCode = await generate({ secret, epoch: Math.floor(Date.now() / 1000) - 600 });
    const bad = await post('/api/setup/complete', { token, ...ADMIN, totpCode: wrongCode });
    expect(bad.statusCode, bad.body).toBe(401);
    expect(bad.json().error.code).toBe('TOTP_INVALID');
    const weak = await post('/api/setup/complete', { token, ...ADMIN, password: 'password', totpCode: await totpCode(secret) });
    expect(weak.statusCode).toBe(400);
    const users = await t.platform.database.db.execute(sql`select count(*)::int as n from users`);
    expect((users as unknown as { rows: { n: number }[] }).rows[0]?.n).toBe(0);
  });

  it('complete creates the administrator with 2FA on and returns the backup codes; the link is used up', async () => {
    const done = await post('/api/setup/complete', { token, ...ADMIN, totpCode: await totpCode(secret) });
    expect(done.statusCode, done.body).toBe(201);
    expect(done.json().user).toMatchObject({ email: ADMIN.email, name: ADMIN.name, role: 'admin', emailVerified: true, twoFactorEnabled: true });
    expect(done.json().backupCodes).toHaveLength(10);

    const again = await post('/api/setup/complete', { token, ...ADMIN, email: 'second@example.test', totpCode: await totpCode(secret, 1) });
    expect(again.statusCode).toBe(404);
    const audit = await t.platform.database.db.execute(sql`select details from audit_log where action = 'admin.create'`);
    expect((audit as unknown as { rows: { details: { via: string } }[] }).rows.map((r) => r.details.via)).toEqual(['setup-link']);

    // The administrator signs in with password + TOTP and the admin routes (which require 2FA) open.
    const admin = await signIn(t, ADMIN.email, ADMIN.password, { totpCode: await totpCode(secret, 1) });
    expect((await asUser(t, admin).inject({ method: 'GET', url: '/api/admin/users' })).statusCode).toBe(200);
    // And with a backup code.
    await signIn(t, ADMIN.email, ADMIN.password, { totpCode: done.json().backupCodes[0] });
  });

  it('once an administrator exists: no new link, and a link issued before is refused (409)', async () => {
    expect(await issueSetupLink(t.platform.database)).toBeNull();
    const stale = 'y'.repeat(43);
    await t.platform.database.db.execute(sql`insert into setup_tokens (token_hash, expires_at) values (${sha256(stale)}, now() + interval '10 minutes')`);
    const res = await post('/api/setup/begin', { token: stale });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toMatch(/administrator already exists/);
  });

  it('a restart with an administrator prints no link', async () => {
    await t.close();
    t = await boot();
    expect(t.setupLink).toBeNull();
  }, 120_000);
});
