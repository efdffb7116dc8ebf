// Socket.IO fan-out: N socket.io-client connections (WebSocket, spread over several 127.0.0.x source addresses and
// client processes) to one built server with the simulated market (one tick a second); measures delivery latency
// of the `prices` batches (client receive time − the tick's server timestamp), the server's CPU and RSS.
// Usage: npm run build && node bench/socket-fanout.mjs [--sizes 1000,5000,10000] [--seconds 15]
// The open-file cap (20k per process) is why clients run in several processes and the largest size is 10k.
import { fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { machine, percentile, startNode, waitForOk, writeSection } from './lib.mjs';

const PER_WORKER = 2500;
/** The node flags fly.toml deploys with (NODE_OPTIONS in its [env]): the API is measured as deployed too. */
const DEPLOYED_FLAGS = (/^\s*NODE_OPTIONS\s*=\s*"([^"]*)"/m.exec(readFileSync(new URL('../fly.toml', import.meta.url), 'utf8'))?.[1] ?? '')
  .split(' ')
  .filter(Boolean);
const SOURCE_ADDRESSES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);

/** The servers measured at each size; node flags go before the script, as a deployment would pass them. */
const VARIANTS = [
  { label: 'bare Socket.IO (baseline)', baseline: true, flags: [] },
  { label: 'CryptoVault API', baseline: false, flags: [] },
  // V8 sizes its heap from the host's memory (a 4 GB limit on this host) and lets garbage pile up well past the
  // live size; fly.toml deploys with an explicit old-space limit (docs/deploy.md#memory), under which it collects sooner.
  ...(DEPLOYED_FLAGS.length
    ? [{ label: `CryptoVault API as fly.toml runs it (\`${DEPLOYED_FLAGS.join(' ')}\`)`, baseline: false, flags: DEPLOYED_FLAGS }]
    : []),
];

if (process.argv[2] === 'worker') await worker();
else if (process.argv[2] === 'baseline') await baselineServer();
else await main();

/** The baseline: a bare Socket.IO server that emits a same-sized batch on every whole second. */
async function baselineServer() {
  const { createServer } = await import('node:http');
  const { Server } = await import('socket.io');
  const http = createServer();
  const io = new Server(http, { perMessageDeflate: false, serveClient: false });
  const prices = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`asset-${i}`, (1000 + i * 12.345678).toFixed(6)]));
  const tick = () => {
    io.emit('prices', { ts: Date.now(), prices });
    setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
  };
  http.on('request', (req, res) => {
    if (req.url === '/health/live') res.end('ok');
  });
  http.listen(Number(process.env.PORT), '127.0.0.1', () => setTimeout(tick, 1000 - (Date.now() % 1000) + 5));
}

/** One client process: opens its share of sockets, records latencies while told to measure. */
async function worker() {
  const { io } = await import('socket.io-client');
  const [url, countRaw, offsetRaw] = process.argv.slice(3);
  const count = Number(countRaw);
  const offset = Number(offsetRaw);
  const sockets = [];
  let measuring = false;
  let latencies = [];
  let received = 0;
  let errors = 0;
  const onPrices = (p) => {
    if (!measuring) return;
    received++;
    latencies.push(Date.now() - p.ts);
  };
  for (let i = 0; i < count; i += 100) {
    const batch = [];
    for (let j = i; j < Math.min(count, i + 100); j++) {
      const s = io(url, {
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
        localAddress: SOURCE_ADDRESSES[(offset + j) % SOURCE_ADDRESSES.length],
      });
      s.on('prices', onPrices);
      sockets.push(s);
      batch.push(
        new Promise((resolve) => {
          s.once('connect', resolve);
          s.once('connect_error', () => {
            errors++;
            resolve();
          });
        }),
      );
    }
    await Promise.all(batch);
  }
  process.send({ type: 'connected', connected: sockets.filter((s) => s.connected).length, errors });
  process.on('message', (m) => {
    if (m.type === 'measure') {
      measuring = true;
      latencies = [];
      received = 0;
    } else if (m.type === 'report') {
      measuring = false;
      const disconnected = sockets.filter((s) => !s.connected).length;
      process.send({ type: 'report', latencies, received, disconnected });
    } else if (m.type === 'close') {
      for (const s of sockets) s.disconnect();
      setTimeout(() => process.exit(0), 200);
    }
  });
}

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
}

function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

function waitFor(child, type) {
  return new Promise((resolve) => {
    const on = (m) => {
      if (m.type === type) {
        child.off('message', on);
        resolve(m);
      }
    };
    child.on('message', on);
  });
}

