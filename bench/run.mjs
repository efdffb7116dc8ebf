// `npm run bench`: builds once, then runs every benchmark script in bench/ (each writes its own section of
// docs/performance.md). Pass script names to run a subset: npm run bench -- cold-start
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const only = process.argv.slice(2);
const scripts = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.mjs') && !['run.mjs', 'lib.mjs'].includes(f))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)));
execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
for (const script of scripts) {
  console.log(`\n### ${script}`);
  execFileSync(process.execPath, [new URL(script, import.meta.url).pathname], { stdio: 'inherit' });
}
