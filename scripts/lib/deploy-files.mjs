// Readers and rule checks for the deployment files (Dockerfile, .dockerignore, fly.toml). Used by the tests under
// apps/api/test/deploy/ and by scripts/rehearse-prod.mjs, which runs the image's CMD and Fly's release_command.
import { readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';

/**
 * @typedef {{ keyword: string, args: string, line: number }} Instruction
 * @typedef {{ name: string | null, from: string, index: number, instructions: Instruction[] }} Stage
 */

/** Dockerfile instructions with line continuations joined and comments dropped (as BuildKit reads them). */
export function parseDockerfile(text) {
  /** @type {Instruction[]} */
  const out = [];
  let buf = '';
  let start = 0;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const trimmed = raw.trim();
    if (trimmed.startsWith('#') || (buf === '' && trimmed === '')) continue;
    if (buf === '') start = i + 1;
    if (trimmed.endsWith('\\')) {
      buf += `${trimmed.slice(0, -1).trim()} `;
      continue;
    }
    buf += trimmed;
    const m = /^(\S+)\s*(.*)$/.exec(buf.trim());
    if (m) out.push({ keyword: m[1].toUpperCase(), args: m[2].trim(), line: start });
    buf = '';
  }
  return out;
}

/** @returns {Stage[]} */
export function dockerStages(instructions) {
  /** @type {Stage[]} */
  const stages = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const parts = ins.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      const asIdx = parts.findIndex((p) => p.toLowerCase() === 'as');
      stages.push({ name: asIdx >= 0 ? parts[asIdx + 1] : null, from: parts[0], index: stages.length, instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1).instructions.push(ins);
    }
  }
  return stages;
}

/** The exec-form array of CMD/ENTRYPOINT, or null for shell form. */
export function execForm(args) {
  if (!args.trim().startsWith('[')) return null;
  try {
    const v = JSON.parse(args);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : null;
  } catch {
    return null;
  }
}

/** The last CMD / ENTRYPOINT of the final stage, as argv arrays (null when absent or in shell form). */
export function runtimeCommand(text) {
  const stages = dockerStages(parseDockerfile(text));
  const final = stages.at(-1);
  const last = (kw) => final?.instructions.filter((i) => i.keyword === kw).at(-1);
  const cmd = last('CMD');
  const entrypoint = last('ENTRYPOINT');
  return { cmd: cmd ? execForm(cmd.args) : null, entrypoint: entrypoint ? execForm(entrypoint.args) : null };
}

/** The Node.js majors package.json's `engines` accepts (`^20.19.0 || ^26.0.0` → [20, 26]). */
export function supportedNodeMajors(packageJsonText = readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) {
  const range = JSON.parse(packageJsonText).engines?.node ?? '';
  return [...range.matchAll(/\^(\d+)\./g)].map((m) => Number(m[1]));
}

/** The Node.js major of the final stage's base image (`node:${NODE_VERSION}-…` with the ARG's default), or null. */
export function imageNodeMajor(text) {
  const ins = parseDockerfile(text);
  const args = new Map();
  for (const i of ins) {
    const m = /^(\w+)=(\S+)$/.exec(i.keyword === 'ARG' ? i.args : '');
    if (m) args.set(m[1], m[2]);
  }
  const from = dockerStages(ins).at(-1)?.from ?? '';
  const resolved = from.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => args.get(a ?? b) ?? '');
  const m = /^(?:docker\.io\/)?(?:library\/)?node:(\d+)/.exec(resolved);
  return m ? Number(m[1]) : null;
}

const INIT_BINARIES = /(^|\/)(tini|dumb-init|catatonit)$/;
const INSTALL = /\bnpm\s+(ci|install|i)\b/;
const PROD_ONLY = /--omit[= ]dev\b|--production\b|--only[= ]prod/;

/**
 * The image rules from issue 8. Returns human-readable problems; an empty list means the Dockerfile passes.
 * `dockerignore` (its text) is checked too when given.
 */
