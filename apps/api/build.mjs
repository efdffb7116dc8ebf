// Bundles the server and CLI entry points into dist/ with esbuild, dependencies included: resolving and reading
// hundreds of files from node_modules was most of the start-up time (bench/cold-start.mjs). Kept external: native
// or WebAssembly packages, packages that read their own files at run time (PGlite, swagger-ui, static, pino's
// worker transports), and the modules OpenTelemetry instruments by hooking their loading (pg, ioredis, http).
import { readdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

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
];
const external = keepExternal.flatMap((d) => (d.endsWith('*') ? [d] : [d, `${d}/*`]));
const cli = readdirSync(new URL('./src/cli', import.meta.url)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

rmSync(new URL('./dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: ['src/server.ts', ...cli.map((f) => `src/cli/${f}`)],
  outdir: 'dist',
  outbase: 'src',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  minifyWhitespace: true,
  legalComments: 'external',
  external,
  // Bundled CommonJS dependencies call require(); give the ESM output one.
  banner: { js: "import { createRequire as __cvCreateRequire } from 'node:module'; const require = __cvCreateRequire(import.meta.url);" },
  logLevel: 'warning',
  absWorkingDir: new URL('.', import.meta.url).pathname,
});
console.log(`built apps/api/dist (server + ${cli.length} CLI commands)`);
