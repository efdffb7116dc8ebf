import { randomBytes } from 'node:crypto';
import { header, type HttpResult, httpCall, jsonBody } from './http.ts';
import { CheckFailure, origin, type TargetContext } from './types.ts';

/**
 * Checks for deployments that work but are misconfigured in a way that only an attacker notices: development tools
 * left open, proxy trust that lets a caller choose its own address, CORS entries that are not the deployment's own
 * origins.
 */

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

/** A deployment reached on loopback over plain http is a developer's machine; anything else is a real deployment. */
export function isLocalDeployment(ctx: TargetContext): boolean {
  return [ctx.url, ctx.webOrigin].every((u) => {
    if (!u) return true;
    const url = new URL(u);
    return url.protocol === 'http:' && LOOPBACK.test(url.hostname);
  });
}

/**
 * Development tools (`/api/dev/*`: the email outbox with every sign-up code, price setting, simulated payment
 * completion) must not answer on a real deployment. Only a read is sent: the outbox for an address nobody owns.
 */
export async function checkDevTools(ctx: TargetContext): Promise<string> {
  const probe = `/api/dev/outbox?to=smoke-${randomBytes(4).toString('hex')}%40example.invalid`;
  const r = await httpCall(new URL(probe, ctx.url).href, { timeoutMs: ctx.opts.timeoutMs });
  if (r.status === 404) return '/api/dev/* answers 404';
  const env = ctx.config?.environment ?? 'unknown';
  const what = `development tools answer HTTP ${r.status} at /api/dev/outbox (environment ${env})`;
  if (isLocalDeployment(ctx) && (env === 'development' || env === 'test')) throw new CheckFailure(`${what}: expected on a developer's machine`, 'warn');
  throw new CheckFailure(`${what}: anyone can read sign-up codes and set prices; set ENVIRONMENT=production`);
}

const TEST_NET = () => `203.0.113.${1 + Math.floor(Math.random() * 250)}`;

async function seenAddress(ctx: TargetContext, headers: Record<string, string> = {}): Promise<string | null> {
  const r = await httpCall(new URL('/api/fly/region', ctx.url).href, { headers, timeoutMs: ctx.opts.timeoutMs });
  if (r.status === 404) return null;
  if (r.status !== 200) throw new CheckFailure(`/api/fly/region: HTTP ${r.status}`);
  const ip = jsonBody<{ clientIp?: string }>(r)?.clientIp;
  if (typeof ip !== 'string') throw new CheckFailure('/api/fly/region gives no clientIp (a deployment older than this check)', 'skip');
  return ip;
}

/**
 * Sends the forwarding headers a client could forge and sees whether the server's view of the caller (which rate
 * limits and lockouts key on) follows them. It must not: only the proxies in front of the server may set them.
 */
export async function checkProxyTrust(ctx: TargetContext): Promise<string> {
  const plain = await seenAddress(ctx);
  if (plain === null) throw new CheckFailure('/api/fly/region not found', 'skip');
  const forged = TEST_NET();
  const spoofed = await seenAddress(ctx, { 'x-forwarded-for': forged, 'fly-client-ip': forged, 'x-real-ip': forged, 'true-client-ip': forged });
  if (spoofed === forged) {
    throw new CheckFailure(
      `a forged X-Forwarded-For / Fly-Client-IP (${forged}) became the client address: callers choose their own rate-limit key (check TRUST_PROXY)`,
    );
  }
  if (spoofed !== plain) {
    throw new CheckFailure(
      `forged forwarding headers changed the client address (${plain} → ${spoofed}): proxy trust reaches past the real proxies (check TRUST_PROXY)`,
    );
  }
  if (!isLocalDeployment(ctx) && /^(127\.|10\.|172\.(1[6-9]|2\d|3[01])\.|192\.168\.|::1$|f[cd])/i.test(plain)) {
    throw new CheckFailure(
      `the server sees ${plain}, a private address (a proxy's, not the caller's): every client shares one rate limit (check TRUST_PROXY)`,
      'warn',
    );
  }
  return `the server sees this client as ${plain}, with or without forged forwarding headers`;
}

function preflight(ctx: TargetContext, from: string): Promise<HttpResult> {
  return httpCall(new URL('/api/auth/login', ctx.url).href, {
    method: 'OPTIONS',
    headers: { origin: from, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-csrf-token' },
    timeoutMs: ctx.opts.timeoutMs,
  });
}

/**
 * Origins that must never be allowed with credentials: foreign sites, look-alikes of the web origin (suffix tricks,
 * other apps under a public suffix), `null` (sandboxed frames, file: pages), the web origin over plain http, and
 * the development servers a CORS list tends to keep from a developer's machine.
 */
export function corsProbes(webOrigin: string, own: string[]): string[] {
  const tag = randomBytes(3).toString('hex');
  const web = new URL(webOrigin);
  const probes = [
    `https://smoke-${tag}.example.net`,
    `https://${web.host}.smoke-${tag}.example.net`,
    `https://smoke${tag}${web.hostname.replace(/\./g, '')}.example.net`,
    `https://cryptovault-smoke-${tag}.vercel.app`,
    'null',
    'http://localhost:5173',
    'http://localhost:3000',
    'http://127.0.0.1:5173',
  ];
  if (web.protocol === 'https:') probes.push(`http://${web.host}`);
  return probes.filter((p) => !own.includes(p));
}

/** The web origin may call with credentials; nothing that is not one of the deployment's own origins may. */
export async function checkCors(ctx: TargetContext): Promise<string> {
  if (!ctx.webOrigin) throw new CheckFailure('no web origin known (pass --origin)', 'skip');
  const web = origin(ctx.webOrigin);
  const ok = await preflight(ctx, web);
  if (ok.status >= 300 || header(ok, 'access-control-allow-origin') !== web || header(ok, 'access-control-allow-credentials') !== 'true') {
    throw new CheckFailure(`preflight from ${web} not allowed: HTTP ${ok.status}, Allow-Origin ${header(ok, 'access-control-allow-origin') ?? '-'}`);
  }
  const own = [web, origin(ctx.url), ...[ctx.config?.apiBaseUrl, ctx.config?.appUrl].filter((u): u is string => Boolean(u)).map(origin)];
  const probes = corsProbes(web, own);
  const allowed: string[] = [];
  for (const f of probes) {
    const r = await preflight(ctx, f);
    const echoed = header(r, 'access-control-allow-origin');
    if (echoed === f || echoed === '*') allowed.push(f);
  }
  if (allowed.length) {
    throw new CheckFailure(`origins that are not this deployment's are allowed with credentials: ${allowed.join(', ')} (check CORS_ORIGINS)`);
  }
  return `allowed for ${web}; refused for ${probes.length} others (foreign, look-alikes, null, http, dev servers)`;
}
