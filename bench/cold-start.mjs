// Cold start: spawn the built server and time until the first 200 from /health. Median of several runs, beside
// two baselines measured in the same run: a bare `node` process that opens an HTTP server, and a bare Fastify
// hello server. Usage: node bench/cold-start.mjs [--runs 7]   (needs `npm run build` first)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machine, median, startNode, waitForOk, writeSection } from './lib.mjs';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 7;
const server = new URL('../apps/api/dist/server.js', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'cv-cold-'));
const bareNode = join(tmp, 'bare-node.mjs');
writeFileSync(bareNode, `import http from 'node:http'; http.createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT));`);
const bareFastify = join(tmp, 'bare-fastify.mjs');
writeFileSync(
  bareFastify,
  `import Fastify from ${JSON.stringify(new URL('../node_modules/fastify/fastify.js', import.meta.url).pathname)};
   const app = Fastify(); app.get('/health', async () => ({ status: 'ok' })); await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });`,
);

let port = 19_100;
async function time(label, args, env) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    port += 1;
    const t0 = performance.now();
    const proc = startNode(args, { PORT: String(port), LOG_LEVEL: 'warn', ...env });
    try {
      await waitForOk(`http://127.0.0.1:${port}/health`, { timeoutMs: 60_000, intervalMs: 5 });
      samples.push(performance.now() - t0);
    } catch (err) {
      throw new Error(`${label}: ${err.message}\n${proc.stderr()}`);
    } finally {
      await proc.stop();
    }
  }
  return { label, median: median(samples), samples };
}

const results = [];
results.push(await time('bare node http server', [bareNode]));
results.push(await time('bare Fastify hello', [bareFastify]));

// Embedded mode reopens an existing PGlite data directory (the first-ever start also runs initdb: a few seconds).
const dataDir = join(tmp, 'data');
{
  const first = startNode([server], { PORT: '19099', DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
  await waitForOk('http://127.0.0.1:19099/health', { timeoutMs: 90_000 });
  await first.stop();
}
results.push(await time('CryptoVault, embedded (PGlite reopen)', [server], { DATA_DIR: dataDir }));
if (process.env.DATABASE_URL) {
  results.push(await time('CryptoVault, PostgreSQL' + (process.env.REDIS_URL ? ' + Redis' : ''), [server], {}));
}
rmSync(tmp, { recursive: true, force: true });

const base = results[1].median;
const rows = results.map(
  (r) => `| ${r.label} | ${r.median.toFixed(0)} ms | ${(r.median / base).toFixed(2)}× | ${r.samples.map((s) => s.toFixed(0)).join(', ')} |`,
);
const md = `## Cold start (\`bench/cold-start.mjs\`)

Spawn → first 200 from \`/health\`, median of ${runs} runs. Target: ≤ 1.0 s (stretch 0.6 s).
Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.
Command: \`npm run build && ${process.env.DATABASE_URL ? 'DATABASE_URL=… ' : ''}node bench/cold-start.mjs --runs ${runs}\`

| process | median | vs bare Fastify | samples (ms) |
|---|---|---|---|
${rows.join('\n')}`;
console.log(md);
if (!process.argv.includes('--no-write')) writeSection('cold-start', md);
