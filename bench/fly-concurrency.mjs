// Fly concurrency: how many Socket.IO clients one API process serves on the CPU share of Fly's shared-cpu-1x, over
// WebSocket and over long-polling (what browsers use through Vercel's rewrite), and the fly.toml limits that follow.
//
// Method. Fly enforces shared vCPUs with the Linux CFS quota: 5 ms of CPU per 80 ms period (1/16 of a core,
// 6.25 %), with a burst balance (up to 500 s) that lets an idle machine run at full speed for a while. Sustained
// load spends the balance, so a machine's steady capacity is the baseline. The server is started normally (its
// start-up is one burst), then moved into a cgroup of its own with that same quota: cgroup v2 `cpu.max` where the
// cpu controller is on the unified hierarchy, otherwise cgroup v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us` (the
// interface Fly names). Clients run outside the cgroup, in several processes over several source addresses.
// Per size: connect, settle, measure `prices` delivery (client receive time − the tick's server timestamp) for
// --seconds, the server's CPU (share of one core) and the cgroup's throttled periods.
//
// Usage (as root, after `npm run build`): node bench/fly-concurrency.mjs [--seconds 15]
//   [--websocket 0,400,800,1200,1600,2000,2400] [--polling 50,75,100,125,150,200,300] [--quota-ms 5] [--period-ms 80]
//   [--render <log of an earlier run>]
// (size 0: the process at rest, no client)
// A series stops at its first size not served in time (the next size would only fail harder).
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { machine, percentile, startNode, waitForOk, writeSection } from './lib.mjs';

const PER_WORKER = 500;
const SOURCE_ADDRESSES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);
/** Criteria for "serves these clients": what a trader notices, and headroom on the CPU share. */
const CRITERIA = { p99Ms: 1000, delivered: 0.99, cpuOfQuota: 0.7 };
const DEPLOYED_FLAGS = (/^\s*NODE_OPTIONS\s*=\s*"([^"]*)"/m.exec(readFileSync(new URL('../fly.toml', import.meta.url), 'utf8'))?.[1] ?? '')
  .split(' ')
  .filter(Boolean);

if (process.argv[2] === 'worker') await worker();
else await main();

/** One client process: `count` sockets on one transport, latencies recorded while measuring. */
async function worker() {
  const { io } = await import('socket.io-client');
  const [url, countRaw, offsetRaw, transport] = process.argv.slice(3);
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
  for (let i = 0; i < count; i += 50) {
    const batch = [];
    for (let j = i; j < Math.min(count, i + 50); j++) {
      const s = io(url, {
        transports: [transport],
        upgrade: false,
        forceNew: true,
        reconnection: false,
        timeout: 60_000,
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
      process.send({ type: 'report', latencies, received, disconnected: sockets.filter((s) => !s.connected).length });
    } else if (m.type === 'close') {
      for (const s of sockets) s.disconnect();
      setTimeout(() => process.exit(0), 300);
    }
  });
}

/** A cgroup with a CFS CPU quota, v2 or v1, whichever this host offers for the cpu controller. */
function cpuCgroup(name, quotaUs, periodUs) {
  const v2root = '/sys/fs/cgroup';
  const v2 = existsSync(`${v2root}/cgroup.controllers`) && readFileSync(`${v2root}/cgroup.controllers`, 'utf8').split(/\s+/).includes('cpu');
  const dir = v2 ? `${v2root}/${name}` : `/sys/fs/cgroup/cpu/${name}`;
  if (!v2 && !existsSync('/sys/fs/cgroup/cpu/cgroup.procs')) throw new Error('no cgroup cpu controller here: this bench needs root on Linux with cgroups');
  mkdirSync(dir, { recursive: true });
  if (v2) writeFileSync(`${dir}/cpu.max`, `${quotaUs} ${periodUs}`);
  else {
    writeFileSync(`${dir}/cpu.cfs_period_us`, String(periodUs));
    writeFileSync(`${dir}/cpu.cfs_quota_us`, String(quotaUs));
  }
  const stat = () => {
    const s = Object.fromEntries(
      readFileSync(`${dir}/cpu.stat`, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' '))
        .map(([k, v]) => [k, Number(v)]),
    );
    return { periods: s.nr_periods ?? 0, throttled: s.nr_throttled ?? 0 };
  };
  return {
    kind: v2 ? 'cgroup v2 cpu.max' : 'cgroup v1 cpu.cfs_quota_us',
    add: (pid) => writeFileSync(`${dir}/cgroup.procs`, String(pid)),
    stat,
    remove: () => {
      try {
        rmdirSync(dir);
      } catch {
        // a process still inside; the next run reuses the folder
      }
    },
  };
}

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

