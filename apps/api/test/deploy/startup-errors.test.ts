import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './paths.ts';
import { freePort } from './server-process.ts';

/**
 * What an operator reads when the server (or Fly's release_command) cannot start: the component and the variable
 * to check, never a bare library message, and never the password inside the URL.
 */
function run(script: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', ENVIRONMENT: 'development', LOG_FORMAT: 'json', LOG_LEVEL: 'warn', DATA_DIR: ':memory:', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('start-up failures name the component and the variable', () => {
  it('a Redis that is down at boot: "Redis" and REDIS_URL', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const { code, output } = await run('apps/api/src/server.ts', {
      PORT: String(await freePort()),
      REDIS_URL: `redis://default:hunter2-secret@127.0.0.1:${port}`,
    });
    expect(code).toBe(1);
    expect(output).toContain(`CryptoVault cannot start: Redis is not reachable at redis://***@127.0.0.1:${port} (REDIS_URL): `);
    expect(output).toMatch(/ECONNREFUSED/);
    expect(output).toMatch(/"component":"Redis","variable":"REDIS_URL"/); // the JSON line log shippers read
    expect(output).not.toContain('hunter2-secret');
  });

  it('a PostgreSQL that is down at boot: "PostgreSQL" and DATABASE_URL', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const { code, output } = await run('apps/api/src/server.ts', {
      PORT: String(await freePort()),
      DATABASE_URL: `postgres://app:hunter2-secret@127.0.0.1:${port}/cryptovault`,
    });
    expect(code).toBe(1);
    expect(output).toContain(`CryptoVault cannot start: PostgreSQL is not usable at postgres://***@127.0.0.1:${port}/cryptovault (DATABASE_URL): `);
    expect(output).not.toContain('hunter2-secret');
  });

  it("Fly's release_command (db:migrate) against an unreachable database says the same", { timeout: 60_000 }, async () => {
    const port = await freePort();
    const { code, output } = await run('apps/api/src/cli/migrate.ts', { DATABASE_URL: `postgres://app:hunter2-secret@127.0.0.1:${port}/cryptovault` });
    expect(code).toBe(1);
    expect(output).toContain(`PostgreSQL is not usable at postgres://***@127.0.0.1:${port}/cryptovault (DATABASE_URL)`);
    expect(output).not.toContain('hunter2-secret');
  });
});
