import { runtimeConfigResponse } from '@cryptovault/contract';

export interface WebConfig {
  /** Prefix for `/api/...` paths: '' when the API is on the page's origin (embedded, or Vercel rewrites). */
  apiBaseUrl: string;
  /** Socket.IO origin: '' for the page's origin. */
  socketUrl: string;
  socketIoPath: string;
  environment: string;
  version: string;
  features: Record<string, boolean>;
  /** Sentry's public DSN for browser errors; null when the deployment sets none (nothing Sentry is loaded). */
  sentryDsn: string | null;
  /** Where the values came from, shown in the footer for support. */
  source: 'server' | 'env' | 'default';
}

export interface LoadOptions {
  /** `import.meta.env.VITE_API_BASE_URL` (read in main.tsx, the web app's one reader of import.meta.env). */
  envApiBaseUrl?: string | undefined;
  pageOrigin: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** '' when `url` points at the page's own origin; otherwise its origin plus path, without a trailing slash. */
export function relativeTo(url: string, pageOrigin: string): string {
  if (!url) return '';
  try {
    // Socket.IO wants http(s); the server may advertise ws(s).
    const u = new URL(url.replace(/^ws(s?):/i, 'http$1:'), pageOrigin);
    if (u.origin === pageOrigin) return '';
    const origin = u.origin;
    const path = u.pathname.replace(/\/+$/, '').replace(/\/api$/, '');
    return `${origin}${path}`;
  } catch {
    return '';
  }
}

/**
 * Reads `/api/config` before the app renders, so one build works on every deployment: same-origin by default
 * (relative `/api`, which Vercel rewrites to the API), `VITE_API_BASE_URL` when the config endpoint cannot be
 * reached in time, and whatever the server advertises when it can.
 */
export async function loadRuntimeConfig(o: LoadOptions): Promise<WebConfig> {
  const envBase = relativeTo(o.envApiBaseUrl ?? '', o.pageOrigin);
  const fallback: WebConfig = {
    apiBaseUrl: envBase,
    socketUrl: envBase,
    socketIoPath: '/socket.io/',
    environment: 'unknown',
    version: 'unknown',
    features: {},
    sentryDsn: null,
    source: envBase ? 'env' : 'default',
  };
  const doFetch = o.fetch ?? ((input, init) => globalThis.fetch(input, init));
  try {
    const res = await doFetch(`${envBase}/api/config`, {
      credentials: 'include',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(o.timeoutMs ?? 2_500),
    });
    if (!res.ok) return fallback;
    const parsed = runtimeConfigResponse.safeParse(await res.json());
    if (!parsed.success) return fallback;
    const c = parsed.data;
    // A config fetched relatively proves the API answers on this origin (embedded, or behind a rewrite): keep
    // using it even when the server names its public URL differently (localhost vs 127.0.0.1, a preview URL).
    const apiBaseUrl = envBase === '' ? '' : relativeTo(c.apiBaseUrl, o.pageOrigin);
    // The socket goes elsewhere only when the server advertises a socket origin of its own.
    const separateSocket = c.wsBaseUrl && relativeTo(c.wsBaseUrl, o.pageOrigin) !== relativeTo(c.apiBaseUrl, o.pageOrigin);
    return {
      apiBaseUrl,
      socketUrl: separateSocket ? relativeTo(c.wsBaseUrl, o.pageOrigin) : apiBaseUrl,
      socketIoPath: c.socketIoPath || '/socket.io/',
      environment: c.environment,
      version: c.version,
      features: c.features,
      sentryDsn: c.sentryDsn,
      source: 'server',
    };
  } catch {
    return fallback;
  }
}

let current: WebConfig | null = null;

export function setRuntimeConfig(c: WebConfig): void {
  current = c;
}

export function runtimeConfig(): WebConfig {
  if (!current) throw new Error('runtime config read before loadRuntimeConfig() finished');
  return current;
}
