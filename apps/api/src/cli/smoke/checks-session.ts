import { CookieJar, cookieProblems, describeCookie, httpCall, jsonBody } from './http.ts';
import { CheckFailure, sameOrigin, type TargetContext } from './types.ts';

/** A signed-in browser-like session against one target: cookies only, CSRF header when the API asks for it. */
export class SmokeSession {
  readonly jar = new CookieJar();
  csrfToken: string | undefined;

  constructor(private readonly ctx: TargetContext) {}

  call(method: string, path: string, opts: { body?: unknown; csrf?: boolean } = {}) {
    return httpCall(new URL(path, this.ctx.url).href, {
      method,
      body: opts.body,
      headers: {
        origin: this.ctx.webOrigin,
        cookie: this.jar.header(),
        'x-csrf-token': opts.csrf === false ? undefined : this.csrfToken,
      },
      timeoutMs: this.ctx.opts.timeoutMs,
    });
  }
}

function errorCode(body: string): string {
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code ?? body.slice(0, 80);
  } catch {
    return body.slice(0, 80);
  }
}

export async function checkSignIn(ctx: TargetContext, session: SmokeSession): Promise<string> {
  const r = await session.call('POST', '/api/auth/login', { body: { email: ctx.opts.email, password: ctx.opts.password }, csrf: false });
  if (r.status !== 200) {
    const code = errorCode(r.body);
    const hint = code === 'TOTP_REQUIRED' ? ' (use a smoke-test account without 2FA)' : '';
    throw new CheckFailure(`login: HTTP ${r.status} ${code}${hint}`);
  }
  const cookies = session.jar.store(r);
  const described: string[] = [];
  for (const name of ['access_token', 'refresh_token']) {
    const c = cookies.find((x) => x.name === name);
    if (!c) throw new CheckFailure(`login set no ${name} cookie`);
    const problems = cookieProblems(c, ctx.requireSecure, sameOrigin(ctx));
    if (problems.length) throw new CheckFailure(`${name}: ${problems.join(', ')}`);
    described.push(describeCookie(c));
  }
  const csrf = await session.call('GET', '/api/csrf');
  session.jar.store(csrf);
  session.csrfToken = jsonBody<{ csrfToken?: string }>(csrf)?.csrfToken;
  if (!session.csrfToken) throw new CheckFailure('no CSRF token for the session');
  return described.join(' · ');
}

export async function checkBalances(session: SmokeSession): Promise<string> {
  const r = await session.call('GET', '/api/wallet/balances');
  if (r.status !== 200) throw new CheckFailure(`/api/wallet/balances: HTTP ${r.status} ${errorCode(r.body)}`);
  const body = jsonBody<{ items?: { asset: string; total: string }[]; totalUsd?: string }>(r);
  if (!Array.isArray(body?.items) || typeof body.totalUsd !== 'string' || !/^-?\d+(\.\d+)?$/.test(body.totalUsd)) {
    throw new CheckFailure('/api/wallet/balances: unexpected shape (items[] and a decimal-string totalUsd expected)');
  }
  return `${body.items.length} asset(s), total ${body.totalUsd} USD`;
}

/** A cookie-authenticated change without X-CSRF-Token must be refused; the same change with it must pass. */
export async function checkCsrf(session: SmokeSession): Promise<string> {
  const me = await session.call('GET', '/api/auth/me');
  const name = jsonBody<{ name?: string }>(me)?.name;
  if (me.status !== 200 || typeof name !== 'string') throw new CheckFailure(`/api/auth/me: HTTP ${me.status}`);
  const without = await session.call('PATCH', '/api/auth/me', { body: { name }, csrf: false });
  if (without.status !== 403 || errorCode(without.body) !== 'CSRF_INVALID') {
    throw new CheckFailure(`a change without X-CSRF-Token answered HTTP ${without.status} ${errorCode(without.body)} (403 CSRF_INVALID expected)`);
  }
  const withToken = await session.call('PATCH', '/api/auth/me', { body: { name } });
  if (withToken.status !== 200) throw new CheckFailure(`the same change with its token answered HTTP ${withToken.status} ${errorCode(withToken.body)}`);
  return 'refused without X-CSRF-Token (403 CSRF_INVALID), accepted with it';
}

export async function signOut(session: SmokeSession): Promise<void> {
  if (!session.jar.get('access_token')) return;
  await session.call('POST', '/api/auth/logout').catch(() => undefined);
}
