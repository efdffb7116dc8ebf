// Bundles the server and CLI entry points into dist/ with esbuild, dependencies included: resolving and reading
// hundreds of files from node_modules was most of the start-up time (bench/cold-start.mjs). Kept external: native
// or WebAssembly packages, packages that read their own files at run time (PGlite, swagger-ui, static, pino's
// worker transports), and the modules OpenTelemetry instruments by hooking their loading (pg, ioredis, http).
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

// --outdir lets a test build elsewhere without touching the dist/ a running server may be using.
const { values } = parseArgs({ options: { outdir: { type: 'string', default: 'dist' } } });
const apiRoot = new URL('.', import.meta.url).pathname;
const outdir = resolve(apiRoot, values.outdir);

/**
 * The release identity stamped into the build (src/version.ts reads it): GIT_COMMIT when the image build passes it
 * (`fly deploy --build-arg GIT_COMMIT=$(git rev-parse HEAD)`; .git is not in the Docker build context), else the
 * checkout's HEAD, else none (the server then uses FLY_IMAGE_REF).
 */
function buildCommit() {
  const given = process.env.GIT_COMMIT?.trim();
  if (given) {
    if (!/^[0-9a-f]{7,40}$/i.test(given)) throw new Error(`GIT_COMMIT must be a git commit hash (got ${JSON.stringify(given)})`);
    return given.toLowerCase();
  }
  try {
    return (
      execFileSync('git', ['rev-parse', 'HEAD'], { cwd: apiRoot, stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim() || null
    );
  } catch {
    return null;
  }
}

const keepExternal = [
  '@electric-sql/pglite',
  '@node-rs/argon2',
  'pino',
  'pino-pretty',
  '@fastify/swagger-ui',
  '@fastify/static',
  '@sentry/node',
  '@opentelemetry/*',
  'import-in-the-middle',
  'bufferutil',
  'utf-8-validate',
  'pg',
  'pg-native',
  'ioredis',
  'socket.io-client',
  // CommonJS with an ESM shape esbuild's interop gets wrong (createAdapter comes out undefined).
  '@socket.io/redis-streams-adapter',
  // Reads its font metrics (data/*.afm) from its own folder at run time (the gains report's PDF).
  'pdfkit',
  // The official MongoDB driver (import:legacy --mongo-url) requires optional native add-ons by name at run time.
  'mongodb',
];
const external = keepExternal.flatMap((d) => (d.endsWith('*') ? [d] : [d, `${d}/*`]));
const cli = readdirSync(new URL('./src/cli', import.meta.url)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: ['src/server.ts', ...cli.map((f) => `src/cli/${f}`)],
  outdir,
  outbase: 'src',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Maps with their sources: the runtime maps stack traces with them (--enable-source-maps) and
  // scripts/sentry-sourcemaps.mjs uploads them to Sentry for the release.
  sourcemap: true,
  sourcesContent: true,
  minifyWhitespace: true,
  legalComments: 'external',
  external,
  // Bundled CommonJS dependencies call require(); give the ESM output one.
  banner: { js: "import { createRequire as __cvCreateRequire } from 'node:module'; const require = __cvCreateRequire(import.meta.url);" },
  logLevel: 'warning',
  absWorkingDir: new URL('.', import.meta.url).pathname,
});
const commit = buildCommit();
writeFileSync(join(outdir, 'build-info.json'), `${JSON.stringify({ commit, builtAt: new Date().toISOString() })}\n`);
console.log(`built ${values.outdir} (server + ${cli.length} CLI commands; commit ${commit ?? 'unknown'})`);
