import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('graceful shutdown (real child process)', () => {
  it('finishes an in-flight request after SIGTERM, refuses new work, and exits 0', async () => {
    const fixture = join(import.meta.dirname, '..', 'test', 'fixtures', 'slow-server.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      env: { ...process.env, DATABASE_URL: '', REDIS_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 45_000);
      child.stdout.on('data', (d) => {
        const m = /LISTENING (\d+)/.exec(String(d));
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    const slow = fetch(`http://127.0.0.1:${port}/slow`).then(async (r) => ({ status: r.status, body: await r.json() }));
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));

    // While draining, new connections are refused or answered 503.
    const during = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.status,
      () => 'refused',
    );
    expect([503, 'refused']).toContain(during);

    expect(await slow).toEqual({ status: 200, body: { done: true } });
    expect(await exited).toBe(0);
  }, 60_000);
});
