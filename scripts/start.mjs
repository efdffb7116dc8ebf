// `npm start`: builds only when the build's inputs changed since the last build (scripts/lib/build-stamp.mjs),
// then runs the built server in this process, as `node --enable-source-maps apps/api/dist/server.js` would.
// `npm start -- --rebuild` builds whatever the stamp says.
import { execFileSync } from 'node:child_process';
import module from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildIsCurrent, inputStamp, STAMP_FILE, writeStamp } from './lib/build-stamp.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const t0 = performance.now();
const { stamp, files } = inputStamp(root);
const force = process.argv.includes('--rebuild');
if (!force && buildIsCurrent(root, stamp)) {
  console.log(`build is up to date (${files} input files unchanged, checked in ${(performance.now() - t0).toFixed(0)} ms)`);
} else {
  console.log(force ? 'building (--rebuild)…' : 'sources changed since the last build (or no build yet): building…');
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  // Stamped with the inputs as they were when the build started: a file edited during the build rebuilds next time.
  writeStamp(root, stamp, files);
  console.log(`built in ${((performance.now() - t0) / 1000).toFixed(1)} s (${STAMP_FILE} records its inputs)`);
}
// What `node --enable-source-maps apps/api/dist/server.js` does, without a second Node.js start-up.
process.setSourceMapsEnabled(true);
// Node.js 22.1+ (the image's line, 26): V8 keeps the compiled bundle in dist/.compile-cache, so a restart skips
// parsing and compiling ~3 MB of JavaScript (bench/restart.mjs). A rebuild empties dist/ and with it the cache;
// Node checks each entry against its file's contents. Node 20 has no such API: this line does nothing there.
module.enableCompileCache?.(join(root, 'apps/api/dist/.compile-cache'));
await import(pathToFileURL(join(root, 'apps/api/dist/server.js')).href);
