import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from './config.ts';

describe('README configuration table', () => {
  it('documents exactly the variables config.ts reads', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Documentation'));
    const documented = new Set(
      section
        .split('\n')
        .filter((l) => l.startsWith('| `'))
        .flatMap((l) => (l.split('|')[1] ?? '').match(/`([A-Z0-9_]+)`/g) ?? [])
        .map((s) => s.replaceAll('`', '')),
    );
    expect([...documented].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });
});
