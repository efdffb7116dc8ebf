import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEPLOYMENT_HOST } from '../../../../scripts/lib/deploy-files.mjs';
import { REPO_ROOT } from './paths.ts';

/**
 * The product's rule: the API origin is configured in one place per deployment target (fly.toml's own domain,
 * Vercel's API_ORIGIN). Documentation, *.example templates and tests (which describe hosts as data) may name
 * hosts; nothing that runs or configures a deployment may.
 */
const ALLOWED = [/^docs\//, /\.example$/, /\.test\.tsx?$/, /^apps\/[^/]+\/test\//, /^apps\/web\/e2e\//];

function repoFiles(root: string): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' });
  return [...new Set(out.split('\0').filter(Boolean))];
}

function findHardcodedHosts(root: string, files: string[]): string[] {
  const hits: string[] = [];
  const global = new RegExp(DEPLOYMENT_HOST.source, 'gi');
  for (const file of files) {
    if (ALLOWED.some((re) => re.test(file))) continue;
    let text: string;
    try {
      text = readFileSync(join(root, file), 'utf8');
    } catch {
      continue; // deleted in the work tree but still in the index
    }
    if (text.includes('\0')) continue;
    text.split('\n').forEach((line, i) => {
      for (const m of line.matchAll(global)) hits.push(`${file}:${i + 1}: ${m[0]}`);
    });
  }
  return hits;
}

describe('no hardcoded deployment hosts', () => {
  it('finds none in source or configuration outside docs/, examples and tests', () => {
    expect(findHardcodedHosts(REPO_ROOT, repoFiles(REPO_ROOT))).toEqual([]);
  });

  it('finds one when a file names a Fly or Render host', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cv-hosts-'));
    try {
      const host = (app: string, suffix: string) => `${app}.${suffix}`;
      const planted: Record<string, string> = {
        'apps/web/vercel.json': `{"rewrites":[{"source":"/api/:path*","destination":"https://${host('cryptovault-api', 'fly.dev')}/api/:path*"}]}`,
        'apps/web/.env.production': `VITE_API_BASE_URL=https://${host('cryptovault-api', 'onrender.com')}`,
        'render.yaml': `value: https://${host('my-app', 'onrender.com')}`,
        'docs/deploy.md': `https://${host('cryptovault-api', 'fly.dev')}`,
        'apps/api/.env.example': `PUBLIC_WS_URL=wss://${host('cryptovault-api', 'fly.dev')}`,
        'apps/api/src/ok.ts': "const suffixes = ['fly.dev', 'onrender.com']; // public suffixes, not hosts",
      };
      for (const [file, text] of Object.entries(planted)) {
        mkdirSync(dirname(join(dir, file)), { recursive: true });
        writeFileSync(join(dir, file), text);
      }
      const hits = findHardcodedHosts(dir, Object.keys(planted));
      expect(hits.map((h) => h.split(':')[0])).toEqual(['apps/web/vercel.json', 'apps/web/.env.production', 'render.yaml']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
