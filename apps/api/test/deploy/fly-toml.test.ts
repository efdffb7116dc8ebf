import { describe, expect, it } from 'vitest';
import { checkFlyToml, durationMs, measuredConcurrency, readFlyToml } from '../../../../scripts/lib/deploy-files.mjs';
import { loadConfig } from '../../src/config.ts';
import { readRepoFile, reportBlock } from './paths.ts';

const flyToml = readRepoFile('fly.toml');
const doc = readFlyToml(flyToml) as {
  env: Record<string, string>;
  kill_timeout: string;
  http_service: { concurrency: { soft_limit: number; hard_limit: number } };
};

function mutate(from: string | RegExp, to: string): string {
  const next = flyToml.replace(from, to);
  expect(next, `mutation target ${String(from)} not found`).not.toBe(flyToml);
  return next;
}

describe('fly.toml', () => {
  it('passes every rule', () => {
    expect(checkFlyToml(flyToml)).toEqual([]);
  });

  // [env] plus the secrets from `fly secrets` must make a complete production configuration.
  const secrets = {
    JWT_SECRET: 'j'.repeat(20) + 'k'.repeat(20),
    CSRF_SECRET: 'c'.repeat(20) + 'd'.repeat(20),
    DATA_ENCRYPTION_KEY: 'e'.repeat(20) + 'f'.repeat(20),
    DATABASE_URL: 'postgres://u:p@db.internal:5432/cryptovault',
    REDIS_URL: 'rediss://default:t@redis.internal:6379',
    SENDGRID_API_KEY: 'SG.test',
    NOWPAYMENTS_API_KEY: 'np-test',
    NOWPAYMENTS_IPN_SECRET: 'i'.repeat(10) + 'j'.repeat(10),
    PROOF_SIGNING_KEY: 'KAsx0Ad3LzmK9vwcgF2mRTcQzOl6l9BD8QNgUJ4fSbk=',
    COINCAP_API_KEY: 'cc-test',
    EDGE_PROXY_SECRET: 'e'.repeat(16) + 'f'.repeat(16),
  };

  it("kills only after the server's own drain deadline, as configured by its [env]", () => {
    const { config } = loadConfig({ ...doc.env, ...secrets });
    expect(config.shutdownTimeoutMs).toBe(25_000);
    expect(durationMs(doc.kill_timeout)).toBeGreaterThan(config.shutdownTimeoutMs);
    expect(checkFlyToml(flyToml, { shutdownTimeoutMs: 40_000 }).join('\n')).toMatch(/kill_timeout/);
  });

  it('makes a valid production configuration together with the secrets', () => {
    const { config } = loadConfig({ ...doc.env, ...secrets });
    expect(config.isProduction).toBe(true);
    expect(config.port).toBe(8001);
    expect(config.host).toBe('::');
    expect(config.trustProxy).toBe('vercel+fly');
    expect(config.appUrl).toBe(config.publicApiUrl);
    expect(config.web.serve).toBe(false);
  });

  it('uses the concurrency limits the bench measured on a shared-cpu-1x share (docs/performance.md)', () => {
    const measured = measuredConcurrency();
    expect(measured).not.toBeNull();
    expect(doc.http_service.concurrency).toMatchObject({ soft_limit: measured!.soft, hard_limit: measured!.hard });
    const problems = checkFlyToml(flyToml, { measured: { soft: measured!.soft + 1, hard: measured!.hard - 1 } }).join('\n');
    expect(problems).toMatch(/soft_limit \d+ is not the measured capacity/);
    expect(problems).toMatch(/hard_limit \d+ is above the measured capacity/);
    expect(checkFlyToml(flyToml, { measured: null }).join('\n')).toMatch(/no measured concurrency/);
  });

  it('reads durations with units only', () => {
    expect(durationMs('35s')).toBe(35_000);
    expect(durationMs('1m30s')).toBe(90_000);
    expect(durationMs('500ms')).toBe(500);
    expect(durationMs(15)).toBeNull();
    expect(durationMs('15')).toBeNull();
  });

  const broken: [string, string, RegExp][] = [
    ['a second [[services]] on the same port', `${flyToml}\n[[services]]\n  internal_port = 8001\n  protocol = "tcp"\n`, /duplicates/],
    ['auto_stop_machines = false', mutate('auto_stop_machines = "stop"', 'auto_stop_machines = false'), /auto_stop_machines/],
    ['no minimum machine', mutate('min_machines_running = 1', 'min_machines_running = 0'), /min_machines_running/],
    ['a tiny hard limit', mutate(/soft_limit = \d+\n(\s*)hard_limit = \d+/, 'soft_limit = 80\n$1hard_limit = 100'), /tiny/],
    ['a bare-number interval', mutate('interval = "15s"', 'interval = 15'), /needs a unit/],
    ['no kill_timeout', mutate(/^kill_timeout = .*$/m, ''), /kill_timeout missing/],
    ['a kill_timeout inside the drain time', mutate(/^kill_timeout = .*$/m, 'kill_timeout = "5s"'), /must exceed/],
    ['no liveness check', mutate('path = "/health/live"', 'path = "/"'), /on \/health\/live/],
    ['routing on readiness', mutate('path = "/health/live"', 'path = "/health"'), /must be liveness/],
    ['no readiness check', mutate(/^\[checks\]\n(?: .*\n)+/m, ''), /readiness/],
    ['readiness on the wrong path', mutate(/(\[checks\.readiness\][^[]*?)path = "\/health"/, '$1path = "/ping"'), /top-level \[checks\]/],
    ['no release command', mutate(/release_command = .*/, 'release_command = "true"'), /release_command/],
    ['a secret in [env]', mutate('[env]\n', '[env]\n  JWT_SECRET = "x"\n'), /JWT_SECRET looks secret/],
    [
      'a hardcoded deployment host',
      mutate('LOG_LEVEL = "info"', `LOG_LEVEL = "info"\n  PUBLIC_WS_URL = "wss://${'cryptovault-api'}.${'fly'}.dev"`),
      /deployment host/,
    ],
    ['no metrics', mutate('[metrics]\n  port = 8001\n  path = "/metrics"', ''), /\[metrics\]/],
  ];
  it.each(broken)('rejects a fly.toml with %s', (_name, text, problem) => {
    const problems = checkFlyToml(text);
    expect(
      problems.some((p) => problem.test(p)),
      problems.join('\n'),
    ).toBe(true);
  });

  it('rejects the fly.toml proposed by the January 2026 report', () => {
    const seed = reportBlock('toml');
    expect(checkFlyToml(seed)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/duplicates/),
        expect.stringMatching(/auto_stop_machines/),
        expect.stringMatching(/tiny/),
        expect.stringMatching(/kill_timeout missing/),
      ]),
    );
  });
});
