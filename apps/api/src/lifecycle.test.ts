import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** One request on a connection of its own (no keep-alive pool), as a new client of the machine would make. */
function freshConnection(port: number, path: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('graceful shutdown (real child process)', () => {
  it('finishes an in-flight request after SIGTERM, answers new connections 503 in the error shape, and exits 0', async () => {
    const fixture = join(import.meta.dirname, '..', 'test', 'fixtures', 'slow-server.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      env: { ...process.env, DATABASE_URL: '', REDIS_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    // The fixture prints a line at each step; the test waits for the line instead of guessing a delay, so a loaded
    // machine (CI runs this beside a full suite) cannot reorder the steps.
    let stdout = '';
    const lineWaiters: { pattern: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
    child.stdout.on('data', (d) => {
      stdout += String(d);
      for (const w of [...lineWaiters]) {
        const m = w.pattern.exec(stdout);
        if (m) {
          lineWaiters.splice(lineWaiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    });
    const line = (pattern: RegExp, what: string) =>
      new Promise<RegExpExecArray>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${what}: ${stderr}`)), 45_000);
        lineWaiters.push({
          pattern,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
      });
    const port = Number((await line(/LISTENING (\d+)/, 'server did not start'))[1]);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    const slow = fetch(`http://127.0.0.1:${port}/slow`).then(async (r) => ({ status: r.status, body: await r.json() }));
    await line(/SLOW STARTED/, 'the slow request never reached the server');
    child.kill('SIGTERM');
    await line(/DRAINING/, 'the server did not start draining');

    // While draining, a new connection is accepted and answered 503 with Connection: close (not refused).
    const during = await freshConnection(port, '/api/crypto');
    expect(during.status).toBe(503);
    expect(during.headers.connection).toBe('close');
    expect(during.headers['retry-after']).toBe('1');
    expect(JSON.parse(during.body)).toEqual({
      error: { code: 'UNAVAILABLE', message: 'This server is shutting down; retry the request', requestId: during.headers['x-request-id'] },
    });
    // Probes keep their own answers: liveness and readiness say draining.
    const live = await freshConnection(port, '/health/live');
    expect([live.status, JSON.parse(live.body)]).toEqual([503, { status: 'draining' }]);

    expect(await slow).toEqual({ status: 200, body: { done: true } });
    expect(await exited).toBe(0);
  }, 60_000);
});
