import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runtimeCommand } from '../../../../scripts/lib/deploy-files.mjs';
import { releaseVersion } from '../../src/version.ts';
import { REPO_ROOT, readRepoFile } from './paths.ts';
import { freePort } from './server-process.ts';

/**
 * The API bundle as the image builds and runs it: stamped with the commit (the release identity), with source maps
 * that carry their sources, run with the Dockerfile's own CMD flags so that stack traces name the TypeScript files.
 * Built into a folder of its own inside apps/api (dependencies resolve from there), never over dist/.
 */
const COMMIT = randomBytes(20).toString('hex');
const outRel = `.tmp/build-test-${randomBytes(3).toString('hex')}`;
const out = join(REPO_ROOT, 'apps/api', outRel);

beforeAll(() => {
  execFileSync(process.execPath, ['build.mjs', '--outdir', outRel], {
    cwd: join(REPO_ROOT, 'apps/api'),
    env: { ...process.env, GIT_COMMIT: COMMIT },
    stdio: 'pipe',
  });
}, 120_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** A production server that fails at start-up (Redis unreachable): its fatal log line carries a stack and the version. */
function failingStart(flags: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    void freePort().then((port) => {
      const child = spawn(process.execPath, [...flags, join(out, 'server.js')], {
        cwd: REPO_ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          ENVIRONMENT: 'production',
          LOG_LEVEL: 'info',
          JWT_SECRET: 'j'.repeat(20) + 'k'.repeat(20),
          CSRF_SECRET: 'c'.repeat(20) + 'd'.repeat(20),
          DATA_ENCRYPTION_KEY: 'e'.repeat(20) + 'f'.repeat(20),
          DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://app:pw@127.0.0.1:1/cryptovault',
          REDIS_URL: `redis://127.0.0.1:${port}`,
          APP_URL: 'https://www.example.test',
          PUBLIC_API_URL: 'https://www.example.test',
          SENDGRID_API_KEY: 'SG.test',
          NOWPAYMENTS_API_KEY: 'np-test',
          NOWPAYMENTS_IPN_SECRET: 'i'.repeat(10) + 'j'.repeat(10),
          PROOF_SIGNING_KEY: 'KAsx0Ad3LzmK9vwcgF2mRTcQzOl6l9BD8QNgUJ4fSbk=',
          USE_MOCK_PRICES: 'true',
          FLY_IMAGE_REF: 'registry.fly.io/cryptovault-api:deployment-01TEST',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
      });
      child.on('exit', () => {
        const fatal = stdout
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .find((l) => l.level === 60);
        if (fatal) resolve(fatal);
        else reject(new Error(`no fatal line in:\n${stdout}`));
      });
    }, reject);
  });
}

describe('the API build', () => {
  it('stamps the commit it was built from, which becomes the version (over FLY_IMAGE_REF)', () => {
    const info = JSON.parse(readFileSync(join(out, 'build-info.json'), 'utf8')) as { commit: string };
    expect(info.commit).toBe(COMMIT);
    expect(releaseVersion({ commit: COMMIT, builtAt: '' }, 'registry.fly.io/cryptovault-api:deployment-01X')).toBe(COMMIT);
    expect(releaseVersion(null, 'registry.fly.io/cryptovault-api:deployment-01X')).toBe('cryptovault-api:deployment-01X');
    expect(releaseVersion(null, null, '0.1.0')).toBe('0.1.0-dev');
  });

  it('writes a source map with its sources beside every bundle file', () => {
    const files = readdirSync(out, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.js'));
    expect(files).toEqual(expect.arrayContaining(['server.js', join('cli', 'migrate.js')]));
    for (const f of files) {
      expect(readFileSync(join(out, f), 'utf8'), f).toMatch(/\/\/# sourceMappingURL=\S+\.js\.map\s*$/);
      const map = JSON.parse(readFileSync(join(out, `${f}.map`), 'utf8')) as { sources: string[]; sourcesContent: (string | null)[] };
      // Our own sources must travel inside the map (a dependency's map may name files its package does not ship).
      const ownWithout = map.sources.filter((src, i) => !src.includes('node_modules/') && map.sourcesContent[i] == null);
      expect(ownWithout, f).toEqual([]);
    }
    const server = JSON.parse(readFileSync(join(out, 'server.js.map'), 'utf8')) as { sources: string[] };
    expect(server.sources.some((src) => src.endsWith('src/server.ts'))).toBe(true);
  });

  it("run as the Dockerfile's CMD runs it, logs the version and stack traces that name the TypeScript sources", { timeout: 60_000 }, async () => {
    const cmd = runtimeCommand(readRepoFile('Dockerfile')).cmd ?? [];
    const flags = cmd.slice(1, -1);
    expect(flags).toContain('--enable-source-maps');
    const fatal = await failingStart(flags);
    expect(fatal).toMatchObject({ component: 'Redis', variable: 'REDIS_URL', version: COMMIT });
    const stack = (fatal.err as { stack: string }).stack;
    expect(stack).toMatch(/apps\/api\/src\/platform\/startup\.ts:\d+:\d+/);

    // The same build without the flag points into the bundle: the flag is what makes the difference.
    const bare = await failingStart([]);
    expect((bare.err as { stack: string }).stack).not.toMatch(/startup\.ts/);
    expect((bare.err as { stack: string }).stack).toMatch(/build-test-[0-9a-f]+\/chunk-[A-Z0-9]+\.js/);
  });
});
