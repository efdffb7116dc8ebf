#!/usr/bin/env node
// `npm run deps:check`: the import rules (scripts/lib/import-rules.mjs) over the API and the web app.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkImports } from './lib/import-rules.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const t0 = performance.now();
const { violations, cruised } = await checkImports({ baseDir: root });
const ms = Math.round(performance.now() - t0);
if (violations.length > 0) {
  console.error(`import rules: ${violations.length} violation(s) in ${cruised} files`);
  for (const v of violations) console.error(`  ${v}`);
  process.exit(1);
}
console.log(`import rules: ${cruised} files, no violations (${ms} ms)`);