function waitFor(child, type, timeoutMs = 300_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker gave no ${type} in ${timeoutMs} ms`)), timeoutMs);
    const on = (m) => {
      if (m.type === type) {
        clearTimeout(timer);
        child.off('message', on);
        resolve(m);
      }
    };
    child.on('message', on);
  });
}

async function run({ transport, size, seconds, port, cgroup, share }) {
  const server = startNode([...DEPLOYED_FLAGS, '--enable-source-maps', new URL('../apps/api/dist/server.js', import.meta.url).pathname], {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: ':memory:',
    LOG_LEVEL: 'warn',
    USE_MOCK_PRICES: 'true',
    SERVE_WEB: 'false',
    RATE_LIMIT_PER_MINUTE: '1000000000',
    DATABASE_URL: process.env.DATABASE_URL ?? '',
    REDIS_URL: '',
  });
  const pid = server.child.pid;
  const workers = [];
  try {
    await waitForOk(`http://127.0.0.1:${port}/health/live`, { timeoutMs: 120_000, intervalMs: 100 });
    cgroup.add(pid);
    await new Promise((r) => setTimeout(r, 2000));
    const url = `http://127.0.0.1:${port}`;
    const connecting = [];
    for (let offset = 0; offset < size; offset += PER_WORKER) {
      const child = fork(new URL(import.meta.url).pathname, ['worker', url, String(Math.min(PER_WORKER, size - offset)), String(offset), transport], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      workers.push(child);
      connecting.push(waitFor(child, 'connected'));
    }
    const t0 = performance.now();
    const conn = await Promise.all(connecting);
    const connectSeconds = (performance.now() - t0) / 1000;
    const connected = conn.reduce((s, c) => s + c.connected, 0);
    await new Promise((r) => setTimeout(r, 5000)); // settle after the connection storm
    const cpu0 = cpuSeconds(pid);
    const st0 = cgroup.stat();
    const w0 = performance.now();
    let rssMax = rssMb(pid);
    for (const w of workers) w.send({ type: 'measure' });
    for (let s = 0; s < seconds; s++) {
      await new Promise((r) => setTimeout(r, 1000));
      rssMax = Math.max(rssMax, rssMb(pid));
    }
    const reports = workers.map((w) => waitFor(w, 'report', 60_000));
    for (const w of workers) w.send({ type: 'report' });
    const elapsed = (performance.now() - w0) / 1000;
    const cpu = (cpuSeconds(pid) - cpu0) / elapsed;
    const st1 = cgroup.stat();
    const results = await Promise.all(reports);
    const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
    const received = results.reduce((s, r) => s + r.received, 0);
    const expected = connected * seconds;
    const r = {
      transport,
      size,
      connected,
      connectSeconds,
      delivered: expected ? received / expected : 0,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      cpuPercent: cpu * 100,
      cpuOfQuota: cpu / share,
      throttledShare: st1.periods > st0.periods ? (st1.throttled - st0.throttled) / (st1.periods - st0.periods) : 0,
      rssMax,
      disconnected: results.reduce((s, x) => s + x.disconnected, 0),
    };
    // Served: every client connected and delivered to in time. Headroom: the share is not nearly used up. Size 0 is
    // the process at rest (what the share has left for clients).
    r.served = connected === size && (size === 0 || (r.delivered >= CRITERIA.delivered && r.p99 <= CRITERIA.p99Ms));
    r.ok = r.served && r.cpuOfQuota <= CRITERIA.cpuOfQuota;
    return r;
  } finally {
    for (const w of workers) if (w.connected) w.send({ type: 'close' });
    await Promise.all(workers.map((w) => (w.exitCode === null ? new Promise((r) => w.once('exit', r)) : null)));
    await server.stop();
  }
}

async function main() {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const seconds = Number(arg('--seconds', '15'));
  const quotaMs = Number(arg('--quota-ms', '5'));
  const periodMs = Number(arg('--period-ms', '80'));
  const share = quotaMs / periodMs;
  const series = {
    websocket: arg('--websocket', '0,400,800,1200,1600,2000,2400').split(',').map(Number),
    polling: arg('--polling', '50,75,100,125,150,200,300').split(',').map(Number),
  };
  // --render <log>: the section again from a run's own printed rows (one JSON line per size, then its `run` line),
  // e.g. after a change to how limits are derived; nothing is measured.
  const from = arg('--render', null);
  const results = [];
  let run0 = { kind: 'cgroup', load: null, machine: machine() };
  if (from) {
    for (const line of readFileSync(from, 'utf8').split('\n')) {
      if (line.startsWith('{"transport"')) results.push(JSON.parse(line));
      else if (line.startsWith('{"run"')) run0 = JSON.parse(line).run;
      else if (/load average ([\d.]+) at the end/.test(line)) run0.load ??= /load average ([\d.]+)/.exec(line)[1];
      if (/confined by (cgroup v\d [\w.]+)/.test(line)) run0.kind = /confined by (cgroup v\d [\w.]+)/.exec(line)[1];
    }
  } else {
    if (!existsSync(new URL('../apps/api/dist/server.js', import.meta.url))) throw new Error('run `npm run build` first');
    const cgroup = cpuCgroup(`cryptovault-bench-${process.pid}`, quotaMs * 1000, periodMs * 1000);
    let port = 19_700;
    try {
      for (const [transport, sizes] of Object.entries(series)) {
        for (const size of sizes) {
          const r = await run({ transport, size, seconds, port: ++port, cgroup, share });
          console.log(JSON.stringify(r));
          results.push(r);
          if (size > 0 && !r.served) break;
        }
      }
    } finally {
      cgroup.remove();
    }
    run0 = { kind: cgroup.kind, load: (await import('node:os')).loadavg()[0].toFixed(1), machine: machine() };
    console.log(JSON.stringify({ run: run0 }));
  }
  render(results, run0, { seconds, quotaMs, periodMs, share });
}

