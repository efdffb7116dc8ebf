import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { supportedNodeMajors } from '../../../../scripts/lib/deploy-files.mjs';

/**
 * The packages with native or platform-specific parts, on the Node.js this suite runs on. CI runs the whole suite
 * on the machines' Node 20 and again on the production image's Node 26 (.ci/run), so each line is checked on both.
 * PGlite (WebAssembly) is exercised by every database test.
 */
const require = createRequire(new URL('../../package.json', import.meta.url));

describe(`runtime: Node.js ${process.versions.node}`, () => {
  it('is a Node.js line that package.json engines supports', () => {
    expect(supportedNodeMajors()).toContain(Number(process.versions.node.split('.')[0]));
  });

  it('hashes and verifies with @node-rs/argon2 (prebuilt binary package)', async () => {
    const argon2 = (await import('@node-rs/argon2')) as typeof import('@node-rs/argon2');
    const hash = await argon2.hash('correct horse', { memoryCost: 1024, timeCost: 1 });
    expect(await argon2.verify(hash, 'correct horse')).toBe(true);
    expect(await argon2.verify(hash, 'wrong horse')).toBe(false);
  });

  it('loads the native builds of bufferutil and utf-8-validate, not their JavaScript fallbacks', () => {
    // Both packages fall back to plain JavaScript silently when their prebuilt binding fails to load.
    const load = require('node-gyp-build') as (dir: string) => unknown;
    const bufferutil = load(dirname(require.resolve('bufferutil/package.json'))) as { mask?: unknown };
    expect(typeof bufferutil.mask).toBe('function');
    const isValidUTF8 = load(dirname(require.resolve('utf-8-validate/package.json'))) as (b: Buffer) => boolean;
    expect(isValidUTF8(Buffer.from('prix €', 'utf8'))).toBe(true);
    expect(isValidUTF8(Buffer.from([0xc3, 0x28]))).toBe(false);
  });

  it('runs esbuild (the API bundler) with its platform binary', async () => {
    const { transform } = await import('esbuild');
    expect((await transform('const a: number = 1', { loader: 'ts' })).code.trim()).toBe('const a = 1;');
  });
});
