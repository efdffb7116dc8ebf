import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root, from apps/api/test/deploy/. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export function readRepoFile(path: string): string {
  return readFileSync(`${REPO_ROOT}${path}`, 'utf8');
}

/** The fly.toml or Dockerfile the January 2026 migration report proposed (fixtures the deploy rules must reject). */
export function reportBlock(lang: 'toml' | 'dockerfile'): string {
  return readRepoFile(lang === 'toml' ? 'apps/api/test/fixtures/report-fly.toml' : 'apps/api/test/fixtures/report.Dockerfile');
}
