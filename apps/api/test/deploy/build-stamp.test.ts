import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILD_OUTPUTS, buildIsCurrent, inputStamp, writeStamp } from '../../../../scripts/lib/build-stamp.mjs';
import { REPO_ROOT } from './paths.ts';

/** `npm start` builds only when an input of the build changed (scripts/start.mjs, scripts/lib/build-stamp.mjs). */
const base = mkdtempSync(join(tmpdir(), 'cv-stamp-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

function put(rel: string, text: string): void {
  mkdirSync(dirname(join(base, rel)), { recursive: true });
  writeFileSync(join(base, rel), text);
}

describe('the build stamp npm start checks', () => {
  it('changes with the content of an input (source, lockfile, web public file, a new file), not with its mtime, a test or node_modules', () => {
    put('package-lock.json', '{"lockfileVersion":3}');
    put('apps/api/src/server.ts', 'export {};');
    put('apps/web/src/main.tsx', 'export {};');
    put('packages/contract/src/index.ts', 'export {};');
    const first = inputStamp(base).stamp;
    expect(inputStamp(base).stamp).toBe(first);

    utimesSync(join(base, 'apps/api/src/server.ts'), new Date(), new Date(Date.now() + 60_000));
    put('apps/api/src/server.test.ts', 'test');
    put('apps/web/src/node_modules/x/index.js', 'x');
    put('apps/api/dist/server.js', 'built');
    expect(inputStamp(base).stamp).toBe(first);

    const changes: [string, string][] = [
      ['apps/api/src/server.ts', 'export const changed = 1;'],
      ['package-lock.json', '{"lockfileVersion":3,"x":1}'],
      ['apps/web/public/favicon.svg', '<svg/>'],
      ['packages/contract/src/new.ts', 'export {};'],
      ['apps/api/build.mjs', '// build'],
    ];
    const seen = new Set([first]);
    for (const [rel, text] of changes) {
      put(rel, text);
      const s = inputStamp(base).stamp;
      expect(seen.has(s), rel).toBe(false);
      seen.add(s);
    }
  });

  it('a build counts as current only with both outputs present and the stamp it recorded', () => {
    const { stamp, files } = inputStamp(base);
    expect(buildIsCurrent(base, stamp)).toBe(false);
    for (const out of BUILD_OUTPUTS) put(out, 'built');
    expect(buildIsCurrent(base, stamp)).toBe(false);
    writeStamp(base, stamp, files);
    expect(buildIsCurrent(base, stamp)).toBe(true);
    put('apps/web/src/main.tsx', 'export const edited = true;');
    expect(buildIsCurrent(base, inputStamp(base).stamp)).toBe(false);
    rmSync(join(base, 'apps/web/dist/index.html'));
    expect(buildIsCurrent(base, stamp)).toBe(false);
  });

  it('covers this repository in well under a second', () => {
    const t0 = performance.now();
    const { files } = inputStamp(REPO_ROOT);
    expect(files).toBeGreaterThan(100);
    expect(performance.now() - t0).toBeLessThan(1_000);
  });
});