async function run(size, seconds, port, variant) {
  const { baseline } = variant;
  const server = baseline
    ? startNode([new URL(import.meta.url).pathname, 'baseline'], { PORT: String(port) })
    : startNode([...variant.flags, new URL('../apps/api/dist/server.js', import.meta.url).pathname], {
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: ':memory:',
        LOG_LEVEL: 'warn',
        USE_MOCK_PRICES: 'true',
        SERVE_WEB: 'false',
        // PostgreSQL when DATABASE_URL is set (the embedded PGlite alone takes a few hundred MB of RSS).
        DATABASE_URL: process.env.DATABASE_URL ?? '',
        REDIS_URL: '',
      });
  try {
    await waitForOk(`http://127.0.0.1:${port}/health/live`, { timeoutMs: 120_000, intervalMs: 100 });
    await new Promise((r) => setTimeout(r, 2000));
    const rssIdle = rssMb(server.child.pid);
    const url = `http://127.0.0.1:${port}`;
    const workers = [];
    const connecting = [];
    for (let offset = 0; offset < size; offset += PER_WORKER) {
      const child = fork(new URL(import.meta.url).pathname, ['worker', url, String(Math.min(PER_WORKER, size - offset)), String(offset)], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      workers.push(child);
      connecting.push(waitFor(child, 'connected'));
    }
    const t0 = performance.now();
    const conn = await Promise.all(connecting);
    const connectSeconds = (performance.now() - t0) / 1000;
    const connected = conn.reduce((s, c) => s + c.connected, 0);
    await new Promise((r) => setTimeout(r, 3000)); // settle after the connection storm
    const pid = server.child.pid;
    const cpu0 = cpuSeconds(pid);
    const w0 = performance.now();
    let rssMax = rssMb(pid);
    for (const w of workers) w.send({ type: 'measure' });
    for (let s = 0; s < seconds; s++) {
      await new Promise((r) => setTimeout(r, 1000));
      rssMax = Math.max(rssMax, rssMb(pid));
    }
    const reports = workers.map((w) => waitFor(w, 'report'));
    for (const w of workers) w.send({ type: 'report' });
    const cpu = (cpuSeconds(pid) - cpu0) / ((performance.now() - w0) / 1000);
    const results = await Promise.all(reports);
    for (const w of workers) w.send({ type: 'close' });
    await Promise.all(workers.map((w) => new Promise((r) => w.once('exit', r))));
    const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
    return {
      label: variant.label,
      rssIdle,
      size,
      connected,
      connectSeconds,
      received: results.reduce((s, r) => s + r.received, 0),
      expected: connected * seconds,
      disconnected: results.reduce((s, r) => s + r.disconnected, 0),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.at(-1),
      cpuPercent: cpu * 100,
      rssMax,
    };
  } finally {
    await server.stop();
  }
}

async function main() {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const sizes = arg('--sizes', '1000,5000,10000').split(',').map(Number);
  const seconds = Number(arg('--seconds', '15'));
  if (!existsSync(new URL('../apps/api/dist/server.js', import.meta.url))) throw new Error('run `npm run build` first');
  const rows = [];
  const results = [];
  let port = 19_400;
  for (const size of sizes) {
    for (const variant of VARIANTS) {
      const r = await run(size, seconds, ++port, variant);
      results.push({ ...r, variant });
      console.log(JSON.stringify(r));
      rows.push(
        `| ${r.size.toLocaleString('en')} | ${r.label} | ${r.connected.toLocaleString('en')} (${r.connectSeconds.toFixed(1)} s) | ` +
          `${((100 * r.received) / r.expected).toFixed(1)} % | ${r.p50} ms | ${r.p99} ms | ${r.max} ms | ` +
          `${r.cpuPercent.toFixed(0)} % | ${r.rssIdle.toFixed(0)} → ${r.rssMax.toFixed(0)} MB |`,
      );
    }
  }
  const load = (await import('node:os')).loadavg()[0].toFixed(1);
  // Memory on a 512 MB machine: the API as deployed (fly.toml's flags when it sets any) at 5k sockets.
  const deployed = results.filter((r) => !r.variant.baseline && (DEPLOYED_FLAGS.length === 0 || r.variant.flags.length > 0));
  const at5k = deployed.find((r) => r.size === 5000);
  const memory = at5k
    ? `Memory, the API as deployed: idle ${at5k.rssIdle.toFixed(0)} MB, at 5,000 sockets ${at5k.rssMax.toFixed(0)} MB RSS at most: ` +
      `${at5k.rssMax < 512 ? `fits a 512 MB machine with ${(512 - at5k.rssMax).toFixed(0)} MB to spare` : '**does not fit a 512 MB machine**'}.`
    : 'Memory at 5,000 sockets: not measured in this run (add 5000 to --sizes).';
  const md = `## Socket.IO fan-out (\`bench/socket-fanout.mjs\`)

One API process (simulated market: one \`prices\` batch of 20 assets a second to every client, all
clients on the unfiltered feed), \`socket.io-client\` WebSocket connections from ${Math.ceil(Math.max(...sizes) / PER_WORKER)} client processes
spread over ${SOURCE_ADDRESSES.length} source addresses (127.0.0.2–9), measured for ${seconds} s after the connection storm settles.
Latency = client receive time − the tick's server timestamp (one clock: same host). Server CPU is the share of one
core over the window; RSS is the maximum seen. Client processes run on the same ${machine()}, so they compete
with the server for the two cores (and with whatever else runs: load average ${load} at the end of this run):
treat the latencies as an upper bound, and compare each row with the bare Socket.IO server measured beside it.
Database: ${process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite, whose RSS is most of the idle figure'}. Target: 10k clients on one process,
p99 ≤ 250 ms, RSS ≤ 300 MB (the seed capped a machine at 100 connections).

| clients | server | connected (time) | batches delivered | p50 | p99 | max | server CPU | server RSS idle → max |
|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Where the bare Socket.IO server misses too, the limit is the client processes on the same cores, not the server:
compare the server CPU column.

${memory}

Rerun: \`npm run build && node bench/socket-fanout.mjs\` (or \`npm run bench -- socket-fanout\`); \`--sizes\` and
\`--seconds\` change the run. Measured ${new Date().toISOString().slice(0, 10)}.`;
  writeSection('socket-fanout', md);
  console.log(md);
}
