// What `npm start` (scripts/start.mjs) checks before building: a SHA-256 over the names and contents of every build
// input — apps/api (sources, build script, package.json), apps/web (sources, public files, index.html, Vite
// config), packages/contract, the lockfile and the TypeScript configuration — kept beside the API bundle in
// apps/api/dist/build-stamp.json. Tests (*.test.ts[x]), node_modules and build outputs are not inputs; a file
// whose modification time changed but whose content did not (a checkout, a touch) changes nothing.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Files and folders (relative to the repository) whose content the build depends on. */
export const BUILD_INPUTS = [
  'package.json',
  'package-lock.json',
  'tsconfig.base.json',
  'apps/api/package.json',
  'apps/api/build.mjs',
  'apps/api/tsconfig.json',
  'apps/api/src',
  'apps/web/package.json',
  'apps/web/index.html',
  'apps/web/vite.config.ts',
  'apps/web/tsconfig.json',
  'apps/web/tools',
  'apps/web/public',
  'apps/web/src',
  'packages/contract/package.json',
  'packages/contract/src',
];

/** The outputs that must exist for a build to count as done. */
export const BUILD_OUTPUTS = ['apps/api/dist/server.js', 'apps/web/dist/index.html'];
export const STAMP_FILE = 'apps/api/dist/build-stamp.json';

const SKIP = /(^|\/)(node_modules|dist|\.tmp)(\/|$)|\.test\.tsx?$/;

function listFiles(base, rel, out) {
  let st;
  try {
    st = statSync(join(base, rel));
  } catch {
    out.push({ rel, missing: true });
    return;
  }
  if (st.isDirectory()) {
    for (const name of readdirSync(join(base, rel)).sort()) {
      const child = `${rel}/${name}`;
      if (!SKIP.test(child)) listFiles(base, child, out);
    }
  } else {
    out.push({ rel, missing: false });
  }
}

export function inputStamp(base) {
  const files = [];
  for (const input of BUILD_INPUTS) listFiles(base, input, files);
  const h = createHash('sha256');
  for (const f of files) {
    h.update(f.rel).update(f.missing ? '\0missing\0' : '\0');
    if (!f.missing) h.update(readFileSync(join(base, f.rel)));
    h.update('\0');
  }
  return { stamp: h.digest('hex'), files: files.filter((f) => !f.missing).length };
}

export function buildIsCurrent(base, stamp) {
  if (!BUILD_OUTPUTS.every((f) => existsSync(join(base, f)))) return false;
  try {
    return JSON.parse(readFileSync(join(base, STAMP_FILE), 'utf8')).stamp === stamp;
  } catch {
    return false;
  }
}

export function writeStamp(base, stamp, files) {
  writeFileSync(join(base, STAMP_FILE), `${JSON.stringify({ stamp, files, builtAt: new Date().toISOString() })}\n`);
}
