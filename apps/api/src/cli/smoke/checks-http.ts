import { CookieJar, cookieProblems, describeCookie, header, type HttpResult, httpCall, jsonBody } from './http.ts';
import { CheckFailure, origin, type RuntimeConfigBody, sameOrigin, type TargetContext } from './types.ts';

const get = (ctx: TargetContext, path: string, headers: Record<string, string | undefined> = {}) =>
  httpCall(new URL(path, ctx.url).href, { headers, timeoutMs: ctx.opts.timeoutMs });

function expectStatus(r: HttpResult, status: number, what: string): void {
  if (r.status !== status) throw new CheckFailure(`${what}: HTTP ${r.status}${r.body ? ` ${r.body.slice(0, 120)}` : ''}`);
}

export async function checkHealth(ctx: TargetContext): Promise<string> {
  const r = await get(ctx, '/health');
  const body = jsonBody<{ status?: string; version?: string; checks?: { database?: { latencyMs?: number } } }>(r);
  if (r.status !== 200 || !body || !['ok', 'degraded'].includes(body.status ?? '')) {
    throw new CheckFailure(`/health: HTTP ${r.status} ${body?.status ?? r.body.slice(0, 80)}`);
  }
  const detail = `${body.status} · ${body.version} · database ${body.checks?.database?.latencyMs ?? '?'} ms`;
  if (body.status === 'degraded') throw new CheckFailure(`${detail} (cache or price feed unhealthy: see /health)`, 'warn');
  return detail;
}

export async function checkPing(ctx: TargetContext): Promise<string> {
  const r = await get(ctx, '/ping');
  expectStatus(r, 200, '/ping');
  if (jsonBody<{ message?: string }>(r)?.message !== 'pong') throw new CheckFailure('/ping did not answer pong');
  return `pong in ${r.ms} ms`;
}

/** /api/config must describe the deployment being tested, and the web origin must reach the same deployment. */
export async function checkConfig(ctx: TargetContext): Promise<string> {
  const r = await get(ctx, '/api/config');
  expectStatus(r, 200, '/api/config');
  const c = jsonBody<RuntimeConfigBody>(r);
  if (!c?.apiBaseUrl || !c.appUrl) throw new CheckFailure('/api/config has no apiBaseUrl/appUrl');
  ctx.config = c;
  const api = origin(ctx.opts.api);
  const web = ctx.opts.web ? origin(ctx.opts.web) : undefined;
  const base = origin(c.apiBaseUrl);
  const here = origin(ctx.url);
  const webOrigin = ctx.opts.origin ? origin(ctx.opts.origin) : undefined;
  // Before Vercel is switched, the API is tested alone with --origin: browsers will reach it through that origin.
  const expected = [...new Set([api, web, webOrigin].filter(Boolean))];
  if (!expected.includes(base)) throw new CheckFailure(`apiBaseUrl ${c.apiBaseUrl} is neither ${expected.join(' nor ')}`);
  if (ctx.webOrigin && origin(c.appUrl) !== origin(ctx.webOrigin)) {
    throw new CheckFailure(`appUrl ${c.appUrl} is not the web origin ${ctx.webOrigin}`);
  }
  if (ctx.kind === 'web' && ctx.apiConfig) {
    for (const k of ['version', 'environment', 'apiBaseUrl', 'appUrl'] as const) {
      if (ctx.apiConfig[k] !== c[k]) {
        throw new CheckFailure(`the web origin reaches another deployment: ${k} ${JSON.stringify(c[k])} here, ${JSON.stringify(ctx.apiConfig[k])} at the API`);
      }
    }
  }
  const where =
    base === here ? 'this URL' : base === web || base === webOrigin ? `the web origin${web ? '' : ' (not tested here: add --web)'}` : 'the API origin';
  return `apiBaseUrl = ${where}; ${c.environment} ${c.version}${c.region ? ` in ${c.region}` : ''}`;
}

/** An https deployment must redirect plain http to https (Fly's force_https, Vercel's default). */
export async function checkHttpsRedirect(ctx: TargetContext, httpUrl?: string): Promise<string> {
  const u = new URL(ctx.url);
  if (u.protocol !== 'https:' && !httpUrl) throw new CheckFailure('the URL is http: nothing to redirect', 'skip');
  const plain = httpUrl ?? `http://${u.host}/health`;
  const r = await httpCall(plain, { timeoutMs: ctx.opts.timeoutMs });
  const location = header(r, 'location') ?? '';
  if (![301, 302, 307, 308].includes(r.status) || !location.startsWith('https://')) {
    throw new CheckFailure(`${plain} answered HTTP ${r.status}${location ? ` → ${location}` : ''} instead of redirecting to https`);
  }
  return `${r.status} → ${location}`;
}

function headerProblems(r: HttpResult, https: boolean): string[] {
  const problems: string[] = [];
  const csp = header(r, 'content-security-policy') ?? '';
  if (header(r, 'x-content-type-options')?.toLowerCase() !== 'nosniff') problems.push('X-Content-Type-Options');
  if (!header(r, 'referrer-policy')) problems.push('Referrer-Policy');
  if (!csp) problems.push('Content-Security-Policy');
  if (!/frame-ancestors/.test(csp) && !header(r, 'x-frame-options')) problems.push('frame-ancestors / X-Frame-Options');
  if (https) {
    const maxAge = Number(/max-age=(\d+)/.exec(header(r, 'strict-transport-security') ?? '')?.[1] ?? 0);
    if (maxAge < 15_552_000) problems.push('Strict-Transport-Security (≥ 180 days)');
  }
  if (header(r, 'x-powered-by')) problems.push(`X-Powered-By leaks ${header(r, 'x-powered-by')}`);
  return problems;
}

export async function checkSecurityHeaders(ctx: TargetContext): Promise<string> {
  const https = new URL(ctx.url).protocol === 'https:';
  const api = await get(ctx, '/api/config');
  const problems = headerProblems(api, https).map((p) => `API: ${p}`);
  let pages = '';
  if (ctx.kind === 'web') {
    const page = await get(ctx, '/', { accept: 'text/html' });
    if (page.status === 200 && /text\/html/.test(header(page, 'content-type') ?? '')) {
      problems.push(...headerProblems(page, https).map((p) => `page: ${p}`));
      pages = ' and on the page';
    }
  }
  if (problems.length) throw new CheckFailure(`missing or weak: ${problems.join(', ')}`);
  return `CSP, nosniff, frame-ancestors, Referrer-Policy${https ? ', HSTS' : ''} on the API${pages}`;
}

/** The CSRF cookie from /api/csrf: attributes a rewrite must not change, and the body/cookie pair. */
export async function checkCookies(ctx: TargetContext): Promise<string> {
  const r = await get(ctx, '/api/csrf', { origin: ctx.webOrigin });
  expectStatus(r, 200, '/api/csrf');
  const cookie = new CookieJar().store(r).find((c) => c.name === 'csrf_token');
  if (!cookie) throw new CheckFailure('/api/csrf set no csrf_token cookie');
  const problems = cookieProblems(cookie, ctx.requireSecure, sameOrigin(ctx));
  if (problems.length) throw new CheckFailure(`csrf_token: ${problems.join(', ')}`);
  if (jsonBody<{ csrfToken?: string }>(r)?.csrfToken !== decodeURIComponent(cookie.value)) {
    throw new CheckFailure('csrf_token cookie differs from the token in the body');
  }
  return describeCookie(cookie);
}
