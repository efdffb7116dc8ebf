import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFlyToml } from '../../../../scripts/lib/deploy-files.mjs';
import { createMetrics } from '../../src/platform/metrics.ts';
import { REPO_ROOT, readRepoFile } from './paths.ts';

const doc = readRepoFile('docs/deploy.md');
const rootPkg = JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> };
const workspaces: Record<string, string> = {
  '@cryptovault/api': 'apps/api',
  '@cryptovault/web': 'apps/web',
  '@cryptovault/contract': 'packages/contract',
};

function sourceText(dir: string): string {
  let out = '';
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out += sourceText(path);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out += readFileSync(path, 'utf8');
  }
  return out;
}

describe('docs/deploy.md', () => {
  it('has the runbook sections the issue asks for', () => {
    const headings = [...doc.matchAll(/^#{2,3} (.+)$/gm)].map((m) => m[1]);
    for (const h of [
      'Cutover runbook',
      'Rollback',
      'Scaling',
      'Concurrency',
      'Custom domain',
      'Cost',
      'Monitoring and alerts',
      'What differs from the January 2026 report',
    ]) {
      expect(
        headings.some((x) => x?.startsWith(h)),
        h,
      ).toBe(true);
    }
    for (const step of ['Create the app', 'Secrets', 'Deploy', 'Smoke the API directly', 'API_ORIGIN', 'Watch', 'Decommission Render']) {
      expect(doc).toContain(step);
    }
  });

  it('uses only npm scripts the repository defines', () => {
    const uses = [...doc.matchAll(/npm run ([\w:-]+)(?:\s+-w\s+(@[\w/-]+))?/g)];
    expect(uses.length).toBeGreaterThan(5);
    for (const [, script, ws] of uses) {
      const pkg = ws ? (JSON.parse(readRepoFile(`${workspaces[ws!]}/package.json`)) as { scripts: Record<string, string> }) : rootPkg;
      expect(Object.keys(pkg.scripts), `npm run ${script}${ws ? ` -w ${ws}` : ''}`).toContain(script);
    }
  });

  it('names files that exist', () => {
    const paths = [...doc.matchAll(/`((?:apps|scripts|docs|bench|packages)\/[\w./-]+|fly\.toml|Dockerfile|\.dockerignore)`/g)].map((m) => m[1]!);
    const node = [...doc.matchAll(/\bnode ((?:apps|scripts|bench)\/[\w./-]+)/g)].map((m) => m[1]!);
    expect(paths.length).toBeGreaterThan(5);
    // dist/ is build output: its source is what must exist.
    const missing = [...paths, ...node].filter((p) => !existsSync(join(REPO_ROOT, p.replace(/^apps\/api\/dist\/(.*)\.js$/, 'apps/api/src/$1.ts'))));
    expect(missing).toEqual([]);
  });

  it('quotes fly.toml as it is', () => {
    const fly = readFlyToml(readRepoFile('fly.toml')) as {
      kill_timeout: string;
      deploy: { release_command: string };
      http_service: { concurrency: { soft_limit: number; hard_limit: number } };
    };
    expect(doc).toContain(`kill_timeout = "${fly.kill_timeout}"`);
    expect(doc).toContain(fly.deploy.release_command);
    const { soft_limit, hard_limit } = fly.http_service.concurrency;
    expect(doc).toContain(`soft_limit = ${soft_limit}`);
    expect(doc).toContain(`hard_limit = ${hard_limit}`);
  });

  it('writes alert rules on series the API exports', async () => {
    const named = new Set(
      [...doc.matchAll(/\b((?:http_request_duration_seconds|price_feed|socketio|nodejs|process)_[a-z0-9_]*)/g)].map((m) =>
        m[1]!.replace(/_(bucket|count|sum)$/, ''),
      ),
    );
    const exported = await createMetrics().registry.metrics();
    const source = sourceText(join(REPO_ROOT, 'apps/api/src'));
    const unknown = [...named].filter((n) => !exported.includes(n) && !source.includes(`'${n}'`) && !/^(nodejs|process)_$/.test(n));
    expect(unknown).toEqual([]);
  });
});
