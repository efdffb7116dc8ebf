// What a signed-in browser does, measured over HTTP against the built server, each beside its baseline in the same run:
//   reads: GET /api/portfolio, /api/wallet/balances, /api/orders?status=open, /api/transactions and /api/auth/me with
//          the session cookies (and /api/portfolio with a Bearer token), autocannon at --connections, in slices that
//          alternate with a bare Fastify hello server; plus the API process's CPU per request.
//   orders: market buys as the web app sends them (cookies, X-CSRF-Token, Origin, a fresh Idempotency-Key each), one
//          trader per connection, at each of --levels, beside pgbench at the same concurrency (1 UPDATE + 1 INSERT).
// PostgreSQL + Redis: a fresh database on BENCH_DATABASE_URL's server (default postgres://postgres@127.0.0.1:5432,
// dropped at the end) and BENCH_REDIS_URL (default redis://127.0.0.1:6379/8). --embedded runs the reads on PGlite.
// Usage: npm run build && node bench/signed-in.mjs [--seconds 20] [--slices 10] [--connections 100]
//        [--levels 8,32,64] [--order-seconds 10] [--only reads|orders] [--no-write] [--cpu-prof DIR]
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Agent, request as httpRequest } from 'node:http';
import { compareAlternating, cpuSeconds, machine, percentile, startNode, waitForOk, writeSection } from './lib.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const seconds = Number(opt('--seconds', 20));
const slices = Number(opt('--slices', 10));
const connections = Number(opt('--connections', 100));
const levels = opt('--levels', '8,32,64').split(',').map(Number);
const orderSeconds = Number(opt('--order-seconds', 10));
const only = opt('--only', 'all');
const embedded = argv.includes('--embedded');
const write = !argv.includes('--no-write');

const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const RUN_DB = `cv_bench_signed_${Date.now()}`;
const dbUrl = (name) => {
  const u = new URL(SERVER);
  u.pathname = `/${name}`;
  return u.toString();
};
const REDIS = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/8';
const APP = 'http://127.0.0.1:19212';
const HELLO = 'http://127.0.0.1:19211/hello';
const ORIGIN = APP; // the page is served by the API itself in this run (same origin), as in embedded mode

const tmp = mkdtempSync(join(tmpdir(), 'cv-signed-'));
const bare = join(tmp, 'bare.mjs');
writeFileSync(
  bare,
  `import Fastify from ${JSON.stringify(new URL('../node_modules/fastify/fastify.js', import.meta.url).pathname)};
   const app = Fastify(); app.get('/hello', async () => ({ hello: 'world' }));
   await app.listen({ port: 19211, host: '127.0.0.1' });`,
);

/** CPU seconds used by every process on this host whose name is `name` (the servers are local), including reaped children. */
function procCpuSeconds(name) {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes(`(${name})`)) continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {
      // ended meanwhile
    }
  }
  return ticks / 100;
}
const pgCpuSeconds = () => procCpuSeconds('postgres');
const redisCpuSeconds = () => procCpuSeconds('redis-server');
/** This process (the load generator): user + system seconds. */
const selfCpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
/** Busy and total CPU seconds of the whole host, from /proc/stat (all cores). */
function hostCpu() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + f[4];
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / 100, total: total / 100 };
}

function cannon(url, headers = {}, duration = seconds / slices) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration, pipelining: 1, headers }, (err, r) => (err ? reject(err) : resolve(r)));
  });
}

/** Target against hello in alternating slices (after a 2 s warm-up of both); API CPU per request over the target's slices. */
const compare = (url, headers, apiPid) =>
  compareAlternating({ run: cannon, baseline: HELLO, url, headers, slices, sliceSeconds: seconds / slices, warmupSeconds: 2, cpuPid: apiPid });

