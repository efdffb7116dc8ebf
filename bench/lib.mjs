// Shared helpers for bench scripts: spawn a server, wait for a URL, percentiles, a results file writer.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

export function median(values) {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

export async function waitForOk(url, { timeoutMs = 30_000, intervalMs = 10 } = {}) {
  const t0 = performance.now();
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return performance.now() - t0;
    } catch {
      // not listening yet
    }
    if (performance.now() - t0 > timeoutMs) throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Starts `node <args>` and returns { child, stop() }. */
export function startNode(args, env = {}) {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += String(d);
  });
  return {
    child,
    stderr: () => stderr,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

export function machine() {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

/**
 * Replaces the section between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` in docs/performance.md (appends it
 * when missing), so every benchmark owns its own section.
 */
export function writeSection(name, markdown) {
  const file = new URL('../docs/performance.md', import.meta.url);
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  let doc = existsSync(file) ? readFileSync(file, 'utf8') : '# Performance\n';
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  doc = i >= 0 && j > i ? doc.slice(0, i) + block + doc.slice(j + end.length) : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, doc);
}

/** CPU seconds (user + system) of one process so far, from /proc. */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/**
 * One target against a bare-server baseline: after a warm-up of both, `slices` rounds of baseline then target, each
 * `sliceSeconds` long (`run(url, headers, seconds)` is one autocannon run). These machines drift by ±20 % within a
 * minute, so a ratio of two runs one after the other says little; summed over alternating slices, the drift hits
 * both sides alike, and the lowest and highest ratio of one slice to the baseline slice before it show what drift
 * remains. Latency: the median p50, and the median and worst p99 over the target's slices. With `cpuPid`, the CPU
 * that process spent per target request.
 */
export async function compareAlternating({ run, baseline, url, headers = {}, slices, sliceSeconds, warmupSeconds = sliceSeconds, cpuPid }) {
  await run(baseline, {}, warmupSeconds);
  await run(url, headers, warmupSeconds);
  const base = [];
  const target = [];
  let cpu = 0;
  for (let i = 0; i < slices; i++) {
    base.push(await run(baseline, {}, sliceSeconds));
    const c0 = cpuPid ? cpuSeconds(cpuPid) : 0;
    target.push(await run(url, headers, sliceSeconds));
    if (cpuPid) cpu += cpuSeconds(cpuPid) - c0;
  }
  const total = (rs, f) => rs.reduce((sum, r) => sum + f(r), 0);
  const requests = total(target, (r) => r.requests.total);
  const rps = requests / total(target, (r) => r.duration);
  const helloRps = total(base, (r) => r.requests.total) / total(base, (r) => r.duration);
  const p50s = target.map((r) => r.latency.p50).sort((a, b) => a - b);
  const p99s = target.map((r) => r.latency.p99).sort((a, b) => a - b);
  const sliceRatios = target.map((r, i) => r.requests.total / r.duration / (base[i].requests.total / base[i].duration));
  return {
    rps,
    helloRps,
    ratio: rps / helloRps,
    p50: p50s[Math.floor(p50s.length / 2)],
    p99: p99s[Math.floor(p99s.length / 2)],
    worstP99: p99s[p99s.length - 1],
    sliceMin: Math.min(...sliceRatios),
    sliceMax: Math.max(...sliceRatios),
    ...(cpuPid ? { cpuMs: (cpu * 1000) / Math.max(1, requests) } : {}),
    non2xx: total(target, (r) => r.non2xx),
  };
}