function render(results, run0, { seconds, quotaMs, periodMs, share }) {
  const rows = [];
  const best = {};
  const served = {};
  const firstFail = {};
  for (const r of results) {
    const { transport, size } = r;
    rows.push(
      `| ${transport} | ${size.toLocaleString('en')} | ${r.connected.toLocaleString('en')} (${r.connectSeconds.toFixed(1)} s) | ${(100 * r.delivered).toFixed(1)} % | ` +
        `${size ? `${r.p50} ms` : '–'} | ${size ? `${r.p99} ms` : '–'} | ${r.cpuPercent.toFixed(1)} % (${(100 * r.cpuOfQuota).toFixed(0)} % of the share) | ${(100 * r.throttledShare).toFixed(0)} % | ` +
        `${r.rssMax.toFixed(0)} MB | ${r.ok ? 'yes' : r.served ? 'yes, without headroom' : '**no**'} |`,
    );
    if (size === 0) continue;
    if (r.ok) best[transport] = size;
    if (r.served) served[transport] = size;
    else firstFail[transport] ??= size;
  }
  // Browsers reach the API through Vercel's rewrite on long-polling (docs/deploy.md): size for polling clients.
  // The soft limit keeps headroom; the hard limit is the last size still served in time, or, when that is the soft
  // limit itself, the first size that was not (Fly counts connections, not CPU: the cap sits where service degrades).
  const soft = best.polling ?? 0;
  const hard = served.polling && served.polling > soft ? served.polling : (firstFail.polling ?? Math.round(soft * 1.5));
  const md = `## Fly concurrency on a shared-cpu-1x share (\`bench/fly-concurrency.mjs\`)

One API process as fly.toml runs it (\`${[...DEPLOYED_FLAGS, '--enable-source-maps'].join(' ')}\`, simulated market: one \`prices\` batch of
20 assets a second to every client), started normally and then confined by ${run0.kind} to ${quotaMs} ms of CPU per
${periodMs} ms (${(100 * share).toFixed(2)} % of one core): Fly's baseline quota for a shared vCPU once the burst balance is spent.
Clients (\`socket.io-client\`, one transport each, no upgrade) run outside the cgroup on the same
${run0.machine} (load average ${run0.load ?? 'not recorded'} at the end). Measured ${seconds} s per size after the connection storm settles.
"Serves" = every client connected, ≥ ${CRITERIA.delivered * 100} % of batches delivered, p99 ≤ ${CRITERIA.p99Ms} ms, CPU ≤ ${CRITERIA.cpuOfQuota * 100} % of the share
(headroom for HTTP requests). Database: ${process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite'}.

| transport | clients | connected (time) | batches delivered | p50 | p99 | server CPU | periods throttled | RSS max | serves |
|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Largest size served with headroom: WebSocket ${best.websocket?.toLocaleString('en') ?? 'none'}, long-polling ${best.polling?.toLocaleString('en') ?? 'none'};
largest size still served in time: WebSocket ${served.websocket?.toLocaleString('en') ?? 'none'}, long-polling ${served.polling?.toLocaleString('en') ?? 'none'}
(first size that was not: WebSocket ${firstFail.websocket?.toLocaleString('en') ?? 'none measured'}, long-polling ${firstFail.polling?.toLocaleString('en') ?? 'none measured'}).
Browsers reach the API through Vercel's rewrite on long-polling, so fly.toml is sized for polling clients (each holds
about one connection, its pending long-poll): \`soft_limit = ${soft}\` (the largest size served with headroom: Fly
routes new connections to, and starts, another machine above it) and \`hard_limit = ${hard}\` (${
    served.polling && served.polling > soft
      ? 'the largest size still served in time'
      : firstFail.polling
        ? 'the first size no longer served in time'
        : '1.5 × soft: no size failed'
  }: Fly sends no new connection beyond it).

Rerun: \`npm run build && node bench/fly-concurrency.mjs\` as root (or \`npm run bench -- fly-concurrency\`). Measured ${new Date().toISOString().slice(0, 10)}.`;
  writeSection('fly-concurrency', md);
  console.log(md);
}
