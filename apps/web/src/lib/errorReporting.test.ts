import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scrubEvent, scrubUrl, startErrorReporting } from './errorReporting.ts';

type SentryReact = typeof import('@sentry/react');

/** A stand-in for the SDK module: records init options (the real one is exercised by the build, not here). */
function fakeSdk() {
  const inits: Record<string, unknown>[] = [];
  let loads = 0;
  const load = async () => {
    loads += 1;
    return { init: (o: Record<string, unknown>) => inits.push(o) } as unknown as SentryReact;
  };
  return { load, inits, loads: () => loads };
}

describe('browser error reporting', () => {
  it('loads nothing without a DSN', async () => {
    const sdk = fakeSdk();
    expect(await startErrorReporting({ sentryDsn: null, version: 'abc', environment: 'production' }, sdk.load)).toBe(false);
    expect(sdk.loads()).toBe(0);
  });

  it('with a DSN, starts Sentry for this release with errors only and the scrubber', async () => {
    const sdk = fakeSdk();
    const dsn = 'https://public@o1.ingest.sentry.io/2';
    expect(await startErrorReporting({ sentryDsn: dsn, version: 'a1b2c3', environment: 'production' }, sdk.load)).toBe(true);
    expect(sdk.inits[0]).toMatchObject({ dsn, release: 'a1b2c3', environment: 'production', tracesSampleRate: 0 });
    expect(sdk.inits[0]?.dataCollection).toMatchObject({ userInfo: false, cookies: false, httpBodies: [] });
    expect(typeof sdk.inits[0]?.beforeSend).toBe('function');
  });

  it('sends no cookie, body, user or token', () => {
    const event = scrubEvent({
      request: {
        url: 'https://www.example.test/reset-password?token=r3set-s3cret&next=/',
        cookies: { access_token: 'c' },
        data: '{"password":"p"}',
        query_string: 'token=r3set-s3cret',
        headers: { Referer: 'https://www.example.test/reset-password?token=r3set-s3cret', 'User-Agent': 'UA', Cookie: 'access_token=c' },
      },
      user: { email: 'a@example.test', ip_address: '203.0.113.9' },
      breadcrumbs: [{ data: { from: '/reset-password?token=r3set-s3cret', to: '/login', url: '/api/auth/reset-password?code=123456' } }],
    });
    const sent = JSON.stringify(event);
    for (const secret of ['r3set-s3cret', 'access_token', '"password"', '203.0.113.9', 'a@example.test', '123456']) expect(sent).not.toContain(secret);
    expect(event.request?.url).toBe('https://www.example.test/reset-password?token=[redacted]&next=/');
    expect(event.request?.headers?.['User-Agent']).toBe('UA');
    expect(scrubUrl('/x?page=2&refresh_token=abc#key=def')).toBe('/x?page=2&refresh_token=[redacted]#key=[redacted]');
  });

  it('keeps the SDK out of the main bundle: @sentry is only ever imported dynamically', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) {
          if (/^import\s+(?!type\b)[^;]*from\s+'@sentry\//m.test(readFileSync(path, 'utf8'))) offenders.push(path);
        }
      }
    };
    walk(join(import.meta.dirname, '..'));
    expect(offenders).toEqual([]);
  });
});
