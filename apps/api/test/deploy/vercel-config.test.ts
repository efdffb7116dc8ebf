import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { EDGE_SECRET_HEADER, parseApiOrigin, type VercelConfig, type VercelTransform, vercelConfig } from '../../../web/scripts/vercel-config.mjs';
import { EDGE_SECRET_HEADER as API_EDGE_SECRET_HEADER } from '../../src/platform/client-address.ts';
import { REPO_ROOT } from './paths.ts';

const API = 'https://api.example.test';
const SECRET_VALUE = 'edge-secret-value-0123456789abcdef0123456789';
const config = vercelConfig({ API_ORIGIN: API, EDGE_PROXY_SECRET: SECRET_VALUE });

interface Routed {
  to: string;
  headers: Record<string, string>;
  transforms: VercelTransform[];
}

/**
 * Where Vercel's routing sends a request path, as far as this config uses it: `continue` routes add response
 * headers, the first route with a `dest` ends it (`$1` from its match), `handle: filesystem` serves a file in dist.
 */
function routed(cfg: VercelConfig, path: string, files: string[] = ['/index.html', '/assets/index-abc123.js']): Routed {
  const headers: Record<string, string> = {};
  for (const r of cfg.routes) {
    if ('handle' in r) {
      if (files.includes(path)) return { to: `file:${path}`, headers, transforms: [] };
      continue;
    }
    const m = new RegExp(r.src).exec(path);
    if (!m) continue;
    if ('headers' in r) {
      for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = v;
      continue;
    }
    return { to: r.dest.replace(/\$(\d)/g, (_s, i: string) => m[Number(i)] ?? ''), headers, transforms: r.transforms ?? [] };
  }
  return { to: '404', headers, transforms: [] };
}

const route = (cfg: VercelConfig, path: string, files?: string[]) => routed(cfg, path, files).to;
const headersFor = (cfg: VercelConfig, path: string) => routed(cfg, path).headers;

describe('Vercel configuration generated from API_ORIGIN', () => {
  it('rewrites the API paths and Socket.IO to the API origin', () => {
    expect(route(config, '/api/auth/login')).toBe(`${API}/api/auth/login`);
    expect(route(config, '/api/crypto/bitcoin/history')).toBe(`${API}/api/crypto/bitcoin/history`);
    expect(route(config, '/health')).toBe(`${API}/health`);
    expect(route(config, '/ping')).toBe(`${API}/ping`);
    expect(route(config, '/csrf')).toBe(`${API}/csrf`);
    expect(route(config, '/socket.io/')).toBe(`${API}/socket.io/`);
  });

  it('serves files first, then falls back to the SPA, but never turns a missing asset into HTML', () => {
    expect(route(config, '/assets/index-abc123.js')).toBe('file:/assets/index-abc123.js');
    expect(route(config, '/portfolio')).toBe('/index.html');
    expect(route(config, '/trade/BTC-USD')).toBe('/index.html');
    expect(route(config, '/assets/gone-000.js')).toBe('404');
    const last = config.routes[config.routes.length - 1];
    expect(last && 'dest' in last ? last.dest : null).toBe('/index.html');
  });

  it('sends the edge secret on every request it forwards to the API, by reference to the project variable', () => {
    expect(EDGE_SECRET_HEADER).toBe(API_EDGE_SECRET_HEADER);
    for (const path of ['/api/auth/login', '/api/crypto/bitcoin/history', '/health', '/ping', '/csrf', '/socket.io/', '/socket.io/x']) {
      const { to, transforms } = routed(config, path);
      expect(to.startsWith(API), path).toBe(true);
      // A header a client sent under that name is dropped, then Vercel sets the project's value per request.
      expect(transforms).toEqual([
        { type: 'request.headers', op: 'delete', target: { key: EDGE_SECRET_HEADER } },
        { type: 'request.headers', op: 'set', target: { key: EDGE_SECRET_HEADER }, args: '$EDGE_PROXY_SECRET', env: ['EDGE_PROXY_SECRET'] },
      ]);
    }
    expect(routed(config, '/portfolio').transforms).toEqual([]);
    // The value itself never lands in the build output.
    expect(JSON.stringify(config)).not.toContain(SECRET_VALUE);
  });

  it('refuses to build without EDGE_PROXY_SECRET in the project, so no deployment forwards requests the API cannot tell apart', () => {
    expect(() => vercelConfig({ API_ORIGIN: API })).toThrow(/EDGE_PROXY_SECRET is not set/);
  });

  it('puts security headers on pages and long caching on hashed assets only', () => {
    const page = headersFor(config, '/portfolio');
    expect(page['strict-transport-security']).toMatch(/max-age=\d{8}/);
    expect(page['x-content-type-options']).toBe('nosniff');
    expect(page['x-frame-options']).toBe('DENY');
    expect(page['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(page['content-security-policy']).toContain(`connect-src 'self' ${API} wss://api.example.test`);
    expect(page['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headersFor(config, '/assets/index-abc123.js')['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(headersFor(config, '/')['cache-control']).toBe('no-cache');
    expect(headersFor(config, '/index.html')['cache-control']).toBe('no-cache');
    // API responses keep the API's own headers (no conflicting duplicates added by Vercel).
    expect(headersFor(config, '/api/auth/login')['x-frame-options']).toBeUndefined();
    expect(headersFor(config, '/socket.io/')['content-security-policy']).toBeUndefined();
  });

  it('names the API host only where API_ORIGIN put it', () => {
    const other = vercelConfig({ API_ORIGIN: 'https://api.other.test', EDGE_PROXY_SECRET: SECRET_VALUE });
    const json = JSON.stringify(other);
    expect(json).not.toContain('api.example.test');
    const hosts = new Set([...json.matchAll(/https?:\/\/([a-z0-9.-]+)/g)].map((m) => m[1]));
    hosts.delete('openapi.vercel.sh');
    expect([...hosts]).toEqual(['api.other.test']);
  });

  it('builds the Vite app from apps/web', () => {
    expect(config).toMatchObject({ framework: 'vite', buildCommand: 'npm run build', outputDirectory: 'dist' });
  });

  it('refuses a missing or malformed API_ORIGIN instead of deploying a site that points nowhere', () => {
    expect(() => vercelConfig({})).toThrow(/API_ORIGIN is not set/);
    expect(() => parseApiOrigin('api.example.test')).toThrow(/not a URL/);
    expect(() => parseApiOrigin('http://api.example.test')).toThrow(/https/);
    expect(() => parseApiOrigin('https://api.example.test/api')).toThrow(/origin only/);
    expect(parseApiOrigin('https://api.example.test/')).toBe(API);
    expect(parseApiOrigin('http://127.0.0.1:8001')).toBe('http://127.0.0.1:8001');
  });

  it('is what apps/web/vercel.mjs exports when Vercel evaluates it with plain node', () => {
    const load = (env: Record<string, string>) =>
      spawnSync(process.execPath, ['--input-type=module', '-e', "const m = await import('./apps/web/vercel.mjs'); console.log(JSON.stringify(m.config))"], {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? '', ...env },
        encoding: 'utf8',
      });
    const ok = load({ API_ORIGIN: API, EDGE_PROXY_SECRET: SECRET_VALUE });
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual(config);
    const missing = load({ EDGE_PROXY_SECRET: SECRET_VALUE });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/API_ORIGIN is not set/);
  });
});
