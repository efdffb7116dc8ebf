// npm run rehearse:prod [-- --keep] [--database-url <admin url>] [--redis-url <url>] [--json]
//
// The production image without Docker: builds in a clean directory from the build context the Dockerfile and
// .dockerignore define, installs production dependencies only, assembles the runtime stage's files, and runs
// them as an unprivileged user with fly.toml's [env], production secrets and local stand-ins for SendGrid and
// NOWPayments, against a fresh PostgreSQL database and Redis. Then: Fly's release_command, the image's CMD,
// /health, a sign-up → deposit → trade flow, /metrics, and a SIGTERM drain within kill_timeout.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { durationMs, readFlyToml, runtimeCommand } from './lib/deploy-files.mjs';
import { deposit, FlowClient, signUp, StepError, trade, until } from './lib/rehearsal-flow.mjs';
import { buildStage, prodDepsStage, runtimeStage } from './lib/rehearsal-stages.mjs';
import { startNowPayments, startSendGrid } from './lib/rehearsal-standins.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    keep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    'database-url': { type: 'string' },
    'redis-url': { type: 'string' },
  },
});
const adminUrl = args['database-url'] ?? process.env.REHEARSAL_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = args['redis-url'] ?? process.env.REHEARSAL_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
const ignoreText = readFileSync(join(REPO, '.dockerignore'), 'utf8');
const fly = readFlyToml(readFileSync(join(REPO, 'fly.toml'), 'utf8'));

const steps = [];
const log = (msg) => !args.json && console.log(`  … ${msg}`);
async function step(name, fn) {
  const started = Date.now();
  try {
    const detail = await fn();
    steps.push({ step: name, status: 'pass', detail, ms: Date.now() - started });
  } catch (err) {
    const detail = err instanceof StepError ? err.message : `${err.message}${err.stderr ? `\n${String(err.stderr).slice(-800)}` : ''}`;
    steps.push({ step: name, status: 'fail', detail, ms: Date.now() - started });
    throw new StepError(detail);
  }
  if (!args.json) console.log(`${steps.at(-1).status.padEnd(4)}  ${name}: ${steps.at(-1).detail}`);
}
const notYet = (name, why) => steps.push({ step: name, status: 'not yet possible', detail: why, ms: 0 });

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

// Root runs the app as `nobody`, as the image runs it as `node`: never as root.
const asUser = process.getuid?.() === 0 ? ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--'] : [];

const root = mkdtempSync(join(tmpdir(), 'cv-rehearsal-'));
const dirs = { build: join(root, 'build'), 'prod-deps': join(root, 'prod-deps'), runtime: join(root, 'runtime') };
for (const d of Object.values(dirs)) mkdirSync(d);
const dbName = `cv_rehearsal_${Date.now()}_${process.pid}`;
const admin = new pg.Client({ connectionString: adminUrl });
const secrets = {
  JWT_SECRET: randomBytes(36).toString('base64url'),
  CSRF_SECRET: randomBytes(36).toString('base64url'),
  DATA_ENCRYPTION_KEY: randomBytes(36).toString('base64url'),
  SENDGRID_API_KEY: `SG.${randomBytes(12).toString('hex')}`,
  NOWPAYMENTS_API_KEY: randomBytes(12).toString('hex'),
  NOWPAYMENTS_IPN_SECRET: randomBytes(24).toString('base64url'),
  PROOF_SIGNING_KEY: randomBytes(32).toString('base64'),
  METRICS_TOKEN: randomBytes(16).toString('hex'),
  EDGE_PROXY_SECRET: randomBytes(32).toString('hex'),
};
let server = null;
let sendgrid = null;
let nowpayments = null;
let failed = false;

