import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts, uploadSourceMaps } from '../../../../scripts/sentry-sourcemaps.mjs';
import { REPO_ROOT } from './paths.ts';
import { type SentryStandIn, startSentryStandIn } from './sentry-standin.ts';

/** `npm run sentry:sourcemaps` against the local Sentry stand-in (release API, multipart release files). */
let sentry: SentryStandIn;
let dir: string;
const token = 'sntrys_standin_token';

beforeAll(async () => {
  sentry = await startSentryStandIn();
  dir = mkdtempSync(join(tmpdir(), 'cv-sourcemaps-'));
  mkdirSync(join(dir, 'api', 'cli'), { recursive: true });
  mkdirSync(join(dir, 'web'), { recursive: true });
  writeFileSync(join(dir, 'api', 'server.js'), 'console.log(1);\n//# sourceMappingURL=server.js.map\n');
  writeFileSync(join(dir, 'api', 'server.js.map'), JSON.stringify({ version: 3, sources: ['../src/server.ts'], sourcesContent: ['x'], mappings: 'AAAA' }));
  writeFileSync(join(dir, 'api', 'cli', 'migrate.js'), 'console.log(2);\n');
  writeFileSync(join(dir, 'api', 'build-info.json'), '{}');
  writeFileSync(join(dir, 'web', 'index-abc123.js'), 'console.log(3);\n');
  writeFileSync(join(dir, 'web', 'index-abc123.js.map'), '{"version":3}');
  writeFileSync(join(dir, 'web', 'index-abc123.css'), 'body{}');
});
afterAll(async () => {
  await sentry?.close();
  rmSync(dir, { recursive: true, force: true });
});

const targets = () => [
  { project: 'cryptovault-api', files: artifacts(join(dir, 'api'), '~/apps/api/dist') },
  { project: 'cryptovault-web', files: artifacts(join(dir, 'web'), '~/assets') },
];

describe('sentry:sourcemaps', () => {
  it('lists each build’s JavaScript and maps under the names the runtime reports', () => {
    expect(targets().map((t) => t.files.map((f) => f.name))).toEqual([
      ['~/apps/api/dist/cli/migrate.js', '~/apps/api/dist/server.js', '~/apps/api/dist/server.js.map'],
      ['~/assets/index-abc123.js', '~/assets/index-abc123.js.map'],
    ]);
  });

  it('creates the release for both projects and uploads every file, once, with the token', async () => {
    const release = 'a1b2c3d4e5f6';
    const done = await uploadSourceMaps({ sentryUrl: sentry.url, token, org: 'cryptovault', release, targets: targets() });
    expect(done.every((d) => d.status === 'uploaded')).toBe(true);
    expect(sentry.releases).toEqual([{ org: 'cryptovault', version: release, projects: ['cryptovault-api', 'cryptovault-web'] }]);
    expect(sentry.files.map((f) => `${f.project} ${f.release} ${f.name}`)).toEqual([
      `cryptovault-api ${release} ~/apps/api/dist/cli/migrate.js`,
      `cryptovault-api ${release} ~/apps/api/dist/server.js`,
      `cryptovault-api ${release} ~/apps/api/dist/server.js.map`,
      `cryptovault-web ${release} ~/assets/index-abc123.js`,
      `cryptovault-web ${release} ~/assets/index-abc123.js.map`,
    ]);
    expect(sentry.files.find((f) => f.name.endsWith('server.js.map'))?.text).toContain('../src/server.ts');
    expect(new Set(sentry.authorizations)).toEqual(new Set([`Bearer ${token}`]));

    // Run again (a retried deploy): the release exists (208) and each file is kept (409), not an error.
    const again = await uploadSourceMaps({ sentryUrl: sentry.url, token, org: 'cryptovault', release, targets: targets() });
    expect(again.every((d) => d.status === 'already there')).toBe(true);
    expect(sentry.files).toHaveLength(5);
  });

  it('stops at the first refusal, with Sentry’s status, and refuses release names Sentry refuses', async () => {
    await expect(uploadSourceMaps({ sentryUrl: sentry.url, token: 'wrong', org: 'cryptovault', release: 'r1', targets: targets() })).rejects.toThrow(
      /create release: HTTP 401/,
    );
    await expect(uploadSourceMaps({ sentryUrl: sentry.url, token, org: 'cryptovault', release: 'registry.fly.io/app:x', targets: targets() })).rejects.toThrow(
      /not a valid Sentry release name/,
    );
  });

  it('the command names what is missing and exits 1', async () => {
    const run = await new Promise<{ code: number | null; err: string }>((resolve) => {
      const child = spawn(process.execPath, ['scripts/sentry-sourcemaps.mjs', '--release', 'r1'], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '' } });
      let err = '';
      child.stderr.on('data', (c: Buffer) => {
        err += c.toString();
      });
      child.on('exit', (code) => resolve({ code, err }));
    });
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/missing SENTRY_AUTH_TOKEN, SENTRY_ORG, SENTRY_PROJECT or SENTRY_WEB_PROJECT/);
  });
});