export function checkDockerfile(text, dockerignore, { nodeMajor = Math.max(...supportedNodeMajors()) } = {}) {
  const problems = [];
  // Production runs on the newest supported line (the Active LTS); older majors are for development machines.
  const major = imageNodeMajor(text);
  if (major !== nodeMajor)
    problems.push(`the runtime image must run Node.js ${nodeMajor} (the supported LTS line in package.json engines); found ${major ?? 'no node: base image'}`);
  const stages = dockerStages(parseDockerfile(text));
  if (stages.length < 3) problems.push(`multi-stage build expected (dependencies, build, runtime): found ${stages.length} stage(s)`);
  const final = stages.at(-1);
  if (!final) return ['no FROM instruction'];
  const byName = new Map(stages.filter((s) => s.name).map((s) => [s.name, s]));
  const finalIns = final.instructions;
  const runs = (s) => s.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);

  if (!stages.slice(0, -1).some((s) => runs(s).some((r) => /\bnpm\s+run\s+build\b/.test(r)))) {
    problems.push('no earlier stage runs `npm run build`: the runtime stage must receive compiled output from a build stage');
  }
  if (byName.has(final.from)) {
    problems.push(`the runtime stage starts FROM the "${final.from}" stage and inherits its development dependencies and sources; start it from a base image`);
  }
  // A stage's full ancestry of installs decides whether its node_modules carries dev dependencies.
  const installsDev = (stage, seen = new Set()) => {
    if (!stage || seen.has(stage.name)) return false;
    seen.add(stage.name);
    if (runs(stage).some((r) => INSTALL.test(r) && !PROD_ONLY.test(r))) return true;
    return installsDev(byName.get(stage.from), seen);
  };
  for (const r of runs(final)) {
    if (INSTALL.test(r) && !PROD_ONLY.test(r)) problems.push(`runtime stage installs without --omit=dev: RUN ${r}`);
  }
  for (const ins of finalIns.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')) {
    const fromFlag = /--from=(\S+)/.exec(ins.args)?.[1];
    const paths = ins.args.split(/\s+/).filter((p) => !p.startsWith('--'));
    const sources = paths.slice(0, -1);
    if (!fromFlag) {
      if (sources.some((s) => s === '.' || s === './' || /(^|\/)src(\/|$)/.test(s))) {
        problems.push(`runtime stage copies sources from the build context: ${ins.keyword} ${ins.args}`);
      }
      continue;
    }
    for (const s of sources) {
      if (/(^|\/)node_modules\/?$/.test(s) && installsDev(byName.get(fromFlag))) {
        problems.push(`runtime stage copies node_modules from "${fromFlag}", which installed development dependencies`);
      }
      if (s === '/app' || s === '/app/' || s === '.' || /(^|\/)src(\/|$)/.test(s)) {
        problems.push(`runtime stage copies more than compiled output from "${fromFlag}": ${s}`);
      }
    }
  }

  const cmdIns = finalIns.filter((i) => i.keyword === 'CMD').at(-1);
  const entryIns = finalIns.filter((i) => i.keyword === 'ENTRYPOINT').at(-1);
  const userIdx = finalIns.findLastIndex((i) => i.keyword === 'USER');
  const user = userIdx >= 0 ? finalIns[userIdx].args.split(':')[0] : null;
  if (!user || user === 'root' || user === '0') problems.push('runtime stage must switch to a non-root USER');

  const health = finalIns.find((i) => i.keyword === 'HEALTHCHECK');
  if (!health || /^NONE$/i.test(health.args)) problems.push('runtime stage needs a HEALTHCHECK');
  else {
    if (/\b(curl|wget)\b/.test(health.args)) problems.push('HEALTHCHECK must not depend on curl/wget (not in the slim image); use node');
    if (!/\/health\b/.test(health.args)) problems.push('HEALTHCHECK should probe /health');
  }

  if (!finalIns.some((i) => i.keyword === 'EXPOSE' && i.args.split(/\s+/).some((p) => p.replace(/\/tcp$/, '') === '8001'))) {
    problems.push('EXPOSE 8001 missing');
  }

  const cmd = cmdIns ? execForm(cmdIns.args) : null;
  const entry = entryIns ? execForm(entryIns.args) : null;
  if (!cmdIns) problems.push('runtime stage has no CMD');
  else if (!cmd) problems.push(`CMD must be exec form (JSON array) so signals reach the process: CMD ${cmdIns.args}`);
  if (entryIns && !entry) problems.push(`ENTRYPOINT must be exec form: ENTRYPOINT ${entryIns.args}`);
  const argv = [...(entry ?? []), ...(cmd ?? [])];
  const hasInit = argv.length > 0 && INIT_BINARIES.test(argv[0]);
  const proc = hasInit ? argv.slice(argv[1] === '--' ? 2 : 1) : argv;
  if (cmd) {
    if (proc[0] === 'npm' || proc[0] === 'yarn' || proc[0] === 'sh' || proc[0] === '/bin/sh') {
      problems.push(`the server must be started by node directly (${proc[0]} does not forward SIGTERM)`);
    } else if (!/(^|\/)node$/.test(proc[0] ?? '')) {
      problems.push(`CMD should run node (got ${proc[0]})`);
    }
    if (!hasInit && !proc.includes('apps/api/dist/server.js')) problems.push('CMD should run the compiled server (apps/api/dist/server.js)');
    if (!proc.includes('--enable-source-maps')) problems.push('CMD should run node with --enable-source-maps (stack traces then name the TypeScript sources)');
  }
  if (!hasInit) problems.push('no init process (tini or dumb-init) as PID 1');

  if (dockerignore !== undefined) {
    const entries = dockerignore
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const has = (re) => entries.some((e) => re.test(e));
    if (!has(/^(\*\*\/)?node_modules\/?$/)) problems.push('.dockerignore must exclude node_modules');
    if (!has(/^(\*\*\/)?\.env$/)) problems.push('.dockerignore must exclude .env files');
    if (!has(/^\.git\/?$/)) problems.push('.dockerignore must exclude .git');
    if (!has(/^(\*\*\/)?dist\/?$/)) problems.push('.dockerignore must exclude local build output (dist)');
  }
  return problems;
}

