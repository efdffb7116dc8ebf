// HTTP throughput and latency with autocannon (no pipelining), each target measured in the same run as a bare
// Fastify hello-JSON server. Usage: node bench/http.mjs [--seconds 10] [--connections 100]
// Uses DATABASE_URL/REDIS_URL when set (production-like), embedded PGlite otherwise.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { machine, startNode, waitForOk, writeSection } from './lib.mjs';

const arg = (name, dflt) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : dflt);
const seconds = arg('--seconds', 10);
const connections = arg('--connections', 100);
const tmp = mkdtempSync(join(tmpdir(), 'cv-http-'));
const bare = join(tmp, 'bare.mjs');
writeFileSync(
  bare,
  `import Fastify from ${JSON.stringify(new URL('../node_modules/fastify/fastify.js', import.meta.url).pathname)};
   import { readFileSync } from 'node:fs';
   import { randomUUID } from 'node:crypto';
   const app = Fastify(); app.get('/hello', async () => ({ hello: 'world' }));
   // The second baseline: the same bytes and headers as a /api/crypto reply, from a file the bench writes.
   let same = null;
   app.get('/same', async (_req, reply) => {
     if (!same) {
       const { headers, body } = JSON.parse(readFileSync(${JSON.stringify(join(tmp, 'same.json'))}, 'utf8'));
       same = { headers, bytes: Buffer.from(body) };
     }
     return reply.headers(same.headers).header('x-request-id', randomUUID()).send(same.bytes);
   });
   await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });`,
);

function run(url, headers = {}) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration: seconds, pipelining: 1, headers }, (err, r) => (err ? reject(err) : resolve(r)));
  });
}

async function signIn(base) {
  const email = `bench-${Date.now()}@example.test`;
  const password = 'bench-Password-2026!';
  const json = { 'content-type': 'application/json' };
  const signup = await fetch(`${base}/api/auth/signup`, { method: 'POST', headers: json, body: JSON.stringify({ email, password, name: 'Bench' }) });
  if (signup.status === 404) return null;
  const outbox = await (await fetch(`${base}/api/dev/outbox?to=${encodeURIComponent(email)}`)).json();
  const code = /\b(\d{6})\b/.exec(outbox.items?.[0]?.text ?? '')?.[1];
  const verify = await fetch(`${base}/api/auth/verify-email`, { method: 'POST', headers: json, body: JSON.stringify({ email, code }) });
  const cookies = verify.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  return verify.ok ? cookies : null;
}

const bareProc = startNode([bare], { PORT: '19201' });
const appProc = startNode([new URL('../apps/api/dist/server.js', import.meta.url).pathname], {
  PORT: '19202',
  DATA_DIR: join(tmp, 'data'),
  LOG_LEVEL: 'warn',
  RATE_LIMIT_PER_MINUTE: '1000000',
});
try {
  await waitForOk('http://127.0.0.1:19201/hello');
  await waitForOk('http://127.0.0.1:19202/health', { timeoutMs: 90_000 }).catch((err) => {
    throw new Error(`${err.message}\n${appProc.stderr()}`);
  });
  const rows = [];
  const record = (label, r, base) =>
    rows.push(`| ${label} | ${Math.round(r.requests.average)} | ${base ? (r.requests.average / base).toFixed(2) : '1.00'} | ${r.latency.p50} | ${r.latency.p99} | ${r.non2xx} |`);
  // Warm up both, then measure the baseline before each target so drift on the machine hits both alike.
  await run('http://127.0.0.1:19201/hello');
  const baseline = await run('http://127.0.0.1:19201/hello');
  record('bare Fastify `GET /hello`', baseline);
  // Snapshot one /api/crypto reply for the same-bytes baseline (headers the bare server would add itself left out).
  const sample = await fetch('http://127.0.0.1:19202/api/crypto');
  const sameHeaders = Object.fromEntries(
    [...sample.headers].filter(([k]) => !['date', 'connection', 'keep-alive', 'content-length', 'x-request-id'].includes(k)),
  );
  writeFileSync(join(tmp, 'same.json'), JSON.stringify({ headers: sameHeaders, body: await sample.text() }));
  await run('http://127.0.0.1:19201/same');
  const same = await run('http://127.0.0.1:19201/same');
  record('bare Fastify sending a `/api/crypto` reply (same bytes and headers)', same, baseline.requests.average);
  let cryptoRps = 0;
  const targets = [['`GET /api/crypto`', '/api/crypto', {}]];
  const cookie = await signIn('http://127.0.0.1:19202');
  if (cookie) targets.push(['`GET /api/portfolio` (signed in)', '/api/portfolio', { cookie }]);
  for (const [label, path, headers] of targets) {
    const probe = await fetch(`http://127.0.0.1:19202${path}`, { headers });
    if (!probe.ok) {
      rows.push(`| ${label} | not measured: ${probe.status} | | | | |`);
      continue;
    }
    await run(`http://127.0.0.1:19202${path}`, headers);
    const r = await run(`http://127.0.0.1:19202${path}`, headers);
    record(label, r, baseline.requests.average);
    if (path === '/api/crypto') cryptoRps = r.requests.average;
  }
  const md = `## HTTP (\`bench/http.mjs\`)

autocannon, ${connections} connections, no pipelining, ${seconds} s per target after a warm-up run; database:
${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}${process.env.REDIS_URL ? ' + Redis' : ', in-memory cache'}.
Measured ${new Date().toISOString().slice(0, 10)} on ${machine()} (load generator on the same 2 cores).
Command: \`npm run build && node bench/http.mjs --seconds ${seconds} --connections ${connections}\`.
Targets: \`/api/crypto\` ≥ 0.7 of bare Fastify; p99 ≤ 20 ms at 100 connections.

| target | req/s | ratio to bare Fastify | p50 ms | p99 ms | non-2xx |
|---|---|---|---|---|---|
${rows.join('\n')}

\`/api/crypto\` against the same-bytes baseline (what the framework alone costs for this reply):
**${(cryptoRps / same.requests.average).toFixed(2)}**.`;
  console.log(md);
  if (!process.argv.includes('--no-write')) writeSection('http', md);
} finally {
  await bareProc.stop();
  await appProc.stop();
  rmSync(tmp, { recursive: true, force: true });
}