/** A browser's cookie jar for one origin: name=value pairs from Set-Cookie, sent back as one Cookie header. */
class Jar {
  cookies = new Map();
  take(headers) {
    const set = headers['set-cookie'];
    for (const c of Array.isArray(set) ? set : set ? [set] : []) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const value = pair.slice(i + 1);
      if (value === '' || /max-age=0/i.test(c)) this.cookies.delete(pair.slice(0, i));
      else this.cookies.set(pair.slice(0, i), value);
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });
/** One request on a keep-alive connection; resolves to { status, headers, text }. */
function request(url, { method = 'GET', headers = {}, body, localAddress } = {}) {
  return new Promise((resolve, reject) => {
    const h = body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) };
    const req = httpRequest(url, { method, headers: h, agent, localAddress }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
async function call(method, path, { jar, body, headers = {}, localAddress } = {}) {
  const h = { accept: 'application/json', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 bench', ...headers };
  if (jar?.cookies.size) h.cookie = jar.header();
  if (body !== undefined) h['content-type'] = 'application/json';
  const res = await request(`${APP}${path}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), localAddress });
  jar?.take(res.headers);
  return { status: res.status, json: res.text ? JSON.parse(res.text) : null };
}

/**
 * Sign-up → the code from the development outbox → verify: a signed-in browser with its CSRF token. Sign-ups are
 * limited per address (10 an hour), so each browser signs up from an address of its own on the loopback network
 * (127.a.b.c, random per run: the limits' counters outlive a run in Redis).
 */
const net = `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
let sessions = 0;
async function browserSession(n) {
  const jar = new Jar();
  const localAddress = `${net}.${1 + sessions++}`;
  const email = `bench-${Date.now()}-${n}@example.test`;
  const password = 'bench-Password-2026!';
  const origin = { origin: ORIGIN };
  // The sign-up accepts the Terms of Service in force.
  const termsVersion = (await call('GET', '/api/legal/documents')).json?.items?.find((d) => d.kind === 'terms')?.version;
  let r = await call('POST', '/api/auth/signup', { jar, body: { email, password, name: `Bench ${n}`, termsVersion }, headers: origin, localAddress });
  if (r.status !== 201) throw new Error(`signup ${r.status} ${JSON.stringify(r.json)}`);
  const outbox = await call('GET', `/api/dev/outbox?to=${encodeURIComponent(email)}`);
  const code = /\b(\d{6})\b/.exec(outbox.json.items?.[0]?.text ?? '')?.[1];
  r = await call('POST', '/api/auth/verify-email', { jar, body: { email, code }, headers: origin, localAddress });
  if (r.status !== 200) throw new Error(`verify ${r.status} ${JSON.stringify(r.json)}`);
  const csrf = (await call('GET', '/api/csrf', { jar })).json.csrfToken;
  return { jar, csrf, email, password, localAddress };
}

/** A deposit through the simulated provider, completed by its signed callback, as the web app's deposit page does. */
async function fund(s, amountUsd) {
  const h = { origin: ORIGIN, 'x-csrf-token': s.csrf, 'idempotency-key': randomUUID() };
  const dep = await call('POST', '/api/wallet/deposits', { jar: s.jar, body: { amountUsd, payCurrency: 'btc' }, headers: h });
  if (dep.status !== 201 && dep.status !== 200) throw new Error(`deposit ${dep.status} ${JSON.stringify(dep.json)}`);
  const done = await call('POST', `/api/dev/deposits/${dep.json.id}/complete`, { jar: s.jar, body: {}, headers: { origin: ORIGIN, 'x-csrf-token': s.csrf } });
  if (done.status !== 200) throw new Error(`complete ${done.status} ${JSON.stringify(done.json)}`);
}

function pgbench(url, clients) {
  const dir = mkdtempSync(join(tmp, 'pgbench-'));
  execFileSync('psql', [
    url,
    '-qc',
    `drop table if exists bench_accounts, bench_history;
    create table bench_accounts (id int primary key, balance numeric(38,18) not null default 0);
    create table bench_history (id bigint generated always as identity primary key, aid int not null, delta numeric(38,18) not null, at timestamptz not null default now());
    insert into bench_accounts (id) select generate_series(1, 200);`,
  ]);
  const script = join(dir, 'tx.sql');
  writeFileSync(
    script,
    '\\set aid random(1, 200)\nBEGIN;\nUPDATE bench_accounts SET balance = balance + 1 WHERE id = :aid;\nINSERT INTO bench_history (aid, delta) VALUES (:aid, 1);\nEND;\n',
  );
  const out = execFileSync(
    'pgbench',
    ['-n', '-M', 'extended', '-c', String(clients), '-j', '2', '-T', String(orderSeconds), '-f', script, '-l', '--log-prefix', join(dir, 'log'), url],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lat = [];
  for (const f of readdirSync(dir).filter((n) => n.startsWith('log'))) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      const cols = line.split(' ');
      if (cols.length > 2) lat.push(Number(cols[2]) / 1000);
    }
  }
  lat.sort((a, b) => a - b);
  return { tps: Number(/tps = ([\d.]+)/.exec(out)?.[1]), p50: percentile(lat, 50), p99: percentile(lat, 99) };
}

/** Each trader loops: POST /api/orders (market buy of 10 USD) exactly as the web app sends it, for `orderSeconds`. */
async function placeOrders(traders, apiPid) {
  const lat = [];
  let refused = 0;
  const statuses = new Map();
  const c0 = cpuSeconds(apiPid);
  const pg0 = pgCpuSeconds();
  const redis0 = redisCpuSeconds();
  const self0 = selfCpuSeconds();
  const host0 = hostCpu();
  const end = performance.now() + orderSeconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    traders.map(async (s) => {
      while (performance.now() < end) {
        const t = performance.now();
        const r = await call('POST', '/api/orders', {
          jar: s.jar,
          body: { symbol: 'BTC-USD', side: 'buy', type: 'market', quoteAmount: '10' },
          headers: { origin: ORIGIN, 'x-csrf-token': s.csrf, 'idempotency-key': randomUUID() },
        });
        lat.push(performance.now() - t);
        if (r.status !== 201) {
          refused++;
          statuses.set(`${r.status} ${r.json?.error?.code}`, (statuses.get(`${r.status} ${r.json?.error?.code}`) ?? 0) + 1);
        }
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const ok = lat.length - refused;
  return {
    ops: ok / elapsed,
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    refused,
    statuses: [...statuses].map(([k, v]) => `${k} ×${v}`).join(', '),
    cpuMs: ((cpuSeconds(apiPid) - c0) * 1000) / Math.max(1, ok),
    pgCpuMs: ((pgCpuSeconds() - pg0) * 1000) / Math.max(1, ok),
    redisCpuMs: ((redisCpuSeconds() - redis0) * 1000) / Math.max(1, ok),
    loadCpuMs: ((selfCpuSeconds() - self0) * 1000) / Math.max(1, ok),
    hostBusy: (() => {
      const h = hostCpu();
      return (h.busy - host0.busy) / Math.max(0.01, h.total - host0.total);
    })(),
  };
}

const adminUrl = dbUrl('postgres');
const runUrl = dbUrl(RUN_DB);
execFileSync('psql', [adminUrl, '-qc', `create database ${RUN_DB}`]);
const bareProc = startNode([bare]);
const appEnv = {
  PORT: '19212',
  DATA_DIR: join(tmp, 'data'),
  LOG_LEVEL: 'warn',
  NODE_ENV: 'development',
  // Out of the way: every client comes from 127.0.0.1, at more than a million requests a minute.
  RATE_LIMIT_PER_MINUTE: '1000000000',
  // Each trader is funded with $1,000,000 through the simulated provider: above any verification tier's deposit limit.
  KYC_LIMITS: 'off',
  ...(embedded ? { DATABASE_URL: '', REDIS_URL: '' } : { DATABASE_URL: runUrl, REDIS_URL: REDIS }),
};
// --cpu-prof DIR: the API process writes a V8 CPU profile there when it stops (open it in Chrome DevTools).
const profileDir = opt('--cpu-prof', null);
const appProc = startNode(
  [...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), new URL('../apps/api/dist/server.js', import.meta.url).pathname],
  appEnv,
);
const sections = [];
try {
  await waitForOk(HELLO);
  await waitForOk(`${APP}/health`, { timeoutMs: 90_000 }).catch((err) => {
    throw new Error(`${err.message}\n${appProc.stderr()}`);
  });
  const pid = appProc.child.pid;
  const db = embedded ? 'embedded PGlite, in-memory cache' : 'PostgreSQL + Redis';

  if (only === 'all' || only === 'reads') {
    const s = await browserSession('reader');
    await fund(s, '5000');
    // A few fills and an open order, so that the pages have something to read.
    for (let i = 0; i < 20; i++) {
      const h = { origin: ORIGIN, 'x-csrf-token': s.csrf, 'idempotency-key': randomUUID() };
      await call('POST', '/api/orders', { jar: s.jar, body: { symbol: 'BTC-USD', side: 'buy', type: 'market', quoteAmount: '10' }, headers: h });
    }
    await call('POST', '/api/orders', {
      jar: s.jar,
      body: { symbol: 'BTC-USD', side: 'buy', type: 'limit', amount: '0.001', price: '1000' },
      headers: { origin: ORIGIN, 'x-csrf-token': s.csrf, 'idempotency-key': randomUUID() },
    });
    // A non-browser client's session: the tokens in the body (no cookies, no Origin), from the same address.
    const login = await call('POST', '/api/auth/login', { body: { email: s.email, password: s.password, returnTokens: true }, localAddress: s.localAddress });
    const bearer = login.json?.tokens?.accessToken;
    if (!bearer) console.log(`Bearer sign-in refused: ${login.status} ${JSON.stringify(login.json)}`);
    // What the browser sends on a same-origin GET (the web app's fetch).
    const cookie = { cookie: s.jar.header(), accept: 'application/json', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 bench' };
    const rows = [];
    const record = (label, r) =>
      rows.push(
        `| ${label} | ${Math.round(r.rps)} | ${Math.round(r.helloRps)} | **${r.ratio.toFixed(2)}** | ${r.sliceMin.toFixed(2)}–${r.sliceMax.toFixed(2)} | ${r.p50} | ${r.p99} / ${r.worstP99} | ${r.cpuMs.toFixed(3)} | ${r.non2xx} |`,
      );
    const targets = [
      ['`GET /api/auth/me` (cookies): the authenticated no-op', '/api/auth/me', cookie],
      ['`GET /api/portfolio` (cookies)', '/api/portfolio', cookie],
      ['`GET /api/portfolio` (Bearer)', '/api/portfolio', { authorization: `Bearer ${bearer}`, accept: 'application/json' }],
      ['`GET /api/wallet/balances` (cookies)', '/api/wallet/balances', cookie],
      ['`GET /api/orders?status=open` (cookies)', '/api/orders?status=open', cookie],
      ['`GET /api/transactions` (cookies)', '/api/transactions', cookie],
      ['`GET /api/crypto` (anonymous; for comparison)', '/api/crypto', { accept: 'application/json' }],
    ];
    for (const [label, path, headers] of targets) {
      const probe = await request(`${APP}${path}`, { headers });
      if (probe.status !== 200) {
        rows.push(`| ${label} | not measured: ${probe.status} | | | | | | | |`);
        console.log(rows.at(-1), probe.text);
        continue;
      }
      const r = await compare(`${APP}${path}`, headers, pid);
      record(label, r);
      console.log(rows.at(-1));
    }
    sections.push(`### Signed-in reads

autocannon, ${connections} connections, no pipelining, ${seconds} s per target in ${slices} slices alternating with a bare
Fastify hello server (after a 2 s warm-up of both). The cookies are a signed-in browser's (access, refresh and CSRF
cookies); the user has 20 fills and an open order. API CPU = the API process's user + system CPU over the target's
slices divided by its requests (load generator excluded).
Targets: \`/api/portfolio\` ≥ 0.25× hello with p99 ≤ 50 ms; API CPU per authenticated no-op ≤ 0.3 ms.

| target | req/s | hello req/s (its slices) | ratio to bare Fastify | one slice's ratio, lowest–highest | p50 ms | p99 ms (median slice / worst slice) | API CPU ms per request | non-2xx |
|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}`);
  }

  if ((only === 'all' || only === 'orders') && !embedded) {
    const max = Math.max(...levels);
    const traders = [];
    for (let i = 0; i < max; i++) traders.push(await browserSession(`trader-${i}`));
    for (const s of traders) await fund(s, '1000000');
    // Warm-up: every trader's first order (prepared statements, caches).
    await Promise.all(
      traders.map((s) =>
        call('POST', '/api/orders', {
          jar: s.jar,
          body: { symbol: 'BTC-USD', side: 'buy', type: 'market', quoteAmount: '10' },
          headers: { origin: ORIGIN, 'x-csrf-token': s.csrf, 'idempotency-key': randomUUID() },
        }),
      ),
    );
    const rows = [];
    for (const n of levels) {
      const base = pgbench(runUrl, n);
      const r = await placeOrders(traders.slice(0, n), pid);
      rows.push(
        `| ${n} | ${Math.round(base.tps)} | ${base.p50.toFixed(1)} / ${base.p99.toFixed(1)} | ${Math.round(r.ops)} | ${r.p50.toFixed(1)} / ${r.p99.toFixed(1)} | **${(r.ops / base.tps).toFixed(2)}** | ${r.cpuMs.toFixed(2)} | ${r.pgCpuMs.toFixed(2)} | ${r.redisCpuMs.toFixed(2)} | ${r.loadCpuMs.toFixed(2)} | ${Math.round(r.hostBusy * 100)} % | ${r.refused}${r.statuses ? ` (${r.statuses})` : ''} |`,
      );
      console.log(rows.at(-1));
    }
    const recon = await (async () => {
      try {
        const out = execFileSync(
          'psql',
          [runUrl, '-tAc', 'select count(*) from (select entry_id from journal_postings group by entry_id having sum(amount) <> 0) x'],
          { encoding: 'utf8' },
        );
        return out.trim() === '0' ? 'every journal entry balances' : `${out.trim()} unbalanced entries`;
      } catch (err) {
        return `not checked (${err.message.split('\n')[0]})`;
      }
    })();
    sections.push(`### Market orders over HTTP, as the web app sends them

Each trader is a signed-in browser (its own account, funded through the simulated provider) that loops: \`POST
/api/orders\` \`{ symbol: BTC-USD, side: buy, type: market, quoteAmount: "10" }\` with its cookies, \`X-CSRF-Token\`,
\`Origin\` and a fresh \`Idempotency-Key\`, ${orderSeconds} s per level, keep-alive connections (node:http), one in flight per
trader. Baseline at the same concurrency, in the same run just before: pgbench (\`-M extended -j 2\`), one \`UPDATE\` + one
\`INSERT\` per transaction over 200 rows. API CPU = the API process; PostgreSQL CPU = every server process on this host;
Redis CPU = the redis-server process; load generator = this script's process; host CPU busy = all cores, from
/proc/stat, over the level (100 % = both cores busy).
After the run: ${recon}.
Targets: ≥ 0.5× pgbench at 32 traders and ≥ 0.3× at 8, p99 ≤ 50 ms.

| traders | pgbench tx/s | pgbench p50 / p99 ms | orders/s | orders p50 / p99 ms | ratio to pgbench | API CPU ms per order | PostgreSQL CPU ms per order | Redis CPU ms per order | load generator CPU ms per order | host CPU busy | refused |
|---|---|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}`);
  }

  const md = `## Signed in, over HTTP (\`bench/signed-in.mjs\`)

What a signed-in browser sends, through HTTP, beside baselines in the same run. Database: ${db}.
Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}, load generator on the same 2 cores.
Command: \`npm run build && node bench/signed-in.mjs --seconds ${seconds} --slices ${slices} --connections ${connections} --levels ${levels.join(',')} --order-seconds ${orderSeconds}${embedded ? ' --embedded' : ''}\`
(or \`npm run bench -- signed-in\`).

${sections.join('\n\n')}`;
  console.log(md);
  if (write && only === 'all') writeSection(embedded ? 'signed-in-embedded' : 'signed-in', md);
} finally {
  await bareProc.stop();
  await appProc.stop();
  agent.destroy();
  try {
    execFileSync('psql', [adminUrl, '-qc', `drop database if exists ${RUN_DB} with (force)`]);
  } catch {
    // left behind: harmless
  }
  rmSync(tmp, { recursive: true, force: true });
}
