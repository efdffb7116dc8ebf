import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** apps/api, found from src/ (tsx, vitest) or dist/ (bundled) alike. */
export function apiPackageRoot(start = dirname(fileURLToPath(import.meta.url))): string {
  let dir = start;
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'migrations'))) return dir;
    dir = dirname(dir);
  }
  throw new Error(`apps/api package root not found above ${start}`);
}

export function defaultWebDistDir(): string {
  return resolve(apiPackageRoot(), '..', 'web', 'dist');
}
