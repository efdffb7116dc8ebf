import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseApiOrigin, type VercelConfig, vercelConfig } from '../../../web/scripts/vercel-config.mjs';
import { REPO_ROOT } from './paths.ts';

const API = 'https://api.example.test';
const config = vercelConfig({ API_ORIGIN: API });

/** Vercel source syntax, as far as this config uses it: literal paths, `/:name*` tails and raw regex groups. */
function sourceRegex(source: string): RegExp {
  let re = '';
  for (let i = 0; i < source.length; ) {
    const tail = /^\/:(\w+)\*/.exec(source.slice(i));
    if (tail) {
      re += `(?:/(?<${tail[1]}>.*))?`;
      i += tail[0].length;
    } else if (source[i] === '(') {
      let depth = 0;
      let j = i;
      for (; j < source.length; j++) {
        if (source[j] === '(') depth++;
        if (source[j] === ')' && --depth === 0) break;
      }
      re += source.slice(i, j + 1);
      i = j + 1;
    } else {
      re += source[i]!.replace(/[.*+?^${}|[\]\\]/g, '\\$&');
      i++;
    }
  }
  return new RegExp(`^${re}$`);
}

/** Where Vercel sends a request path: a static file, or the first matching rewrite. */
function route(cfg: VercelConfig, path: string, files: string[] = ['/index.html', '/assets/index-abc123.js']): string {
  if (files.includes(path)) return `file:${path}`;
  for (const r of cfg.rewrites) {
    const m = sourceRegex(r.source).exec(path);
    if (m) return r.destination.replace(/:(\w+)\*/g, (_s, name: string) => m.groups?.[name] ?? '');
  }
  return '404';
}

function headersFor(cfg: VercelConfig, path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rule of cfg.headers) if (sourceRegex(rule.source).test(path)) for (const h of rule.headers) out[h.key.toLowerCase()] = h.value;
  return out;
}

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
    const spa = config.rewrites.findIndex((r) => r.destination === '/index.html');
    expect(spa).toBe(config.rewrites.length - 1);
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
    const other = vercelConfig({ API_ORIGIN: 'https://api.other.test' });
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
    const ok = load({ API_ORIGIN: API });
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual(config);
    const missing = load({});
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/API_ORIGIN is not set/);
  });
});
