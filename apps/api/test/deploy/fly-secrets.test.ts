import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importInput, parseEnvFile, planSecrets } from '../../../../scripts/lib/env-file.mjs';
import { CONFIG_VARIABLES } from '../../src/config.ts';
import { REPO_ROOT, readRepoFile } from './paths.ts';

const dir = mkdtempSync(join(tmpdir(), 'cv-fly-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Distinctive values, so that any leak into the output is found.
const SECRETS: Record<string, string> = {
  JWT_SECRET: 'jwt-Zq8Xv2Lr5Tn9Wp3Ks7Hd1Fg6Jb4Mc0Ya',
  CSRF_SECRET: 'csrf-Pe3Ru8Ty1Ui6Op4As9Df2Gh7Jk5Lz0Xc',
  DATA_ENCRYPTION_KEY: 'dek-Vb2Nm7Qw4Er9Tz1Ui6Op3As8Df5Gh0Jk',
  DATABASE_URL: 'postgres://cv:pw-Hx7Kq2Lm9@db.example.internal:5432/cryptovault',
  REDIS_URL: 'rediss://default:tok-Rt5Yu8Io2Pa@redis.example.net:6379',
  COINCAP_API_KEY: 'cc-Mn4Bv7Cx1Za9',
  SENDGRID_API_KEY: 'SG.sg-Lk8Jh3Gf6Ds1',
  NOWPAYMENTS_API_KEY: 'np-Qa2Ws5Ed8Rf1',
  NOWPAYMENTS_IPN_SECRET: 'ipn-Tg6Yh9Uj2Ik5Ol8',
  PROOF_SIGNING_KEY: 'KAsx0Ad3LzmK9vwcgF2mRTcQzOl6l9BD8QNgUJ4fSbk=',
  EDGE_PROXY_SECRET: 'edge-Vb4Nm7Qw1Er5Ty8Ui2Op6As3Df9Gh0Jk',
};

function envFile(extra = ''): string {
  const body = [
    '# production secrets',
    ...Object.entries(SECRETS).map(([k, v], i) => (i % 3 === 0 ? `export ${k}="${v}"` : i % 3 === 1 ? `${k}='${v}'` : `${k}=${v}   # inline comment`)),
    'MONGO_URL=mongodb+srv://old-Dz3Xc6',
    'FLY_REGION=iad',
    'LOG_LEVEL=debug',
    'JWT_SECRETT=typo-Qp0Wo9',
    extra,
  ].join('\n');
  const file = join(dir, `env-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, body);
  return file;
}

function run(args: string[], path = process.env.PATH ?? '') {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/fly-secrets.mjs', ...args], { cwd: REPO_ROOT, env: { PATH: path }, encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

function expectNoValues(text: string): void {
  for (const v of [...Object.values(SECRETS), 'mongodb+srv://old-Dz3Xc6', 'typo-Qp0Wo9']) expect(text).not.toContain(v);
}

describe('.env parsing and the secrets plan', () => {
  it('reads quoting, export and comments, and reports bad lines by number only', () => {
    const { entries, errors } = parseEnvFile('A=1\nexport B="two # not a comment"\nC=\'x\'\nD=plain # comment\n# E=no\nbroken line\nF="unterminated\n');
    expect(entries.map((e) => [e.name, e.value])).toEqual([
      ['A', '1'],
      ['B', 'two # not a comment'],
      ['C', 'x'],
      ['D', 'plain'],
    ]);
    expect(errors).toEqual(['line 6: not a NAME=value line', 'line 7: F has an unterminated quote']);
  });

  it('sends known secrets only, skipping [env] settings, Fly-set, retired and unknown names', () => {
    const { entries } = parseEnvFile(readFileSync(envFile(), 'utf8'));
    const plan = planSecrets({ entries, flyEnv: { LOG_LEVEL: 'info' }, known: CONFIG_VARIABLES });
    expect(plan.send.map((s) => s.name).sort()).toEqual(Object.keys(SECRETS).sort());
    expect(plan.send.find((s) => s.name === 'SENDGRID_API_KEY')?.value).toBe(SECRETS.SENDGRID_API_KEY);
    expect(Object.fromEntries(plan.skipped.map((s) => [s.name, s.reason]))).toEqual({
      MONGO_URL: expect.stringMatching(/retired/),
      FLY_REGION: expect.stringMatching(/set by Fly/),
      LOG_LEVEL: expect.stringMatching(/fly\.toml \[env\]/),
      JWT_SECRETT: expect.stringMatching(/typo/),
    });
    expect(plan.problems).toEqual([]);
    expect(importInput(plan.send)).toBe(`${plan.send.map((s) => `${s.name}=${s.value}`).join('\n')}\n`);
  });

  it('lists every variable the API reads in apps/api/.env.example', () => {
    const example = readRepoFile('apps/api/.env.example');
    const missing = CONFIG_VARIABLES.filter((name) => !new RegExp(`(^|[#\\s])${name}=`, 'm').test(example));
    expect(missing).toEqual([]);
    expect(readRepoFile('apps/web/.env.example')).toMatch(/^API_ORIGIN=/m);
  });
});

describe('npm run fly:secrets', () => {
  it('refuses the example file as it is (placeholders, missing production values)', () => {
    const r = run(['--env-file', 'apps/api/.env.example']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/JWT_SECRET still holds the example placeholder/);
    expect(r.out).toMatch(/Nothing sent/);
  });

  it('dry-runs by default, naming what would be sent and never a value', () => {
    const r = run(['--env-file', envFile()]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/^\s+JWT_SECRET\s+send$/m);
    expect(r.out).toMatch(/^\s+LOG_LEVEL\s+skip: set in fly\.toml \[env\]$/m);
    expect(r.out).toMatch(/Dry run: nothing sent/);
    expectNoValues(r.out);
  });

  it('writes the import input to a private file with --out', () => {
    const out = join(dir, 'import.env');
    const r = run(['--env-file', envFile(), '--out', out]);
    expect(r.code, r.out).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toContain(`JWT_SECRET=${SECRETS.JWT_SECRET}`);
    expect(lines).toContain(`DATABASE_URL=${SECRETS.DATABASE_URL}`);
    expect(lines).toHaveLength(Object.keys(SECRETS).length);
    expectNoValues(r.out);
  });

  it('pipes the secrets into `fly secrets import` on stdin with --apply', () => {
    const bin = join(dir, 'bin');
    spawnSync('mkdir', ['-p', bin]);
    const fake = join(bin, 'fly');
    writeFileSync(fake, `#!/bin/sh\necho "$@" > "${dir}/fly-args"\ncat > "${dir}/fly-stdin"\necho "Secrets are deployed"\n`);
    chmodSync(fake, 0o755);
    const r = run(['--env-file', envFile(), '--apply', '--stage'], `${bin}:${process.env.PATH}`);
    expect(r.code, r.out).toBe(0);
    expect(readFileSync(join(dir, 'fly-args'), 'utf8').trim()).toBe('secrets import --app cryptovault-api --stage');
    expect(readFileSync(join(dir, 'fly-stdin'), 'utf8')).toContain(`NOWPAYMENTS_IPN_SECRET=${SECRETS.NOWPAYMENTS_IPN_SECRET}\n`);
    expect(r.out).toMatch(/Secrets are deployed/);
    expectNoValues(r.out);
  });

  it('refuses a too-short secret by the API rules without echoing it', () => {
    const r = run(['--env-file', envFile('CSRF_SECRET=')]);
    expect(r.code).toBe(1);
    const short = envFile();
    writeFileSync(short, readFileSync(short, 'utf8').replace(SECRETS.CSRF_SECRET!, 'short-secret-x9'));
    const r2 = run(['--env-file', short]);
    expect(r2.code).toBe(1);
    expect(r2.out).toMatch(/CSRF_SECRET is too short/);
    expect(r2.out).not.toContain('short-secret-x9');
  });
});
