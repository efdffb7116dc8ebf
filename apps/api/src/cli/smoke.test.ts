import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../test/deploy/paths.ts';
import { type ServerProcess, startServerProcess } from '../../test/deploy/server-process.ts';
import { type EdgeStandIn, startEdgeStandIn } from '../../test/deploy/vercel-standin.ts';
import { checkHttpsRedirect } from './smoke/checks-http.ts';
import { runSmoke, type SmokeReport } from './smoke/run.ts';
import type { SmokeOptions, TargetContext } from './smoke/types.ts';

/**
 * The smoke command against the real server (apps/api/src/server.ts in a child process) directly and through a
 * local stand-in for Vercel's rewrites (the web origin, APP_URL = PUBLIC_API_URL, as in production). The edge is
 * switched between runs so that every check is seen failing for the reason it exists.
 */
const PASSWORD = 'correct horse battery staple 42';

let edge: EdgeStandIn;
let server: ServerProcess;
let email: string;

function status(report: SmokeReport, target: 'api' | 'web', check: string): string | undefined {
  return report.results.find((r) => r.target === target && r.check === check)?.status;
}

function failed(report: SmokeReport): string[] {
  return report.results.filter((r) => r.status === 'fail').map((r) => `${r.target}:${r.check}`);
}

function smoke(extra: Partial<SmokeOptions> = {}): Promise<SmokeReport> {
  return runSmoke({ api: server.url, web: edge.url, email, password: PASSWORD, timeoutMs: 5000, socketTimeoutMs: 8000, ...extra });
}

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/api/src/cli/smoke.ts', ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

beforeAll(async () => {
  edge = await startEdgeStandIn();
  // In-memory cache and rate limits: this file signs in a dozen times from 127.0.0.1.
  server = await startServerProcess({ APP_URL: edge.url, PUBLIC_API_URL: edge.url, REDIS_URL: undefined, LOG_LEVEL: 'warn' });
  edge.target = server.url;
  email = `smoke-${Date.now().toString(36)}@example.test`;
  const legal = (await (await fetch(`${server.url}/api/legal/documents`)).json()) as { items: { kind: string; version: number }[] };
  const termsVersion = legal.items.find((d) => d.kind === 'terms')?.version;
  expect((await post('/api/auth/signup', { email, password: PASSWORD, name: 'Smoke Test', termsVersion })).status).toBe(201);
  const outbox = (await (await fetch(`${server.url}/api/dev/outbox?to=${encodeURIComponent(email)}`)).json()) as { items: { text: string }[] };
  const code = /\b(\d{6})\b/.exec(outbox.items[0]?.text ?? '')?.[1];
  expect((await post('/api/auth/verify-email', { email, code })).status).toBe(200);
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await edge?.close();
});

