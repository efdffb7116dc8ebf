// HTTP throughput and latency with autocannon (no pipelining), each target measured in the same run as a bare
// Fastify hello-JSON server, in alternating slices so that the machine's drift hits both alike.
// Usage: node bench/http.mjs [--seconds 24] [--slices 12] [--connections 100]
// Uses DATABASE_URL/REDIS_URL when set (production-like), embedded PGlite otherwise.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { compareAlternating, machine, startNode, waitForOk, writeSection } from './lib.mjs';

const arg = (name, dflt) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : dflt);
const seconds = arg('--seconds', 24);
const connections = arg('--connections', 100);
const slices = arg('--slices', 12);
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
   const load = () => {
     if (!same) {
       const { headers, body } = JSON.parse(readFileSync(${JSON.stringify(join(tmp, 'same.json'))}, 'utf8'));
       same = { headers, bytes: Buffer.from(body) };
     }
     return same;
   };
   app.get('/same', async (_req, reply) => {
     const { headers, bytes } = load();
     return reply.headers(headers).header('x-request-id', randomUUID()).send(bytes);
   });
   // The third: the same body with only its content type, as few headers as /hello.
   app.get('/body', async (_req, reply) => {
     const { headers, bytes } = load();
     return reply.header('content-type', headers['content-type']).send(bytes);
   });
   await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });`,
);

function run(url, headers = {}, duration = seconds / slices) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration, pipelining: 1, headers }, (err, r) => (err ? reject(err) : resolve(r)));
  });
}

const HELLO = 'http://127.0.0.1:19201/hello';

/** One target against /hello in alternating slices (bench/lib.mjs#compareAlternating). */
const compare = (url, headers = {}) => compareAlternating({ run, baseline: HELLO, url, headers, slices, sliceSeconds: seconds / slices });

async function signIn(base) {
  const email = `bench-${Date.now()}@example.test`;
  const password = 'bench-Password-2026!';
  const json = { 'content-type': 'application/json' };
  // The sign-up accepts the Terms of Service in force (GET /api/legal/documents).
  const legal = await fetch(`${base}/api/legal/documents`);
  const termsVersion = legal.ok ? (await legal.json()).items?.find((d) => d.kind === 'terms')?.version : undefined;
  const signup = await fetch(`${base}/api/auth/signup`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ email, password, name: 'Bench', termsVersion }),
  });
  if (signup.status === 404) return null;
  const outbox = await (await fetch(`${base}/api/dev/outbox?to=${encodeURIComponent(email)}`)).json();
  const code = /\b(\d{6})\b/.exec(outbox.items?.[0]?.text ?? '')?.[1];
  const verify = await fetch(`${base}/api/auth/verify-email`, { method: 'POST', headers: json, body: JSON.stringify({ email, code }) });
  const cookies = verify.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return verify.ok ? cookies : null;
}

const bareProc = startNode([bare], { PORT: '19201' });
const appProc = startNode([new URL('../apps/api/dist/server.js', import.meta.url).pathname], {
  PORT: '19202',
  DATA_DIR: join(tmp, 'data'),
  LOG_LEVEL: 'warn',
  // Out of the way: every target comes from 127.0.0.1, at more than a million requests a minute.
  RATE_LIMIT_PER_MINUTE: '1000000000',
  CORS_ORIGINS: 'http://127.0.0.1:5173',
});
try {
  await waitForOk('http://127.0.0.1:19201/hello');
  await waitForOk('http://127.0.0.1:19202/health', { timeoutMs: 90_000 }).catch((err) => {
    throw new Error(`${err.message}\n${appProc.stderr()}`);
  });
  const rows = [];
  const record = (label, r) =>
    rows.push(
      `| ${label} | ${Math.round(r.rps)} | ${Math.round(r.helloRps)} | **${r.ratio.toFixed(2)}** | ${r.sliceMin.toFixed(2)}–${r.sliceMax.toFixed(2)} | ${r.p50} | ${r.p99} / ${r.worstP99} | ${r.non2xx} |`,
    );
  const hello = await compare(HELLO);
  record('bare Fastify `GET /hello` (against itself: the noise)', hello);
  // Snapshot one /api/crypto reply for the same-bytes baseline (headers the bare server would add itself left out).
  // identity: fetch would ask for gzip and decode it, leaving a content-encoding header on plain bytes.
  const sample = await fetch('http://127.0.0.1:19202/api/crypto', { headers: { 'accept-encoding': 'identity' } });
  const sameHeaders = Object.fromEntries(
    [...sample.headers].filter(([k]) => !['date', 'connection', 'keep-alive', 'content-length', 'x-request-id'].includes(k)),
  );
  writeFileSync(join(tmp, 'same.json'), JSON.stringify({ headers: sameHeaders, body: await sample.text() }));
  const same = await compare('http://127.0.0.1:19201/same');
  record('bare Fastify sending a `/api/crypto` reply (same bytes and headers)', same);
  record('bare Fastify sending the same body with only a content type', await compare('http://127.0.0.1:19201/body'));
  let crypto = null;
  const targets = [
    ['`GET /api/crypto`', '/api/crypto', {}],
    // What a browser sends: the same list, compressed once per price change.
    ['`GET /api/crypto`, `Accept-Encoding: gzip, deflate, br`', '/api/crypto', { 'accept-encoding': 'gzip, deflate, br' }],
    // A cross-origin page: CORS sends it through Fastify's whole pipeline instead of the fast path.
    ['`GET /api/crypto` with an `Origin` (through Fastify)', '/api/crypto', { origin: 'http://127.0.0.1:5173' }],
  ];
  const cookie = await signIn('http://127.0.0.1:19202');
  if (cookie) targets.push(['`GET /api/portfolio` (signed in)', '/api/portfolio', { cookie }]);
  for (const [label, path, headers] of targets) {
    const probe = await fetch(`http://127.0.0.1:19202${path}`, { headers });
    if (!probe.ok) {
      rows.push(`| ${label} | not measured: ${probe.status} | | | | | | |`);
      continue;
    }
    const r = await compare(`http://127.0.0.1:19202${path}`, headers);
    record(label, r);
    crypto ??= r;
  }
  const md = `## HTTP (\`bench/http.mjs\`)

autocannon, ${connections} connections, no pipelining. Each target runs ${seconds} s in ${slices} slices that
alternate with slices of the bare Fastify hello server (after a warm-up of both); the ratio is the target's requests
per second over hello's in those alternating slices. Database: ${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}${process.env.REDIS_URL ? ' + Redis' : ', in-memory cache'}.
Measured ${new Date().toISOString().slice(0, 10)} on ${machine()} (load generator on the same 2 cores).
Command: \`npm run build && node bench/http.mjs --seconds ${seconds} --slices ${slices} --connections ${connections}\`.
Targets: \`/api/crypto\` ≥ 0.7 of bare Fastify; p99 ≤ 20 ms at 100 connections.

| target | req/s | hello req/s (its slices) | ratio to bare Fastify | one slice's ratio, lowest–highest | p50 ms | p99 ms (median slice / worst slice) | non-2xx |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}

\`/api/crypto\` against the same-bytes baseline (what Fastify alone costs for this reply):
**${crypto ? (crypto.ratio / same.ratio).toFixed(2) : 'not measured'}**.`;
  console.log(md);
  if (!process.argv.includes('--no-write')) writeSection('http', md);
} finally {
  await bareProc.stop();
  await appProc.stop();
  rmSync(tmp, { recursive: true, force: true });
}