try {
  await step('build stage', async () => {
    buildStage({ repo: REPO, dir: dirs.build, dockerfile, ignoreText, log });
    return `clean copy of the build context (.dockerignore applied) built with npm run build → apps/api/dist, apps/web/dist`;
  });
  await step('production dependencies', async () => {
    prodDepsStage({ repo: REPO, dir: dirs['prod-deps'], dockerfile, ignoreText, log });
    const present = ['vitest', 'typescript', 'esbuild', 'tsx', '@biomejs/biome', 'vite'].filter((p) => existsSync(join(dirs['prod-deps'], 'node_modules', p)));
    if (present.length) throw new StepError(`development packages installed: ${present.join(', ')}`);
    return `${readdirSync(join(dirs['prod-deps'], 'node_modules')).length} top-level packages, none of the development tools`;
  });
  await step('runtime stage', async () => {
    runtimeStage({ dir: dirs.runtime, stageDirs: dirs, dockerfile });
    const sources = execFileSync('find', ['.', '-path', './node_modules', '-prune', '-o', '-name', '*.ts', '-print'], {
      cwd: dirs.runtime,
      encoding: 'utf8',
    }).trim();
    if (sources) throw new StepError(`TypeScript sources in the runtime files: ${sources.split('\n').slice(0, 3).join(', ')}`);
    execFileSync('chmod', ['-R', 'a+rX,go-w', root]);
    chmodSync(root, 0o755);
    return `compiled output only (${readdirSync(join(dirs.runtime, 'apps/api/dist')).filter((f) => f.endsWith('.js')).length} bundles), migrations, production node_modules; root-owned, read-only for the app user`;
  });

  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const databaseUrl = adminUrl.replace(/\/[^/?]*(\?|$)/, `/${dbName}$1`);
  sendgrid = await startSendGrid(secrets.SENDGRID_API_KEY);
  nowpayments = await startNowPayments(secrets.NOWPAYMENTS_API_KEY);
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    ...Object.fromEntries(Object.entries(fly.env ?? {}).map(([k, v]) => [k, String(v)])),
    ...secrets,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    SENDGRID_BASE_URL: sendgrid.url,
    NOWPAYMENTS_BASE_URL: `${nowpayments.url}/v1`,
    USE_MOCK_PRICES: 'true', // no CoinCap key in a rehearsal: the simulated market, as config.ts allows
    HOST: '127.0.0.1',
    PORT: String(port),
    FLY_APP_NAME: fly.app,
    FLY_REGION: fly.primary_region,
    FLY_MACHINE_ID: 'rehearsal00001',
  };
  const run = (argv, opts = {}) =>
    execFileSync(asUser[0] ?? argv[0], [...asUser.slice(1), ...(asUser.length ? argv : argv.slice(1))], { cwd: dirs.runtime, env, encoding: 'utf8', ...opts });

  await step('unprivileged user', async () => {
    const uid = run(['node', '-e', 'process.stdout.write(String(process.getuid()))']);
    if (uid === '0') throw new StepError('the app would run as root');
    try {
      run(['node', '-e', "require('fs').writeFileSync('apps/api/dist/server.js', '')"], { stdio: 'pipe' });
      throw new StepError('the app user can rewrite its own code');
    } catch (err) {
      if (err instanceof StepError) throw err;
    }
    return `uid ${uid}${asUser.length ? ' (nobody, via setpriv)' : ''}; cannot write its own files`;
  });

  await step('release_command', async () => {
    const cmd = fly.deploy.release_command;
    const out = run(['sh', '-c', cmd]);
    const again = run(['sh', '-c', cmd]);
    return `${cmd}: ${out.trim().slice(0, 100)}; again: ${again.trim()}`;
  });

  await step('start (image CMD)', async () => {
    const { entrypoint, cmd } = runtimeCommand(dockerfile);
    let argv = [...(entrypoint ?? []), ...cmd];
    let note = '';
    if (/tini$/.test(argv[0]) && !existsSync(argv[0])) {
      argv = argv.slice(argv[1] === '--' ? 2 : 1);
      note = ' (tini not installed here: node started directly)';
    }
    const full = [...asUser, ...argv];
    server = spawn(full[0], full.slice(1), { cwd: dirs.runtime, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = [];
    server.stdout.on('data', (c) => lines.push(...String(c).split('\n').filter(Boolean)));
    server.stderr.on('data', (c) => lines.push(...String(c).split('\n').filter(Boolean)));
    server.lines = lines;
    await until(
      async () => {
        if (server.exitCode !== null) throw new StepError(`exited with ${server.exitCode}: ${lines.slice(-5).join(' | ')}`);
        return fetch(`http://127.0.0.1:${port}/health`).then(
          (r) => r.ok,
          () => false,
        );
      },
      60_000,
      '/health',
    );
    const json = lines.filter((l) => l.startsWith('{')).length;
    return `${argv.join(' ')}${note}; healthy; ${json}/${lines.length} log lines are JSON`;
  });

  const base = `http://127.0.0.1:${port}`;
  const client = new FlowClient(base, `10.${1 + (process.pid % 250)}.${Date.now() % 250}.7`, secrets.EDGE_PROXY_SECRET);
  await step('health', async () => {
    const r = await client.call('GET', '/health');
    if (r.status !== 200 || r.json.checks.database.status !== 'ok') throw new StepError(`/health: HTTP ${r.status} ${r.text}`);
    const dev = await client.call('GET', '/api/dev/outbox?to=x@example.com');
    if (dev.status !== 404) throw new StepError(`/api/dev is reachable in production (HTTP ${dev.status})`);
    return `${r.json.status}; database ${r.json.checks.database.latencyMs} ms, cache ${r.json.checks.cache.status}; /api/dev absent (404)`;
  });

  const paths = Object.keys((await client.call('GET', '/api/openapi.json')).json?.paths ?? {});
  const missing = (need) => need.filter((p) => !paths.includes(p));
  const flow = [
    ['sign-up', ['/api/auth/signup', '/api/auth/verify-email'], () => signUp(client, sendgrid).then((r) => r.detail)],
    [
      'deposit',
      ['/api/wallet/deposits', '/api/webhooks/nowpayments', '/api/wallet/balances'],
      () => deposit(client, { nowpayments, ipnSecret: secrets.NOWPAYMENTS_IPN_SECRET }),
    ],
    ['trade', ['/api/orders'], () => trade(client)],
  ];
  let blocked = null;
  for (const [name, need, fn] of flow) {
    const gone = missing(need);
    if (blocked || gone.length) {
      notYet(name, blocked ? `needs ${blocked}` : `route not built yet: ${gone.join(', ')}`);
      blocked ??= name;
      continue;
    }
    await step(name, fn);
  }

  await step('metrics', async () => {
    const direct = await client.call('GET', '/metrics', { direct: true });
    const proxied = await client.call('GET', '/metrics');
    if (direct.status !== 200 || !direct.text.includes('http_request_duration_seconds'))
      throw new StepError(`/metrics from the private network: HTTP ${direct.status}`);
    if (proxied.status !== 403) throw new StepError(`/metrics through the public proxy answered ${proxied.status} (403 expected)`);
    return 'Prometheus text for a direct private scrape ([metrics]); 403 through the proxy';
  });

  await step('SIGTERM drain', async () => {
    const limit = durationMs(fly.kill_timeout) ?? 5000;
    const started = Date.now();
    const exited = new Promise((resolve) => server.once('exit', (code, signal) => resolve(code ?? signal)));
    // setpriv execs node, so the signal reaches node itself, as tini forwards it in the image.
    server.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), limit))]);
    server = null;
    if (code !== 0) throw new StepError(`exit ${code} after SIGTERM (kill_timeout ${fly.kill_timeout})`);
    return `exit 0 in ${Date.now() - started} ms (kill_timeout ${fly.kill_timeout})`;
  });
} catch (err) {
  failed = true;
  if (!(err instanceof StepError)) steps.push({ step: 'rehearsal', status: 'fail', detail: err.stack ?? String(err), ms: 0 });
} finally {
  if (server) {
    if (server.lines?.length) steps.push({ step: 'server log (tail)', status: 'info', detail: server.lines.slice(-8).join('\n'), ms: 0 });
    server.kill('SIGKILL');
  }
  await sendgrid?.close();
  await nowpayments?.close();
  await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
  await admin.end().catch(() => undefined);
  if (args.keep) console.error(`kept ${root}`);
  else rmSync(root, { recursive: true, force: true });
}

const pending = steps.filter((s) => s.status === 'not yet possible');
const ok = !failed && !steps.some((s) => s.status === 'fail');
if (args.json) console.log(JSON.stringify({ ok, steps }, null, 2));
else {
  for (const s of steps.filter((x) => x.status !== 'pass')) console.log(`${s.status}  ${s.step}: ${s.detail}`);
  console.log(`\n${ok ? 'REHEARSAL PASSED' : 'REHEARSAL FAILED'}${pending.length ? ` (${pending.length} step(s) not yet possible)` : ''}`);
}
process.exit(ok ? 0 : 1);
