// The import rules of the repository, checked by dependency-cruiser (scripts/deps-check.mjs, run by `npm test`).
// Paths are relative to the directory cruised from (the repository root, or a test fixture laid out like it).
//
// dependency-cruiser's command line refuses Node 20 (its engines say ^22||^24||>=26) while this project runs on
// Node 20 and 26; its JavaScript API, used here, works on both.
import { cruise } from 'dependency-cruiser';

const API = '^apps/api/src';
const WEB = '^apps/web/src';

/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
export const forbidden = [
  {
    name: 'platform-imports-no-app-code',
    comment: 'platform/ is infrastructure: it must not import the modules, http or realtime (or the schema aggregate)',
    severity: 'error',
    from: { path: `${API}/platform/` },
    to: { path: [`${API}/(modules|http|realtime)/`, `${API}/schema\\.ts$`] },
  },
  {
    name: 'module-through-entry-only',
    comment: "a module imports another module only through that module's entry file (modules/x/index.ts)",
    severity: 'error',
    from: { path: `${API}/modules/([^/]+)/` },
    to: { path: `${API}/modules/[^/]+/`, pathNot: [`${API}/modules/$1/`, `${API}/modules/[^/]+/index\\.ts$`] },
  },
  {
    name: 'no-foreign-repo-or-tables',
    comment: "no module imports another module's repo (*.repo.ts) or tables (*.schema.ts)",
    severity: 'error',
    from: { path: `${API}/modules/([^/]+)/` },
    to: { path: `${API}/modules/[^/]+/.+\\.(repo|schema)\\.ts$`, pathNot: `${API}/modules/$1/` },
  },
  {
    name: 'entry-exports-no-tables',
    comment: "an entry file may re-export a table's row type, never the table: other modules' SQL does not name it",
    severity: 'error',
    from: { path: `${API}/modules/[^/]+/index\\.ts$` },
    to: { path: '\\.schema\\.ts$', dependencyTypesNot: ['type-only'] },
  },
  {
    name: 'web-shared-imports-no-features-or-app',
    comment: 'web imports flow shared (lib, ui, shared) → features → app',
    severity: 'error',
    from: { path: `${WEB}/(lib|ui|shared)/` },
    to: { path: `${WEB}/(features|app)/` },
  },
  {
    name: 'web-features-import-no-app',
    comment: 'web imports flow shared (lib, ui, shared) → features → app',
    severity: 'error',
    from: { path: `${WEB}/features/` },
    to: { path: `${WEB}/app/` },
  },
];

/**
 * Cruises `paths` (relative to `baseDir`) and returns the rule violations, one line each.
 * @param {{ baseDir: string, paths?: string[] }} opts
 * @returns {Promise<{ violations: string[], cruised: number }>}
 */
export async function checkImports({ baseDir, paths = ['apps/api/src', 'apps/web/src'] }) {
  const result = await cruise(paths, {
    baseDir,
    validate: true,
    ruleSet: { forbidden },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['node_modules', '/dist/'] },
  });
  const output = /** @type {import('dependency-cruiser').ICruiseResult} */ (result.output);
  const violations = output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
  return { violations, cruised: output.summary.totalCruised };
}
