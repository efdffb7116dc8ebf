import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './paths.ts';

/**
 * `npm run rehearse:prod`: the runtime image reproduced on the host against PostgreSQL. It needs a PostgreSQL
 * server and a production install (npm ci --omit=dev), so it runs in CI's PostgreSQL pass (DATABASE_URL set) or
 * when REHEARSE_PROD=1; the embedded pass skips it.
 */
const databaseUrl = process.env.DATABASE_URL;
const enabled = Boolean(databaseUrl) || process.env.REHEARSE_PROD === '1';

interface Step {
  step: string;
  status: string;
  detail: string;
}

function rehearse(): Promise<{ code: number | null; report: { ok: boolean; steps: Step[] } | null; output: string }> {
  return new Promise((resolve) => {
    const args = ['scripts/rehearse-prod.mjs', '--json', ...(databaseUrl ? ['--database-url', databaseUrl] : [])];
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: undefined, REDIS_URL: undefined } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.on('exit', (code) => {
      let report = null;
      try {
        report = JSON.parse(out);
      } catch {
        // reported below with the raw output
      }
      resolve({ code, report, output: `${out}\n${err}` });
    });
  });
}

describe.skipIf(!enabled)('npm run rehearse:prod', () => {
  it('builds, installs production dependencies only, runs as an unprivileged user and completes sign-up → deposit → trade', { timeout: 600_000 }, async () => {
    const { code, report, output } = await rehearse();
    expect(report, output.slice(-3000)).not.toBeNull();
    const byStep = Object.fromEntries(report!.steps.map((s) => [s.step, s]));
    const summary = report!.steps.map((s) => `${s.status} ${s.step}: ${s.detail}`).join('\n');
    for (const name of [
      'build stage',
      'production dependencies',
      'runtime stage',
      'unprivileged user',
      'release_command',
      'start (image CMD)',
      'health',
      'sign-up',
      'deposit',
      'trade',
      'metrics',
      'SIGTERM drain',
    ]) {
      expect(byStep[name]?.status, `${name}\n${summary}`).toBe('pass');
    }
    expect(code, summary).toBe(0);
    expect(byStep['unprivileged user']?.detail).not.toMatch(/^uid 0\b/);
  });
});
