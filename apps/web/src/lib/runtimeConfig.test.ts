import { describe, expect, it } from 'vitest';
import { loadRuntimeConfig, relativeTo } from './runtimeConfig.ts';

const page = 'https://www.cryptovault.financial';
const serverConfig = (over: Record<string, unknown> = {}) => ({
  appUrl: page,
  apiBaseUrl: page,
  wsBaseUrl: 'wss://www.cryptovault.financial',
  socketIoPath: '/socket.io/',
  environment: 'production',
  version: '1.2.3',
  region: 'iad',
  sentryDsn: null,
  features: { simulatedPayments: false },
  ...over,
});
const fetchReturning = (body: unknown, seen: string[] = []) =>
  (async (url: RequestInfo | URL) => {
    seen.push(String(url));
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;

describe('runtimeConfig', () => {
  it('reads /api/config relatively and stays same-origin', async () => {
    const seen: string[] = [];
    const c = await loadRuntimeConfig({ pageOrigin: page, fetch: fetchReturning(serverConfig(), seen) });
    expect(seen).toEqual(['/api/config']);
    expect(c).toMatchObject({ apiBaseUrl: '', socketUrl: '', environment: 'production', version: '1.2.3', source: 'server' });
  });

  it('points the socket at a separately advertised origin (e.g. WebSocket straight to Fly)', async () => {
    const c = await loadRuntimeConfig({ pageOrigin: page, fetch: fetchReturning(serverConfig({ wsBaseUrl: 'wss://cryptovault-api.fly.dev' })) });
    expect(c.apiBaseUrl).toBe('');
    expect(c.socketUrl).toBe('https://cryptovault-api.fly.dev');
  });

  it('uses VITE_API_BASE_URL to find the config, and the server-advertised API origin after that', async () => {
    const seen: string[] = [];
    const c = await loadRuntimeConfig({
      pageOrigin: page,
      envApiBaseUrl: 'https://api.cryptovault.financial',
      fetch: fetchReturning(serverConfig({ apiBaseUrl: 'https://api.cryptovault.financial', wsBaseUrl: 'wss://api.cryptovault.financial' }), seen),
    });
    expect(seen).toEqual(['https://api.cryptovault.financial/api/config']);
    expect(c).toMatchObject({ apiBaseUrl: 'https://api.cryptovault.financial', socketUrl: 'https://api.cryptovault.financial' });
  });

  it('falls back to VITE_API_BASE_URL when /api/config does not answer in time', async () => {
    const hanging = ((_u: RequestInfo | URL, init?: RequestInit) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))))) as typeof fetch;
    const started = Date.now();
    const c = await loadRuntimeConfig({ pageOrigin: page, envApiBaseUrl: 'https://api.example.com/', fetch: hanging, timeoutMs: 50 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(c).toMatchObject({ apiBaseUrl: 'https://api.example.com', source: 'env' });
  });

  it('defaults to relative /api when nothing is configured and the config is unusable', async () => {
    const c = await loadRuntimeConfig({ pageOrigin: page, fetch: fetchReturning({ nonsense: true }) });
    expect(c).toMatchObject({ apiBaseUrl: '', socketUrl: '', source: 'default', socketIoPath: '/socket.io/' });
  });

  it('treats the page origin as relative and strips a trailing /api', () => {
    expect(relativeTo('https://www.cryptovault.financial/', page)).toBe('');
    expect(relativeTo('https://x.fly.dev/api', page)).toBe('https://x.fly.dev');
    expect(relativeTo('ws://localhost:8001', 'http://localhost:8001')).toBe('');
  });
});
