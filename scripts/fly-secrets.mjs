// npm run fly:secrets -- --env-file <file> [--apply [--stage]] [--out <file>] [--app <name>] [--config fly.toml]
//
// Turns a .env file into the input of `fly secrets import` without ever printing a value: it lists names and
// what happens to each, checks that fly.toml [env] plus these secrets make a valid production configuration (the
// API's own rules), then either pipes the secrets into `fly secrets import` on stdin (--apply), writes them to a
// 0600 file (--out), or, by default, stops there (dry run).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parseArgs } from 'node:util';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../apps/api/src/config.ts';
import { readFlyToml } from './lib/deploy-files.mjs';
import { importInput, parseEnvFile, planSecrets } from './lib/env-file.mjs';

const USAGE = 'usage: npm run fly:secrets -- --env-file <file> [--apply [--stage]] [--out <file>] [--app <name>] [--config fly.toml] [--allow-incomplete]';

function fail(message, code = 1) {
  console.error(message);
  process.exit(code);
}

function findFly() {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const bin of ['fly', 'flyctl']) if (dir && existsSync(join(dir, bin))) return join(dir, bin);
  }
  return null;
}

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      'env-file': { type: 'string' },
      config: { type: 'string', default: 'fly.toml' },
      app: { type: 'string' },
      out: { type: 'string' },
      apply: { type: 'boolean', default: false },
      stage: { type: 'boolean', default: false },
      'allow-incomplete': { type: 'boolean', default: false },
    },
    strict: true,
  }));
} catch (err) {
  fail(`${err.message}\n${USAGE}`, 2);
}
if (!args['env-file']) fail(`--env-file is required\n${USAGE}`, 2);
if (!existsSync(args['env-file'])) fail(`no such file: ${args['env-file']}`, 2);

const fly = readFlyToml(readFileSync(args.config, 'utf8'));
const flyEnv = Object.fromEntries(Object.entries(fly.env ?? {}).map(([k, v]) => [k, String(v)]));
const app = args.app ?? fly.app;
const { entries, errors } = parseEnvFile(readFileSync(args['env-file'], 'utf8'));
const plan = planSecrets({ entries, flyEnv, known: CONFIG_VARIABLES });
const problems = [...errors, ...plan.problems];

// The API's own production rules over exactly what the machines will see. Messages name variables; any value
// that a message might echo is blanked out all the same.
const scrub = (text) => plan.send.reduce((t, s) => (s.value.length >= 4 ? t.split(s.value).join('[value]') : t), text);
try {
  loadConfig({ ...flyEnv, ...Object.fromEntries(plan.send.map((s) => [s.name, s.value])) });
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  problems.push(...err.problems.map((p) => `production config: ${scrub(p)}`));
}

const width = Math.max(4, ...entries.map((e) => e.name.length));
console.log(`${args['env-file']} → fly secrets of ${app} (values are never shown)\n`);
for (const s of plan.send) console.log(`  ${s.name.padEnd(width)}  send`);
for (const s of plan.skipped) console.log(`  ${s.name.padEnd(width)}  skip: ${s.reason}`);
if (problems.length) console.log(`\nProblems:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
console.log('');

if (problems.length && !args['allow-incomplete']) fail(`Nothing sent: fix the ${problems.length} problem(s) above (or pass --allow-incomplete).`);
if (plan.send.length === 0) fail('Nothing to send.');

const input = importInput(plan.send);
if (args.out) {
  writeFileSync(args.out, input, { mode: 0o600 });
  console.log(`Wrote ${plan.send.length} secret(s) to ${args.out} (mode 600). Import with: fly secrets import --app ${app} < ${args.out}; then delete it.`);
}
if (args.apply) {
  const bin = findFly();
  if (!bin) fail('flyctl not found on PATH (install it from Fly.io, then `fly auth login`).');
  const flyArgs = ['secrets', 'import', '--app', app, ...(args.stage ? ['--stage'] : [])];
  console.log(`Running: ${bin} ${flyArgs.join(' ')} (${plan.send.length} secret(s) on stdin)`);
  const r = spawnSync(bin, flyArgs, { input, stdio: ['pipe', 'inherit', 'inherit'] });
  if (r.status !== 0) fail(`fly secrets import failed (exit ${r.status ?? r.signal})`);
  console.log(args.stage ? 'Staged: they apply on the next `fly deploy`.' : 'Imported: Fly restarts the machines with the new secrets.');
}
if (!args.out && !args.apply) console.log('Dry run: nothing sent. Add --apply to import them with flyctl, or --out <file>.');
