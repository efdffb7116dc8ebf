/**
 * The built server (`npm run build`: apps/api/dist and apps/web/dist) in embedded mode on a free port with a
 * throw-away data directory, and its first administrator: for the shared server of global-setup.ts and for specs
 * that need one of their own (telegram.e2e.ts: the bot pointed at a stand-in).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../..', import.meta.url));

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

/** The administrator, made with the `admin:create` CLI before the server opens the embedded database; false if refused. */
async function createAdmin(env: NodeJS.ProcessEnv, admin: { email: string; password: string; name: string }): Promise<boolean> {
  const cli = join(root, 'apps/api/dist/cli/admin-create.js');
  if (!existsSync(cli)) return false;
  const child = spawn(process.execPath, [cli, '--email', admin.email, '--name', admin.name, '--password-stdin'], {
    cwd: root,
    env,
    stdio: ['pipe', 'inherit', 'inherit'],
  });
  child.stdin?.end(`${admin.password}\n`);
  return (await new Promise<number | null>((resolve) => child.on('exit', resolve))) === 0;
}

export interface EmbeddedServer {
  baseUrl: string;
  /** Whether the administrator was created. */
  adminCreated: boolean;
  stop(): Promise<void>;
}

/** Starts the server with `settings` over a development environment; never an outside database, cache or provider. */
export async function startEmbeddedServer(settings: NodeJS.ProcessEnv, admin: { email: string; password: string; name: string }): Promise<EmbeddedServer> {
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
    LOG_LEVEL: 'warn',
    ...settings,
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
  const adminCreated = await createAdmin(env, admin);
  const child = spawn(process.execPath, [server], { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
  await waitForHealth(baseUrl, child, 90_000);
  return {
    baseUrl,
    adminCreated,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