describe('npm run smoke', () => {
  it('passes every check directly and through a web origin that passes WebSockets (CLI, JSON, exit 0)', async () => {
    edge.set({});
    const run = await cli(['--api', server.url, '--web', edge.url, '--email', email, '--json', '--socket-timeout', '8000'], { SMOKE_PASSWORD: PASSWORD });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as SmokeReport;
    expect(report.ok).toBe(true);
    const checks = ['health', 'ping', 'config', 'security-headers', 'cors', 'cookies', 'proxy-trust', 'websocket', 'polling', 'sign-in', 'balances', 'csrf'];
    for (const target of ['api', 'web'] as const) {
      for (const check of checks) expect(`${target}:${check}:${status(report, target, check)}`).toBe(`${target}:${check}:pass`);
      expect(status(report, target, 'https-redirect')).toBe('skip'); // http URLs: shown failing below
      // A development server on loopback: its dev tools are expected (shown failing below on a real deployment).
      expect(status(report, target, 'dev-tools')).toBe('warn');
    }
  });

  it('prints a readable table and exits 1 when a check fails', async () => {
    edge.set({ fail: { path: /^\/(health|ping)/, status: 502 } });
    const run = await cli(['--api', server.url, '--web', edge.url, '--socket-timeout', '8000']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^target\s+check\s+result\s+time\s+detail$/m);
    expect(run.stdout).toMatch(/^web\s+health\s+FAIL\s+\d+ ms\s+\/health: HTTP 502/m);
    expect(run.stdout).toMatch(/^web\s+ping\s+FAIL/m);
    expect(run.stdout).toMatch(/^api\s+health\s+pass/m);
    expect(run.stdout).toMatch(/^FAILED: \d+ passed, 2 failed/m);
  });

  it('rejects bad arguments with usage and exit 2', async () => {
    const run = await cli(['--web', edge.url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--api is required[\s\S]*usage: npm run smoke/);
  });

  it('reports a web origin that refuses WebSocket upgrades, and still passes on long-polling', async () => {
    edge.set({ upgrades: false });
    const report = await smoke({ email: undefined, password: undefined });
    expect(status(report, 'web', 'websocket')).toBe('warn');
    expect(report.results.find((r) => r.target === 'web' && r.check === 'websocket')?.detail).toMatch(/upgrade refused.*long-polling/);
    expect(status(report, 'web', 'polling')).toBe('pass');
    expect(status(report, 'api', 'websocket')).toBe('pass');
    expect(report.ok).toBe(true);
  });

  it('fails when the API itself cannot upgrade, or when Socket.IO does not get through at all', async () => {
    edge.set({ upgrades: false });
    const direct = await runSmoke({ api: edge.url, timeoutMs: 5000, socketTimeoutMs: 8000 });
    expect(status(direct, 'api', 'websocket')).toBe('fail');
    expect(direct.ok).toBe(false);
    edge.set({ blockSocketIo: true });
    const blocked = await smoke({ email: undefined, password: undefined, socketTimeoutMs: 4000 });
    expect(failed(blocked)).toEqual(['web:websocket', 'web:polling']);
  });

  it('fails when the edge mangles cookies (Domain added, HttpOnly dropped)', async () => {
    edge.set({ mangleCookies: true });
    const report = await smoke();
    expect(failed(report)).toEqual(['web:cookies', 'web:sign-in']);
    expect(report.results.find((r) => r.target === 'web' && r.check === 'cookies')?.detail).toMatch(/not HttpOnly.*Domain=127\.0\.0\.1/);
    expect(status(report, 'web', 'balances')).toBe('skip');
  });

  it('fails config, headers, CORS and balances when the edge serves another deployment and answers for the API', async () => {
    edge.set({ staleConfig: true, stripSecurityHeaders: true, reflectCors: true, fail: { path: /^\/api\/wallet\/balances/, status: 500 } });
    const report = await smoke();
    expect(failed(report)).toEqual(['web:config', 'web:security-headers', 'web:cors', 'web:balances']);
    const detail = (check: string) => report.results.find((r) => r.target === 'web' && r.check === check)?.detail;
    expect(detail('config')).toMatch(/another deployment: version "0\.0\.0-render"/);
    expect(detail('cors')).toMatch(/origins that are not this deployment's are allowed with credentials: https:\/\/smoke-/);
  });

  it('fails CSRF when a change without the token gets through, and config when the web origin is not appUrl', async () => {
    edge.set({ injectCsrfHeader: true });
    const report = await smoke();
    expect(failed(report)).toEqual(['web:csrf']);
    edge.set({});
    // Before Vercel is switched: the API alone, with the web origin it will be reached through.
    const apiOnly = await smoke({ web: undefined, origin: edge.url, email: undefined, password: undefined });
    expect(failed(apiOnly)).toEqual([]);
    expect(apiOnly.results.find((r) => r.check === 'config')?.detail).toMatch(/apiBaseUrl = the web origin \(not tested here/);
    const wrongOrigin = await smoke({ web: undefined, origin: 'https://www.example.test', email: undefined, password: undefined });
    expect(failed(wrongOrigin)).toContain('api:config');
    expect(failed(wrongOrigin)).toContain('api:cors');
  });

  it('fails dev-tools when /api/dev/* answers on a deployment that is not a developer machine', async () => {
    edge.set({});
    // The same development server, announced as the API of a public https site: its outbox is everyone's.
    const report = await smoke({ web: undefined, origin: 'https://www.example.test', email: undefined, password: undefined });
    expect(status(report, 'api', 'dev-tools')).toBe('fail');
    expect(report.results.find((r) => r.check === 'dev-tools')?.detail).toMatch(
      /development tools answer HTTP 200 at \/api\/dev\/outbox \(environment development\).*ENVIRONMENT=production/,
    );
  });

  it('fails sign-in with a wrong password and skips what needs a session', async () => {
    edge.set({});
    const report = await smoke({ web: undefined, password: 'not the password at all' });
    expect(status(report, 'api', 'sign-in')).toBe('fail');
    expect(status(report, 'api', 'balances')).toBe('skip');
    expect(status(report, 'api', 'csrf')).toBe('skip');
  });
});

describe('npm run smoke against a misconfigured deployment', () => {
  // Works, and passes the older checks; the misconfigurations are what an attacker would use.
  let bad: ServerProcess;
  beforeAll(async () => {
    bad = await startServerProcess({
      APP_URL: edge.url,
      PUBLIC_API_URL: edge.url,
      REDIS_URL: undefined,
      LOG_LEVEL: 'warn',
      USE_CROSS_SITE_COOKIES: 'true', // behind a same-origin rewrite: cross-site cookies for nothing
      TRUST_PROXY: 'true', // trusts whatever X-Forwarded-For a caller sends
      CORS_ORIGINS: 'http://localhost:5173', // a developer's Vite server left in the list
    });
  }, 180_000);
  afterAll(async () => bad?.stop());

  it('fails cookies (SameSite=None on a same-origin deployment), cors (a wrong exact origin) and proxy-trust (a forged address)', async () => {
    const report = await runSmoke({ api: bad.url, origin: edge.url, timeoutMs: 5000, socketTimeoutMs: 8000 });
    expect(failed(report)).toEqual(['api:cors', 'api:cookies', 'api:proxy-trust']);
    const detail = (check: string) => report.results.find((r) => r.check === check)?.detail;
    expect(detail('cookies')).toMatch(/csrf_token: SameSite=None on a same-origin deployment.*USE_CROSS_SITE_COOKIES=false/);
    expect(detail('cors')).toMatch(/origins that are not this deployment's are allowed with credentials: http:\/\/localhost:5173 \(check CORS_ORIGINS\)/);
    expect(detail('proxy-trust')).toMatch(/a forged X-Forwarded-For \/ Fly-Client-IP \(203\.0\.113\.\d+\) became the client address/);
  });

  it('reports a proxy trust that only shifts the address (a hop count too high) as a failure too', async () => {
    const hops = await startServerProcess({ APP_URL: edge.url, PUBLIC_API_URL: edge.url, REDIS_URL: undefined, LOG_LEVEL: 'warn', TRUST_PROXY: '2' });
    try {
      // Direct to the origin with TRUST_PROXY=2: the forged value is the second hop from the socket.
      const report = await runSmoke({ api: hops.url, origin: edge.url, timeoutMs: 5000, socketTimeoutMs: 8000 });
      expect(failed(report)).toEqual(['api:proxy-trust']);
    } finally {
      await hops.stop();
    }
  }, 180_000);
});

describe('https redirect check', () => {
  let redirecting: Server;
  let plain: Server;
  const listen = (s: Server) =>
    new Promise<string>((r) => s.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(s.address() as { port: number }).port}/health`)));
  beforeAll(() => {
    redirecting = createServer((req, res) => res.writeHead(301, { location: `https://api.example.test${req.url}` }).end());
    plain = createServer((_req, res) => res.writeHead(200).end('ok'));
  });
  afterAll(() => {
    redirecting.close();
    plain.close();
  });
  const ctx = { url: 'https://api.example.test', opts: { timeoutMs: 3000 } } as TargetContext;

  it('passes on a redirect to https and fails when http is served as is', async () => {
    await expect(checkHttpsRedirect(ctx, await listen(redirecting))).resolves.toBe('301 → https://api.example.test/health');
    await expect(checkHttpsRedirect(ctx, await listen(plain))).rejects.toThrow(/answered HTTP 200 instead of redirecting/);
  });
});
