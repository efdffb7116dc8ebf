import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root, from apps/api/test/deploy/. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export function readRepoFile(path: string): string {
  return readFileSync(`${REPO_ROOT}${path}`, 'utf8');
}

/** A fenced block of the January 2026 migration report, when the shared folder is beside the repository. */
export function reportBlock(lang: string): string | null {
  try {
    const report = readFileSync(`${REPO_ROOT}../shared/seed/migration-report.md`, 'utf8');
    return report.split(`\`\`\`${lang}`)[1]?.split('```')[0] ?? null;
  } catch {
    return null;
  }
}
