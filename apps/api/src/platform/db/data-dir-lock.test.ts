import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireDataDirLock, lockFileFor } from './data-dir-lock.ts';

const dir = mkdtempSync(join(tmpdir(), 'cv-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('embedded data directory lock', () => {
  it('refuses a second holder while the first lives, naming it; free again after release', () => {
    const db = join(dir, 'a');
    const lock = acquireDataDirLock(db, 'the first');
    expect(JSON.parse(readFileSync(lockFileFor(db), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname(), command: 'the first' });
    expect(() => acquireDataDirLock(db, 'the second')).toThrow(new RegExp(`in use by process ${process.pid} \\(the first, since .*Nothing was changed`));
    lock.release();
    acquireDataDirLock(db, 'the second').release();
  });

  it("takes over a crashed holder's lock (dead pid)", () => {
    const db = join(dir, 'b');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(lockFileFor(db), JSON.stringify({ pid: dead, host: hostname(), procStart: null, command: 'crashed', acquiredAt: 'earlier' }));
    const lock = acquireDataDirLock(db, 'next start');
    expect(JSON.parse(readFileSync(lockFileFor(db), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('takes over a lock whose pid now belongs to another program (start time differs), and a half-written one', () => {
    const db = join(dir, 'c');
    writeFileSync(lockFileFor(db), JSON.stringify({ pid: process.pid, host: hostname(), procStart: '1', command: 'long gone', acquiredAt: 'earlier' }));
    acquireDataDirLock(db, 'next start').release();
    writeFileSync(lockFileFor(db), '{"pid": 12');
    acquireDataDirLock(db, 'next start').release();
  });
});
