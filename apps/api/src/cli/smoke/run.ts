import { checkCors, checkDevTools, checkProxyTrust } from './checks-config.ts';
import { checkConfig, checkCookies, checkHealth, checkHttpsRedirect, checkPing, checkSecurityHeaders } from './checks-http.ts';
import { httpCall, jsonBody } from './http.ts';
import { checkBalances, checkCsrf, checkSignIn, SmokeSession, signOut } from './checks-session.ts';
import { socketPrices, websocketUpgrade } from './sockets.ts';
import { type CheckResult, CheckFailure, origin, type RuntimeConfigBody, type SmokeOptions, type Status, type TargetContext } from './types.ts';

export interface SmokeReport {
  ok: boolean;
  api: string;
  web: string | null;
  origin: string | null;
  results: CheckResult[];
}

async function record(results: CheckResult[], ctx: TargetContext, check: string, fn: () => Promise<string>): Promise<CheckResult> {
  const started = performance.now();
  let status: Status = 'pass';
  let detail: string;
  try {
    detail = await fn();
  } catch (err) {
    status = err instanceof CheckFailure ? err.status : 'fail';
    detail = err instanceof Error ? err.message : String(err);
  }
  const result = { target: ctx.kind, url: ctx.url, check, status, detail, ms: Math.round(performance.now() - started) };
  results.push(result);
  return result;
}

const skip = (why: string) => async (): Promise<string> => {
  throw new CheckFailure(why, 'skip');
};

async function runTarget(ctx: TargetContext, results: CheckResult[]): Promise<void> {
  await record(results, ctx, 'health', () => checkHealth(ctx));
  await record(results, ctx, 'ping', () => checkPing(ctx));
  await record(results, ctx, 'config', () => checkConfig(ctx));
  await record(results, ctx, 'https-redirect', () => checkHttpsRedirect(ctx));
  await record(results, ctx, 'security-headers', () => checkSecurityHeaders(ctx));
  await record(results, ctx, 'cors', () => checkCors(ctx));
  await record(results, ctx, 'cookies', () => checkCookies(ctx));
  await record(results, ctx, 'dev-tools', () => checkDevTools(ctx));
  await record(results, ctx, 'proxy-trust', () => checkProxyTrust(ctx));

  const path = ctx.config?.socketIoPath ?? '/socket.io/';
  const sockets = { origin: ctx.webOrigin, timeoutMs: ctx.opts.socketTimeoutMs };
  const ws = await record(results, ctx, 'websocket', async () => {
    const up = await websocketUpgrade(ctx.url, path, ctx.webOrigin, ctx.opts.timeoutMs);
    if (up.status !== 101) throw new CheckFailure(`WebSocket upgrade refused: ${up.detail}`);
    const r = await socketPrices(ctx.url, path, 'websocket', { ...sockets, count: 1 });
    if (!r.ok) throw new CheckFailure(`101 Switching Protocols, then ${r.error}`);
    return `101 Switching Protocols; prices after ${r.firstMs} ms`;
  });
  const polling = await record(results, ctx, 'polling', async () => {
    const r = await socketPrices(ctx.url, path, 'polling', { ...sockets, count: 2 });
    if (!r.ok) throw new CheckFailure(`long-polling: ${r.error}`);
    return `${r.events} prices events over long-polling (first after ${r.firstMs} ms)`;
  });
  // Whether Vercel's rewrites pass WebSocket upgrades is undocumented: through the web origin the client falls
  // back to polling (or connects to the API origin directly), so only polling is required there.
  if (ctx.kind === 'web' && ws.status === 'fail' && polling.status === 'pass') {
    ws.status = 'warn';
    ws.detail += ' — clients use long-polling through the web origin (or PUBLIC_WS_URL to reach the API directly)';
  }

  if (!ctx.opts.email || !ctx.opts.password) {
    const why = skip('pass --email and --password (an account without 2FA) to check sign-in, balances and CSRF');
    for (const name of ['sign-in', 'balances', 'csrf']) await record(results, ctx, name, why);
    return;
  }
  const session = new SmokeSession(ctx);
  try {
    const signedIn = await record(results, ctx, 'sign-in', () => checkSignIn(ctx, session));
    const after = signedIn.status === 'pass' ? null : skip('not signed in');
    await record(results, ctx, 'balances', after ?? (() => checkBalances(session)));
    await record(results, ctx, 'csrf', after ?? (() => checkCsrf(session)));
  } finally {
    await signOut(session);
  }
}

/** Every check against the API directly and, with `web`, through the web origin as a browser reaches it. */
export async function runSmoke(opts: SmokeOptions): Promise<SmokeReport> {
  const results: CheckResult[] = [];
  const explicitOrigin = opts.origin ?? opts.web;
  let apiConfig: RuntimeConfigBody | null = null;
  const targets: { kind: 'api' | 'web'; url: string }[] = [{ kind: 'api', url: opts.api }];
  if (opts.web) targets.push({ kind: 'web', url: opts.web });
  for (const t of targets) {
    const webOrigin = explicitOrigin ? origin(explicitOrigin) : apiConfig?.appUrl;
    const ctx: TargetContext = {
      kind: t.kind,
      url: t.url.replace(/\/+$/, ''),
      opts,
      webOrigin,
      requireSecure: [t.url, webOrigin, apiConfig?.appUrl].some((u) => u?.startsWith('https://')),
      config: null,
      apiConfig,
    };
    if (!ctx.webOrigin) {
      // Learn the web origin from the API itself before the checks that need it.
      ctx.webOrigin = await fetchAppUrl(ctx);
      ctx.requireSecure ||= Boolean(ctx.webOrigin?.startsWith('https://'));
    }
    await runTarget(ctx, results);
    if (t.kind === 'api') apiConfig = ctx.config;
  }
  return { ok: !results.some((r) => r.status === 'fail'), api: opts.api, web: opts.web ?? null, origin: explicitOrigin ?? null, results };
}

async function fetchAppUrl(ctx: TargetContext): Promise<string | undefined> {
  try {
    const r = await httpCall(new URL('/api/config', ctx.url).href, { timeoutMs: ctx.opts.timeoutMs });
    const appUrl = jsonBody<RuntimeConfigBody>(r)?.appUrl;
    return appUrl ? origin(appUrl) : undefined;
  } catch {
    return undefined;
  }
}
