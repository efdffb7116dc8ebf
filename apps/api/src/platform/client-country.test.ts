import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';
import { clientAddressResolver } from './client-address.ts';
import { clientCountryResolver } from './client-country.ts';

const SECRET = 'edge-secret-for-the-country-tests-0123456789';

function req(headers: Record<string, string>, peer = '10.0.0.5'): IncomingMessage {
  return { headers, socket: { remoteAddress: peer } } as unknown as IncomingMessage;
}

function resolver(trustProxy: ReturnType<typeof loadConfig>['config']['trustProxy'], countryHeader = 'x-vercel-ip-country') {
  const cfg = { trustProxy, edgeProxySecret: trustProxy === 'vercel+fly' ? SECRET : null, geo: { blockedCountries: [], countryHeader } };
  return clientCountryResolver(cfg, clientAddressResolver(cfg));
}

describe('the caller country (GEO_COUNTRY_HEADER under TRUST_PROXY)', () => {
  it('vercel+fly: only with the edge secret and Fly-Client-IP', () => {
    const country = resolver('vercel+fly');
    const through = {
      'x-vercel-ip-country': 'de',
      'x-cryptovault-edge-secret': SECRET,
      'fly-client-ip': '203.0.113.9',
      'x-forwarded-for': '198.51.100.7, 203.0.113.9',
    };
    expect(country(req(through))).toBe('DE');
    expect(country(req({ ...through, 'x-cryptovault-edge-secret': `${SECRET.slice(0, -1)}x` }))).toBeNull();
    const { 'x-cryptovault-edge-secret': _s, ...noSecret } = through;
    expect(country(req(noSecret))).toBeNull();
    const { 'fly-client-ip': _f, ...noFly } = through;
    expect(country(req(noFly))).toBeNull();
    expect(country(req({ ...through, 'x-vercel-ip-country': '' }))).toBeNull();
    expect(country(req({ ...through, 'x-vercel-ip-country': 'XX' }))).toBeNull();
    expect(country(req({ ...through, 'x-vercel-ip-country': 'D E' }))).toBeNull();
  });

  it('fly and false: never (nobody in front writes a country the client cannot)', () => {
    for (const t of ['fly', false] as const) {
      expect(resolver(t)(req({ 'x-vercel-ip-country': 'DE', 'fly-client-ip': '203.0.113.9' }))).toBeNull();
    }
  });

  it('a proxy chain: from a trusted peer only, in the configured header', () => {
    const country = resolver(['10.0.0.0/8'], 'cf-ipcountry');
    expect(country(req({ 'cf-ipcountry': 'br', 'x-forwarded-for': '198.51.100.7' }, '10.0.0.5'))).toBe('BR');
    expect(country(req({ 'cf-ipcountry': 'br', 'x-forwarded-for': '198.51.100.7' }, '192.0.2.1'))).toBeNull();
    expect(country(req({ 'x-vercel-ip-country': 'br', 'x-forwarded-for': '198.51.100.7' }, '10.0.0.5'))).toBeNull();
  });

  it('BLOCKED_COUNTRIES is read as upper-case alpha-2 codes; anything else is a start-up problem', () => {
    expect(loadConfig({ ENVIRONMENT: 'test', BLOCKED_COUNTRIES: ' kp, IR,kp ' }).config.geo).toEqual({
      blockedCountries: ['IR', 'KP'],
      countryHeader: 'x-vercel-ip-country',
    });
    expect(() => loadConfig({ ENVIRONMENT: 'test', BLOCKED_COUNTRIES: 'KP,Iran' })).toThrow(ConfigError);
    expect(loadConfig({ ENVIRONMENT: 'test' }).config.geo.blockedCountries).toEqual([]);
  });
});