/** "35s", "1m30s", "500ms" → milliseconds; null when not a duration with units. */
export function durationMs(value) {
  if (typeof value !== 'string') return null;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let consumed = '';
  for (const m of value.matchAll(re)) {
    total += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2]];
    consumed += m[0];
  }
  return consumed === value && value !== '' ? total : null;
}

const DURATION_KEYS = new Set(['interval', 'timeout', 'grace_period', 'kill_timeout', 'wait_timeout']);
const SECRET_ENV = /(SECRET|PASSWORD|TOKEN|_KEY|DSN)$|^(DATABASE_URL|REDIS_URL|UPSTASH_REDIS_REST_URL)$/;
export const DEPLOYMENT_HOST = /\b[a-z0-9][a-z0-9-]*\.(fly\.dev|onrender\.com)\b/i;

function walk(node, path, visit) {
  if (Array.isArray(node)) {
    for (const [i, v] of node.entries()) walk(v, `${path}[${i}]`, visit);
  } else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, path ? `${path}.${k}` : k, visit);
  else visit(path, node);
}

export function readFlyToml(text) {
  return parseToml(text);
}

/**
 * The concurrency limits bench/fly-concurrency.mjs derived, as written in its section of docs/performance.md
 * (null when that section is missing).
 */
export function measuredConcurrency(performanceMd = readFileSync(new URL('../../docs/performance.md', import.meta.url), 'utf8')) {
  const section = performanceMd.split('<!-- bench:fly-concurrency -->')[1]?.split('<!-- /bench:fly-concurrency -->')[0] ?? '';
  const soft = /`soft_limit = (\d+)`/.exec(section)?.[1];
  const hard = /`hard_limit = (\d+)`/.exec(section)?.[1];
  return soft && hard ? { soft: Number(soft), hard: Number(hard) } : null;
}

/**
 * The fly.toml rules (docs/deploy.md). `shutdownTimeoutMs` is the server's drain deadline; `measured` the limits
 * the concurrency bench derived, which fly.toml must use.
 */
