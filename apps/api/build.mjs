// Bundles the server and CLI entry points into dist/ with esbuild. npm dependencies stay external (installed in
// node_modules); the workspace contract package (TypeScript source) is bundled in.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const external = Object.keys(pkg.dependencies ?? {}).flatMap((d) => [d, `${d}/*`]);
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
  external,
  logLevel: 'warning',
  absWorkingDir: new URL('.', import.meta.url).pathname,
});
console.log(`built apps/api/dist (server + ${cli.length} CLI commands)`);
