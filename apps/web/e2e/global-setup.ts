import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    admin: { email: string; password: string } | null;
  }
}

export const ADMIN = { email: 'e2e-admin@example.com', password: 'e2e admin passphrase 2026' };

const root = fileURLToPath(new URL('../../..', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess, ms: number): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const r = await fetch(`${url}/health`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`server not healthy after ${ms} ms`);
}

async function createAdmin(env: NodeJS.ProcessEnv): Promise<{ email: string; password: string } | null> {
  const cli = join(root, 'apps/api/dist/cli/admin-create.js');
  if (!existsSync(cli)) return null;
  const child = spawn(process.execPath, [cli, '--email', ADMIN.email, '--name', 'E2E Admin', '--password-stdin'], {
    cwd: root,
    env,
    stdio: ['pipe', 'inherit', 'inherit'],
  });
  child.stdin?.end(`${ADMIN.password}\n`);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return code === 0 ? ADMIN : null;
}

/**
 * Starts the built server (`npm run build` first: apps/api/dist and apps/web/dist) in embedded mode on a free
 * port with a throw-away data directory: simulated market and payments, dev outbox, /api/dev helpers.
 * E2E_BASE_URL points the specs at a server that is already running instead.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.E2E_BASE_URL;
  if (external) {
    project.provide('baseUrl', external.replace(/\/$/, ''));
    project.provide('admin', null);
    return async () => {};
  }
  const server = join(root, 'apps/api/dist/server.js');
  if (!existsSync(server) || !existsSync(join(root, 'apps/web/dist/index.html'))) {
    throw new Error('build first: npm run build (the e2e script does)');
  }
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'cv-e2e-'));
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ENVIRONMENT: 'development',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    APP_URL: baseUrl,
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    // The specs sign up and log in many times from one address.
    RATE_LIMIT_PER_MINUTE: '100000',
    // Requests from the loopback address may name their client (helpers.ts gives each sign-up its own address).
    TRUST_PROXY: '127.0.0.1',
    // Fast ticks keep "updates without a reload" quick to observe.
    PRICE_POLL_INTERVAL_MS: '1000',
  };
  // Embedded mode: no external database or Redis even when the shell that runs the tests has them set.
  for (const k of [
    'DATABASE_URL',
    'REDIS_URL',
    'UPSTASH_REDIS_REST_URL',
    'UPSTASH_REDIS_REST_TOKEN',
    'COINCAP_API_KEY',
    'NOWPAYMENTS_API_KEY',
    'SENDGRID_API_KEY',
  ])
    delete env[k];
  // The embedded database is one process's: create the administrator before the server opens it.
  const admin = await createAdmin(env);
  const child = spawn(process.execPath, [server], { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
  await waitForHealth(baseUrl, child, 90_000);
  project.provide('baseUrl', baseUrl);
  project.provide('admin', admin);
  return async () => {
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
}
