import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from './config.ts';
import { originAllowed, parseCorsOrigins } from './platform/cors-origins.ts';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

const strong = 'k7Qm2Xv9Lp4Rt8Wz1Nc6Bd3Hf5Js0Ga-Yq';

/** A complete production environment (every required secret and URL). */
const productionEnv: Record<string, string> = {
  ENVIRONMENT: 'production',
  JWT_SECRET: strong,
  CSRF_SECRET: `${strong}-csrf`,
  DATA_ENCRYPTION_KEY: `${strong}-data`,
  DATABASE_URL: 'postgres://u:p@db:5432/cv',
  REDIS_URL: 'rediss://default:t@redis:6379',
  APP_URL: 'https://www.cryptovault.financial',
  PUBLIC_API_URL: 'https://www.cryptovault.financial',
  SENDGRID_API_KEY: 'SG.x',
  NOWPAYMENTS_API_KEY: 'np',
  NOWPAYMENTS_IPN_SECRET: 'ipn-secret-0123456789',
  COINCAP_API_KEY: 'cc',
  PROOF_SIGNING_KEY: 'KAsx0Ad3LzmK9vwcgF2mRTcQzOl6l9BD8QNgUJ4fSbk=',
};

describe('config', () => {
  it('defaults to embedded development with secrets the server keeps in DATA_DIR (ephemeral only with :memory:)', () => {
    const { config, notices } = loadConfig({});
    expect(config.environment).toBe('development');
    expect(config.port).toBe(8001);
    expect(config.database).toEqual({ kind: 'pglite', dataDir: './data/cryptovault' });
    expect(config.redis.kind).toBe('memory');
    expect(config.prices.source).toBe('simulated');
    expect(config.payments.provider).toBe('simulated');
    expect(config.auth.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(config.cookies.secure).toBe(false);
    expect(config.generatedSecrets).toEqual(['JWT_SECRET', 'CSRF_SECRET', 'DATA_ENCRYPTION_KEY', 'NOWPAYMENTS_IPN_SECRET']);
    expect(config.dataDir).toBe('./data');
    expect(notices.join('\n')).not.toMatch(/ephemeral/);
    const memory = loadConfig({ DATA_DIR: ':memory:', JWT_SECRET: 'x'.repeat(40) });
    expect(memory.config.generatedSecrets).toEqual(['CSRF_SECRET', 'DATA_ENCRYPTION_KEY', 'NOWPAYMENTS_IPN_SECRET']);
    expect(memory.config.dataDir).toBeNull();
    expect(memory.notices.join('\n')).toMatch(/ephemeral development secrets for CSRF_SECRET.*:memory:/);
  });

  it('production with missing secrets lists every problem in one error', () => {
    const problems = problemsOf({ ENVIRONMENT: 'production' });
    for (const name of [
      'JWT_SECRET',
      'CSRF_SECRET',
      'DATA_ENCRYPTION_KEY',
      'DATABASE_URL',
      'REDIS_URL',
      'APP_URL',
      'PUBLIC_API_URL',
      'SENDGRID_API_KEY',
      'NOWPAYMENTS_API_KEY',
      'NOWPAYMENTS_IPN_SECRET',
      'COINCAP_API_KEY',
      'PROOF_SIGNING_KEY',
    ]) {
      expect(
        problems.some((p) => p.startsWith(name)),
        name,
      ).toBe(true);
    }
    expect(() => loadConfig({ ENVIRONMENT: 'production' })).toThrow(/problems/);
  });

  it('production refuses short and placeholder secrets', () => {
    const problems = problemsOf({ ENVIRONMENT: 'production', JWT_SECRET: 'short', CSRF_SECRET: 'changeme', DATA_ENCRYPTION_KEY: 'a'.repeat(40) });
    expect(problems).toContain('JWT_SECRET is too short (5 characters; at least 32 required)');
    expect(problems.some((p) => p.startsWith('CSRF_SECRET'))).toBe(true);
    expect(problems.some((p) => p.startsWith('DATA_ENCRYPTION_KEY is a known placeholder'))).toBe(true);
  });

  it('a complete production environment loads with Secure cookies', () => {
    const { config } = loadConfig({
      ENVIRONMENT: 'production',
      JWT_SECRET: strong,
      CSRF_SECRET: `${strong}-csrf`,
      DATA_ENCRYPTION_KEY: `${strong}-data`,
      DATABASE_URL: 'postgres://u:p@db:5432/cv',
      REDIS_URL: 'rediss://default:t@redis:6379',
      APP_URL: 'https://www.cryptovault.financial',
      PUBLIC_API_URL: 'https://www.cryptovault.financial',
      SENDGRID_API_KEY: 'SG.x',
      NOWPAYMENTS_API_KEY: 'np',
      NOWPAYMENTS_IPN_SECRET: 'ipn-secret-0123456789',
      COINCAP_API_KEY: 'cc',
      PROOF_SIGNING_KEY: 'KAsx0Ad3LzmK9vwcgF2mRTcQzOl6l9BD8QNgUJ4fSbk=',
      TRUST_PROXY: '2',
    });
    expect(config.isProduction).toBe(true);
    expect(config.cookies.secure).toBe(true);
    expect(config.trustProxy).toBe(2);
    expect(config.devToolsEnabled).toBe(false);
    expect(config.web.serve).toBe(false);
  });

  it('staging gets every production check and no development tools', () => {
    const problems = problemsOf({ ENVIRONMENT: 'staging' });
    for (const name of [
      'JWT_SECRET',
      'CSRF_SECRET',
      'DATA_ENCRYPTION_KEY',
      'DATABASE_URL',
      'REDIS_URL',
      'APP_URL',
      'PUBLIC_API_URL',
      'SENDGRID_API_KEY',
      'NOWPAYMENTS_API_KEY',
      'NOWPAYMENTS_IPN_SECRET',
      'COINCAP_API_KEY',
      'PROOF_SIGNING_KEY',
    ]) {
      expect(
        problems.some((p) => p.startsWith(`${name} is required in staging`)),
        name,
      ).toBe(true);
    }
    expect(problemsOf({ ENVIRONMENT: 'staging', APP_URL: 'http://staging.example.com', DEBUG: 'true' })).toEqual(
      expect.arrayContaining(['APP_URL must be https:// in staging', 'DEBUG must be false in staging']),
    );
    // With its secrets and sandbox keys it starts like production: Secure cookies, HSTS, no dev tools, no web serving.
    const { config } = loadConfig({ ...productionEnv, ENVIRONMENT: 'staging', NOWPAYMENTS_SANDBOX: 'true' });
    expect(config.environment).toBe('staging');
    expect(config.isProduction).toBe(true);
    expect(config.devToolsEnabled).toBe(false);
    expect(config.cookies.secure).toBe(true);
    expect(config.web.serve).toBe(false);
    expect(config.payments.baseUrl).toBe('https://api-sandbox.nowpayments.io/v1');
    // Only a developer's machine and the test suite have development tools.
    expect(loadConfig({ ENVIRONMENT: 'development' }).config.devToolsEnabled).toBe(true);
    expect(loadConfig({ ENVIRONMENT: 'test' }).config.devToolsEnabled).toBe(true);
    expect(loadConfig(productionEnv).config.devToolsEnabled).toBe(false);
  });

  it('MONGO_URL gives a clear message about PostgreSQL instead of a crash', () => {
    const { notices } = loadConfig({ MONGO_URL: 'mongodb+srv://x', MONGO_MAX_POOL_SIZE: '10' });
    expect(notices.join('\n')).toMatch(/no longer used.*PostgreSQL.*DATABASE_URL/);
    expect(problemsOf({ ENVIRONMENT: 'production', MONGO_URL: 'mongodb+srv://x' }).join('\n')).toMatch(/DATABASE_URL/);
  });

  it('rejects malformed values with the variable name', () => {
    expect(problemsOf({ PORT: 'eighty' }).join()).toMatch(/PORT/);
    expect(problemsOf({ DATABASE_URL: 'mysql://x' }).join()).toMatch(/DATABASE_URL must be a postgres/);
    expect(problemsOf({ TRUST_PROXY: 'everyone' }).join()).toMatch(/TRUST_PROXY/);
    expect(problemsOf({ JWT_ALGORITHM: 'none' }).join()).toMatch(/only HS256/);
    expect(problemsOf({ USE_CROSS_SITE_COOKIES: 'maybe' }).join()).toMatch(/USE_CROSS_SITE_COOKIES/);
  });

  it('parses TRUST_PROXY as off, hop count or address list', () => {
    expect(loadConfig({}).config.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).config.trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, fdaa::/16' }).config.trustProxy).toEqual(['10.0.0.0/8', 'fdaa::/16']);
  });

  it('lists the seed variables among those it reads', () => {
    for (const v of [
      'ENVIRONMENT',
      'DEBUG',
      'LOG_LEVEL',
      'PORT',
      'PUBLIC_API_URL',
      'PUBLIC_WS_URL',
      'APP_URL',
      'PUBLIC_SOCKET_IO_PATH',
      'CORS_ORIGINS',
      'USE_CROSS_SITE_COOKIES',
      'JWT_SECRET',
      'JWT_ALGORITHM',
      'CSRF_SECRET',
      'ACCESS_TOKEN_EXPIRE_MINUTES',
      'REFRESH_TOKEN_EXPIRE_DAYS',
      'USE_REDIS',
      'UPSTASH_REDIS_REST_URL',
      'UPSTASH_REDIS_REST_TOKEN',
      'COINCAP_API_KEY',
      'USE_MOCK_PRICES',
      'SENDGRID_API_KEY',
      'NOWPAYMENTS_API_KEY',
      'NOWPAYMENTS_IPN_SECRET',
      'SENTRY_DSN',
      'DB_NAME',
      'DATABASE_URL',
      'DB_POOL_SIZE',
      'REDIS_URL',
      'TRUST_PROXY',
      'SHUTDOWN_TIMEOUT_MS',
    ]) {
      expect(CONFIG_VARIABLES).toContain(v);
    }
  });
});

describe('CORS origins', () => {
  const { rules, warnings } = parseCorsOrigins('["https://www.cryptovault.financial","https://cryptovault.financial","https://cryptovault-*.vercel.app"]');

  it('matches exact origins exactly', () => {
    expect(originAllowed('https://www.cryptovault.financial', rules)).toBe(true);
    expect(originAllowed('https://www.cryptovault.financial.evil.com', rules)).toBe(false);
    expect(originAllowed('http://www.cryptovault.financial', rules)).toBe(false);
    expect(originAllowed('https://evil.cryptovault.financial', rules)).toBe(false);
  });

  it('a * matches one DNS label, anchored at both ends', () => {
    expect(originAllowed('https://cryptovault-preview.vercel.app', rules)).toBe(true);
    expect(originAllowed('https://cryptovault-git-main-team.vercel.app', rules)).toBe(true);
    expect(originAllowed('https://cryptovault-a.b.vercel.app', rules)).toBe(false);
    expect(originAllowed('https://cryptovault-x.vercel.app.evil.com', rules)).toBe(false);
    expect(originAllowed('http://cryptovault-preview.vercel.app', rules)).toBe(false);
    expect(originAllowed('https://cryptovault-.vercel.app', rules)).toBe(false);
    expect(originAllowed('https://xcryptovault-preview.vercel.app', rules)).toBe(false);
    expect(originAllowed('https://cryptovault-preview.vercel.app:8443', rules)).toBe(false);
  });

  it('warns about patterns under public suffixes', () => {
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/public suffix "vercel\.app".*anyone can create/);
  });

  it('finds public suffixes from the Public Suffix List, not only from a list of hosting platforms', () => {
    const spans = (p: string) => parseCorsOrigins(p).publicSuffixPatterns.length === 1;
    expect(spans('https://cryptovault-*.vercel.app')).toBe(true);
    expect(spans('https://*.fly.dev')).toBe(true);
    expect(spans('https://*.github.io')).toBe(true);
    expect(spans('https://*.co.uk')).toBe(true);
    expect(spans('https://*.up.railway.app')).toBe(true);
    // A wildcard under a domain of our own is ours to hand out.
    expect(spans('https://*.preview.cryptovault.financial')).toBe(false);
    expect(spans('https://*.cryptovault.financial')).toBe(false);
  });

  for (const environment of ['production', 'staging']) {
    it(`refuses a public-suffix wildcard in ${environment} unless the risk is accepted, and then names it at start`, () => {
      const env = { ...productionEnv, ENVIRONMENT: environment, CORS_ORIGINS: 'https://cryptovault-*.vercel.app,https://www.cryptovault.financial' };
      expect(problemsOf(env).join('\n')).toMatch(
        /CORS_ORIGINS: "https:\/\/cryptovault-\*\.vercel\.app" is a wildcard under a public suffix.*CORS_ALLOW_PUBLIC_SUFFIX_WILDCARDS=true/,
      );
      const { config, notices } = loadConfig({ ...env, CORS_ALLOW_PUBLIC_SUFFIX_WILDCARDS: 'true' });
      expect(originAllowed('https://cryptovault-preview.vercel.app', config.cors.rules)).toBe(true);
      expect(notices.filter((n) => n.includes('cryptovault-*.vercel.app'))).toEqual([
        expect.stringMatching(/^RISK ACCEPTED \(CORS_ALLOW_PUBLIC_SUFFIX_WILDCARDS=true\).*anyone who registers a matching host/i),
      ]);
      // A wildcard under the product's own domain needs no override.
      expect(problemsOf({ ...env, CORS_ORIGINS: 'https://*.preview.cryptovault.financial' })).toEqual([]);
    });
  }

  it('only warns about a public-suffix wildcard in development', () => {
    const { notices } = loadConfig({ CORS_ORIGINS: 'https://cryptovault-*.vercel.app' });
    expect(notices.join('\n')).toMatch(/public suffix "vercel\.app"/);
  });

  it('accepts a comma list and refuses "*", paths and deep wildcards', () => {
    expect(parseCorsOrigins('https://a.example.com, https://b.example.com').rules).toHaveLength(2);
    expect(parseCorsOrigins('*').errors[0]).toMatch(/not allowed/);
    expect(parseCorsOrigins('https://a.example.com/path').errors).toHaveLength(1);
    expect(parseCorsOrigins('https://*.*.example.com').errors).toHaveLength(1);
    expect(parseCorsOrigins('https://*.com').errors).toHaveLength(1);
    expect(parseCorsOrigins('[not json').errors[0]).toMatch(/JSON/);
  });
});