export function checkFlyToml(text, { shutdownTimeoutMs = 25_000, measured = measuredConcurrency() } = {}) {
  const problems = [];
  let doc;
  try {
    doc = parseToml(text);
  } catch (err) {
    return [`fly.toml does not parse: ${err.message}`];
  }
  if (doc.app !== 'cryptovault-api') problems.push(`app should be "cryptovault-api" (got ${JSON.stringify(doc.app)})`);
  if (doc.primary_region !== 'iad') problems.push(`primary_region should be "iad" (got ${JSON.stringify(doc.primary_region)})`);

  walk(doc, '', (path, value) => {
    const key = path
      .split('.')
      .at(-1)
      .replace(/\[\d+\]$/, '');
    if (DURATION_KEYS.has(key) && durationMs(value) === null) {
      problems.push(`${path} = ${JSON.stringify(value)} needs a unit ("15s"): a bare number is milliseconds`);
    }
    if (typeof value === 'string' && DEPLOYMENT_HOST.test(value)) problems.push(`${path} hardcodes a deployment host (${value})`);
  });

  if (doc.services) problems.push('[[services]] duplicates [http_service]: keep exactly one service definition');
  const http = doc.http_service;
  if (!http) {
    problems.push('[http_service] missing');
  } else {
    if (http.internal_port !== 8001) problems.push(`http_service.internal_port should be 8001 (got ${http.internal_port})`);
    if (http.force_https !== true) problems.push('http_service.force_https should be true');
    if (http.auto_stop_machines !== 'stop' && http.auto_stop_machines !== 'suspend') {
      problems.push(
        `http_service.auto_stop_machines = ${JSON.stringify(http.auto_stop_machines)}: "stop" is needed for the proxy to scale between min_machines_running and the machines created`,
      );
    }
    if (http.auto_start_machines !== true) problems.push('http_service.auto_start_machines should be true');
    if (!(Number(http.min_machines_running) >= 1)) problems.push('http_service.min_machines_running should be at least 1 (no cold starts)');
    const checks = http.checks;
    if (!Array.isArray(checks) || checks.length === 0) problems.push('[[http_service.checks]] missing');
    else {
      if (!checks.some((c) => c.path === '/health/live')) problems.push('no [[http_service.checks]] on /health/live (liveness)');
      for (const c of checks.filter((x) => x.path && x.path !== '/health/live')) {
        problems.push(
          `[[http_service.checks]] on ${c.path}: Fly stops routing on a failing service check, so it must be liveness (/health/live), not readiness that a database outage fails on every machine at once`,
        );
      }
    }
    const c = http.concurrency;
    if (!c) problems.push('[http_service.concurrency] missing');
    else {
      if (!['connections', 'requests'].includes(c.type)) problems.push(`concurrency.type ${JSON.stringify(c.type)} is not connections/requests`);
      if (!(c.hard_limit > c.soft_limit)) problems.push('concurrency.hard_limit must be above soft_limit');
      if (!measured) problems.push('no measured concurrency in docs/performance.md (run bench/fly-concurrency.mjs)');
      else {
        const where = `the measured capacity (bench/fly-concurrency.mjs in docs/performance.md: soft ${measured.soft}, hard ${measured.hard})`;
        if (c.hard_limit < measured.hard) problems.push(`concurrency.hard_limit ${c.hard_limit} is tiny next to ${where}: every socket is a connection`);
        if (c.hard_limit > measured.hard)
          problems.push(`concurrency.hard_limit ${c.hard_limit} is above ${where}: a machine would be sent clients it cannot serve`);
        if (c.soft_limit !== measured.soft) problems.push(`concurrency.soft_limit ${c.soft_limit} is not ${where}`);
      }
    }
  }

  const topLevel = Object.values(doc.checks ?? {});
  if (!topLevel.some((c) => c?.type === 'http' && c.path === '/health' && c.port === http?.internal_port)) {
    problems.push('no top-level [checks] http check on /health: readiness (database, migrations) should be reported without routing on it');
  }

  if (!['SIGTERM', 'SIGINT'].includes(doc.kill_signal)) problems.push(`kill_signal should be SIGTERM (got ${JSON.stringify(doc.kill_signal)})`);
  const kill = durationMs(doc.kill_timeout);
  if (kill === null) problems.push('kill_timeout missing (Fly defaults to 5 s: the server would be killed mid-drain)');
  else if (kill <= shutdownTimeoutMs) problems.push(`kill_timeout ${doc.kill_timeout} must exceed the server's drain deadline (${shutdownTimeoutMs} ms)`);
  else if (kill > 300_000) problems.push("kill_timeout above Fly's 300 s maximum");

  if (!/\bmigrate\b/.test(doc.deploy?.release_command ?? '')) problems.push('[deploy] release_command should run the migrations');
  if (doc.metrics?.path !== '/metrics' || doc.metrics?.port !== http?.internal_port) problems.push('[metrics] should scrape /metrics on the internal port');

  const env = doc.env ?? {};
  if (env.ENVIRONMENT !== 'production') problems.push('[env] ENVIRONMENT should be "production"');
  if (http && env.PORT !== undefined && Number(env.PORT) !== http.internal_port) problems.push('[env] PORT differs from internal_port');
  for (const k of Object.keys(env)) if (SECRET_ENV.test(k)) problems.push(`[env] ${k} looks secret: set it with fly secrets, not in fly.toml`);
  return problems;
}
