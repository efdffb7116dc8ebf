// Measures the JavaScript a first visit downloads (the entry script plus the chunks index.html preloads), gzipped,
// and fails the build when it exceeds the budget. Lazy route and chart chunks are not counted: they load later.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 300;
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const files = [...html.matchAll(/(?:src|href)="\/?(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
let total = 0;
for (const f of new Set(files)) {
  const kb = gzipSync(readFileSync(join(dist, f)), { level: 9 }).length / 1024;
  total += kb;
  console.log(`  ${f.padEnd(40)} ${kb.toFixed(1).padStart(7)} KB gzip`);
}
console.log(`initial JS: ${total.toFixed(1)} KB gzip (budget ${BUDGET_KB} KB)`);
if (total > BUDGET_KB) {
  console.error(`initial JS exceeds the ${BUDGET_KB} KB budget`);
  process.exit(1);
}
