import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { isSameOrigin, originAllowedFor, requestOrigin } from './same-origin.ts';

function req(headers: Record<string, string>, encrypted = false): IncomingMessage {
  return { headers, socket: { encrypted } } as unknown as IncomingMessage;
}

const dev = loadConfig({ ENVIRONMENT: 'test' }).config;
const prod = loadConfig({
  ENVIRONMENT: 'production',
  JWT_SECRET: 'j'.repeat(20) + 'k'.repeat(20),
  CSRF_SECRET: 'c'.repeat(20) + 'd'.repeat(20),
  DATA_ENCRYPTION_KEY: 'e'.repeat(20) + 'f'.repeat(20),
  DATABASE_URL: 'postgres://u:p@db:5432/cv',
  REDIS_URL: 'redis://redis:6379',
  APP_URL: 'https://www.cryptovault.financial',
  PUBLIC_API_URL: 'https://www.cryptovault.financial',
  SENDGRID_API_KEY: 'SG.x',
  NOWPAYMENTS_API_KEY: 'np',
  NOWPAYMENTS_IPN_SECRET: 'ipn-secret-0123456789',
  COINCAP_API_KEY: 'cc',
  PROOF_SIGNING_KEY: 'KAsx0Ad3LzmK9vwcgF2mRTcQzOl6l9BD8QNgUJ4fSbk=',
  TRUST_PROXY: 'fly',
  FLY_APP_NAME: 'cryptovault-api',
}).config;

describe('same-origin pages', () => {
  it("outside production: Origin equal to the request's own scheme and Host passes, whatever APP_URL says", () => {
    expect(dev.appUrl).toBe('http://localhost:8001');
    expect(requestOrigin(req({ host: '127.0.0.1:8001' }), dev)).toBe('http://127.0.0.1:8001');
    expect(originAllowedFor('http://127.0.0.1:8001', req({ host: '127.0.0.1:8001' }), dev)).toBe(true);
    expect(originAllowedFor('http://192.168.1.20:8001', req({ host: '192.168.1.20:8001' }), dev)).toBe(true);
    // Not the request's own origin: another host, port or scheme.
    expect(originAllowedFor('http://evil.example', req({ host: '127.0.0.1:8001' }), dev)).toBe(false);
    expect(originAllowedFor('http://127.0.0.1:9999', req({ host: '127.0.0.1:8001' }), dev)).toBe(false);
    expect(originAllowedFor('https://127.0.0.1:8001', req({ host: '127.0.0.1:8001' }), dev)).toBe(false);
    // X-Forwarded-Proto is not believed without a trusted proxy.
    expect(isSameOrigin('https://127.0.0.1:8001', req({ host: '127.0.0.1:8001', 'x-forwarded-proto': 'https' }), dev)).toBe(false);
    expect(requestOrigin(req({}), dev)).toBeNull();
    expect(requestOrigin(req({ host: 'a b' }), dev)).toBeNull();
  });

  it('in production: only a Host the server serves, with the scheme the trusted proxy reports', () => {
    const flyHost = { host: 'cryptovault-api.fly.dev', 'x-forwarded-proto': 'https' };
    expect(originAllowedFor('https://cryptovault-api.fly.dev', req(flyHost), prod)).toBe(true);
    expect(originAllowedFor('https://www.cryptovault.financial', req({ host: 'www.cryptovault.financial', 'x-forwarded-proto': 'https' }), prod)).toBe(true);
    // A name the attacker controls pointed at the machine (DNS rebinding): Origin equals Host, but the server does
    // not serve that host.
    expect(originAllowedFor('https://rebind.evil.example', req({ host: 'rebind.evil.example', 'x-forwarded-proto': 'https' }), prod)).toBe(false);
    // An attacker's page talking to our host: its Origin is not the request's own.
    expect(originAllowedFor('https://evil.example', req(flyHost), prod)).toBe(false);
    // http Origin on an https request.
    expect(originAllowedFor('http://cryptovault-api.fly.dev', req(flyHost), prod)).toBe(false);
  });
});
