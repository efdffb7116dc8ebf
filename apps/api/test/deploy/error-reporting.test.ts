import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OtlpStandIn, startOtlpStandIn } from './otlp-standin.ts';
import { REPO_ROOT } from './paths.ts';
import { type SentryStandIn, startSentryStandIn } from './sentry-standin.ts';

/**
 * A failing request, followed through the three places an operator looks: the Sentry event, the OpenTelemetry
 * spans and the JSON log lines all carry the caller's trace id; the event names the release and carries no
 * cookie, token or body.
 */
async function until<T>(fn: () => T | undefined, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Fixture {
  url: string;
  lines: string[];
  child: ChildProcess;
}

async function startFixture(env: Record<string, string>): Promise<Fixture> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'apps/api/test/fixtures/traced-server.ts')], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ENVIRONMENT: 'development', LOG_FORMAT: 'json', LOG_LEVEL: 'info', RATE_LIMIT_PER_MINUTE: '100000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fixture did not start: ${stderr}`)), 60_000);
    child.stdout.on('data', (c: Buffer) => {
      const text = c.toString();
      lines.push(...text.split('\n').filter(Boolean));
      const m = /LISTENING (\d+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  return { url: `http://127.0.0.1:${port}`, lines, child };
}

describe('error reporting with OpenTelemetry and Sentry both on', () => {
  let otlp: OtlpStandIn;
  let sentry: SentryStandIn;
  let fixture: Fixture;
  beforeAll(async () => {
    [otlp, sentry] = await Promise.all([startOtlpStandIn(), startSentryStandIn()]);
    fixture = await startFixture({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, SENTRY_DSN: sentry.dsn() });
  }, 90_000);
  afterAll(async () => {
    fixture?.child.kill('SIGTERM');
    await Promise.all([otlp?.close(), sentry?.close()]);
  });

  it('one trace id in the Sentry event, the spans and the log lines; the release; no secrets', async () => {
    const traceId = randomBytes(16).toString('hex');
    const res = await fetch(`${fixture.url}/api/test/boom?token=reset-secret-123&page=2`, {
      headers: {
        traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
        cookie: 'access_token=cookie-secret-456',
        authorization: 'Bearer bearer-secret-789',
      },
    });
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: string; requestId: string } };
    expect(body.error.code).toBe('INTERNAL');

    const event = await until(() => sentry.events.find((e) => e.exception?.values?.[0]?.value === 'boom for the error report'));
    expect(event.contexts?.trace?.trace_id).toBe(traceId);
    expect(event.tags?.requestId).toBe(body.error.requestId);
    expect(event.tags?.route).toBe('GET /api/test/boom');
    expect(event.release).toMatch(/^\d+\.\d+\.\d+-dev$/); // a source run: no build stamp, no FLY_IMAGE_REF
    const frames = event.exception?.values?.[0]?.stacktrace?.frames ?? [];
    expect(frames.some((f) => (f.abs_path ?? f.filename ?? '').endsWith('traced-server.ts'))).toBe(true);
    const sent = JSON.stringify(event);
    for (const secret of ['reset-secret-123', 'cookie-secret-456', 'bearer-secret-789']) expect(sent).not.toContain(secret);

    await until(() => otlp.spans.find((s) => s.traceId === traceId && s.kind === 2));
    const logged = await until(() =>
      fixture.lines
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.msg === 'unhandled error' && l.traceId === traceId),
    );
    expect(logged.requestId).toBe(body.error.requestId);
  });
});
