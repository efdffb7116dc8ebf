import { type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** One HTTP exchange, never following redirects (the smoke checks redirects themselves). */
export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  /** Every Set-Cookie line, unparsed. */
  setCookies: string[];
  body: string;
  ms: number;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string | undefined>;
  body?: unknown;
  timeoutMs: number;
}

export function httpCall(url: string, opts: HttpOptions): Promise<HttpResult> {
  const u = new URL(url);
  const started = performance.now();
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'cryptovault-smoke' };
  for (const [k, v] of Object.entries(opts.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(u, { method: opts.method ?? 'GET', headers, timeout: opts.timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = res.headers['set-cookie'];
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          setCookies: Array.isArray(raw) ? raw : raw ? [raw] : [],
          body: Buffer.concat(chunks).toString('utf8'),
          ms: Math.round(performance.now() - started),
        });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

export function jsonBody<T>(r: HttpResult): T | null {
  try {
    return JSON.parse(r.body) as T;
  } catch {
    return null;
  }
}

export function header(r: HttpResult, name: string): string | undefined {
  const v = r.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

export interface SetCookie {
  name: string;
  value: string;
  /** Attribute names lower-cased → value ('' for flags). */
  attrs: Map<string, string>;
}

export function parseSetCookie(line: string): SetCookie {
  const [pair = '', ...parts] = line.split(';');
  const eq = pair.indexOf('=');
  const attrs = new Map<string, string>();
  for (const p of parts) {
    const i = p.indexOf('=');
    const key = (i < 0 ? p : p.slice(0, i)).trim().toLowerCase();
    if (key) attrs.set(key, i < 0 ? '' : p.slice(i + 1).trim());
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attrs };
}

/**
 * Problems with a session or CSRF cookie: HttpOnly, Secure (when required), SameSite, host-only, Path=/, and
 * SameSite=None on a same-origin deployment (USE_CROSS_SITE_COOKIES left on behind a rewrite).
 */
export function cookieProblems(c: SetCookie, requireSecure: boolean, sameOriginDeployment = false): string[] {
  const problems: string[] = [];
  const sameSite = c.attrs.get('samesite')?.toLowerCase();
  if (!c.attrs.has('httponly')) problems.push('not HttpOnly');
  if (requireSecure && !c.attrs.has('secure')) problems.push('not Secure');
  if (!sameSite) problems.push('no SameSite');
  else if (sameSite === 'none' && !c.attrs.has('secure')) problems.push('SameSite=None without Secure (browsers drop it)');
  else if (sameSite === 'none' && sameOriginDeployment) {
    problems.push('SameSite=None on a same-origin deployment: the cookie travels with requests from any site (set USE_CROSS_SITE_COOKIES=false)');
  }
  if (c.attrs.has('domain')) problems.push(`Domain=${c.attrs.get('domain')} (must be host-only to survive a rewrite)`);
  if ((c.attrs.get('path') ?? '/') !== '/') problems.push(`Path=${c.attrs.get('path')}`);
  return problems;
}

export function describeCookie(c: SetCookie): string {
  const flags = [c.attrs.has('httponly') ? 'HttpOnly' : null, c.attrs.has('secure') ? 'Secure' : null, `SameSite=${c.attrs.get('samesite') ?? '-'}`];
  return `${c.name}: ${flags.filter(Boolean).join('; ')}; ${c.attrs.has('domain') ? `Domain=${c.attrs.get('domain')}` : 'host-only'}`;
}

/** A minimal cookie jar: name → value, as a browser would send back to the same host. */
export class CookieJar {
  private readonly jar = new Map<string, string>();

  store(r: HttpResult): SetCookie[] {
    const parsed = r.setCookies.map(parseSetCookie);
    for (const c of parsed) {
      const expired = c.attrs.get('max-age') === '0' || c.value === '';
      if (expired) this.jar.delete(c.name);
      else this.jar.set(c.name, c.value);
    }
    return parsed;
  }

  get(name: string): string | undefined {
    return this.jar.get(name);
  }

  header(): string | undefined {
    return this.jar.size ? [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ') : undefined;
  }
}
