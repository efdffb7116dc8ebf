import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, readRepoFile } from './paths.ts';

/**
 * docs/architecture.md names files as `path` or `path#name`, every path from the repository root. Each path must
 * exist, each `name` (a function, class or `Class.method`) must appear in its file, and each hop of the two walks
 * must name at least one file.
 */
const doc = readRepoFile('docs/architecture.md');

/** Backticked references that start at a top-level folder of the repository (placeholders like `<x>` excepted). */
const refs = [...doc.matchAll(/`((?:apps|packages|scripts|docs|bench)\/[^`\s]*)`/g)]
  .map((m) => m[1]!)
  .filter((r) => !/[<>*]/.test(r))
  .map((r) => {
    const [path, name] = r.split('#') as [string, string | undefined];
    return { ref: r, path, name };
  });

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The numbered hops of one `## Path of …` section. */
function hops(heading: string): string[] {
  const start = doc.indexOf(`## ${heading}`);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const rest = doc.slice(start + heading.length + 3);
  const end = rest.search(/^## /m);
  const section = end < 0 ? rest : rest.slice(0, end);
  // A hop is a numbered item with its indented continuation lines.
  return section.split(/^(?=\d+\. )/m).filter((s) => /^\d+\. /.test(s));
}

describe('docs/architecture.md', () => {
  it('names files that exist', () => {
    expect(refs.length).toBeGreaterThan(40);
    const missing = refs.filter((r) => !existsSync(join(REPO_ROOT, r.path))).map((r) => r.ref);
    expect(missing).toEqual([]);
  });

  it('names functions, classes and methods that are in the file it names', () => {
    const named = refs.filter((r) => r.name !== undefined);
    expect(named.length).toBeGreaterThan(30);
    const absent = named
      .filter((r) => {
        const full = join(REPO_ROOT, r.path);
        if (!existsSync(full) || statSync(full).isDirectory()) return true;
        const text = readFileSync(full, 'utf8');
        // `OrdersService.place`: each part must be in the file as a word.
        return !r.name!.split('.').every((part) => new RegExp(`\\b${escapeRegExp(part)}\\b`).test(text));
      })
      .map((r) => r.ref);
    expect(absent).toEqual([]);
  });

  it('walks a price tick and a market order hop by hop, each hop naming a file', () => {
    for (const heading of ['Path of a price tick', 'Path of a market order']) {
      const list = hops(heading);
      expect(list.length, heading).toBeGreaterThanOrEqual(5);
      const bare = list.filter((h) => !/`(?:apps|packages)\/[^`\s]+#[^`\s]+`/.test(h)).map((h) => h.slice(0, 60));
      expect(bare, heading).toEqual([]);
    }
  });

  it('is linked from the README', () => {
    expect(readRepoFile('README.md')).toContain('docs/architecture.md');
  });
});
