// The Dockerfile's stages reproduced on the host: the build context per .dockerignore, the build stage (with the
// repository's development install), the production-only install, and the runtime stage's file list. Everything
// is read from the Dockerfile itself, so the rehearsal follows it when it changes.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, statSync, symlinkSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { dockerStages, parseDockerfile } from './deploy-files.mjs';

function globToRegex(glob) {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}(?:/.*)?$`);
}

/** A .dockerignore as a predicate over context-relative paths (last matching rule wins; `!` re-includes). */
export function dockerignore(text) {
  const rules = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) =>
      l.startsWith('!') ? { include: true, re: globToRegex(l.slice(1).replace(/^\/+/, '')) } : { include: false, re: globToRegex(l.replace(/^\/+/, '')) },
    );
  return (path) => {
    let ignored = false;
    for (const r of rules) if (r.re.test(path)) ignored = !r.include;
    return ignored;
  };
}

function copyFiltered(contextDir, src, dest, ignored) {
  const abs = join(contextDir, src);
  const st = statSync(abs);
  if (ignored(relative(contextDir, abs))) return;
  if (st.isDirectory()) {
    mkdirSync(dest, { recursive: true });
    for (const name of readdirSync(abs)) copyFiltered(contextDir, join(src, name), join(dest, name), ignored);
  } else {
    mkdirSync(dirname(dest), { recursive: true });
    cpSync(abs, dest);
  }
}

/** `COPY a b dest/` semantics: a directory's contents go into dest; a file goes to dest/ or becomes dest. */
function applyCopy(args, from, into, ignored) {
  const parts = args.split(/\s+/).filter((p) => !p.startsWith('--'));
  const dest = parts.at(-1);
  const sources = parts.slice(0, -1);
  for (const src of sources) {
    const rel = src.replace(/^\/app\/?/, '') || '.';
    const target = dest === './' || dest === '.' ? into : join(into, dest.replace(/^\/app\/?/, ''));
    const isDir = statSync(join(from, rel)).isDirectory();
    const to = isDir ? target : dest.endsWith('/') || sources.length > 1 || dest === './' || dest === '.' ? join(target, basename(rel)) : target;
    copyFiltered(from, rel, to, ignored);
  }
}

export function readStages(dockerfileText) {
  const stages = dockerStages(parseDockerfile(dockerfileText));
  const byName = new Map(stages.map((s) => [s.name, s]));
  const chain = (stage) => (stage && byName.has(stage.from) ? [...chain(byName.get(stage.from)), stage] : [stage]);
  return { stages, byName, chain, final: stages.at(-1) };
}

/**
 * The build stage: its context files (and those of the stages it builds on), with the repository's installed
 * node_modules standing in for its `npm ci`, then its `npm run build`.
 */
export function buildStage({ repo, dir, dockerfile, ignoreText, log }) {
  const { byName, chain } = readStages(dockerfile);
  const ignored = dockerignore(ignoreText);
  const build = byName.get('build');
  if (!build) throw new Error('the Dockerfile has no stage named "build"');
  for (const stage of chain(build)) {
    for (const ins of stage.instructions) if (ins.keyword === 'COPY' && !/--from=/.test(ins.args)) applyCopy(ins.args, repo, dir, ignored);
  }
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const runs = build.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
  for (const cmd of runs) {
    log(`build stage: ${cmd}`);
    execFileSync('sh', ['-c', cmd], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
  }
  return build;
}

/** The production-dependency stage, run for real: its COPYs from the context and its install command. */
export function prodDepsStage({ repo, dir, dockerfile, ignoreText, log }) {
  const { final, byName } = readStages(dockerfile);
  const fromStage = final.instructions.map((i) => /--from=(\S+)/.exec(i.args)?.[1]).find((name) => name && name !== 'build');
  const stage = byName.get(fromStage);
  if (!stage) throw new Error('the runtime stage copies node_modules from no named stage');
  const ignored = dockerignore(ignoreText);
  for (const ins of stage.instructions) if (ins.keyword === 'COPY' && !/--from=/.test(ins.args)) applyCopy(ins.args, repo, dir, ignored);
  for (const ins of stage.instructions.filter((i) => i.keyword === 'RUN')) {
    // The host's npm cache is shared: never clean it; prefer it over the network.
    const cmd = ins.args.replace(/&&\s*npm cache clean --force/, '').replace(/\bnpm ci\b/, 'npm ci --prefer-offline --no-audit --no-fund');
    log(`${stage.name} stage: ${cmd}`);
    execFileSync('sh', ['-c', cmd], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  }
  return stage;
}

/** The runtime stage's files: every `COPY --from=<stage>` of the final stage, from the stages' directories. */
export function runtimeStage({ dir, stageDirs, dockerfile }) {
  const { final } = readStages(dockerfile);
  const none = () => false;
  for (const ins of final.instructions) {
    const from = /--from=(\S+)/.exec(ins.args)?.[1];
    if (ins.keyword !== 'COPY' || !from) continue;
    const srcDir = stageDirs[from];
    if (!srcDir) throw new Error(`no directory for stage ${from}`);
    const parts = ins.args.split(/\s+/).filter((p) => !p.startsWith('--'));
    if (parts.length === 2 && /node_modules\/?$/.test(parts[0])) {
      // Moving is what the COPY amounts to, without duplicating a few hundred MB.
      renameSync(join(srcDir, 'node_modules'), join(dir, parts[1].replace(/^\.\//, '')));
      continue;
    }
    applyCopy(ins.args.replace(/--\S+/g, '').trim(), srcDir, dir, none);
  }
  if (!existsSync(join(dir, 'apps/api/dist/server.js'))) throw new Error('runtime stage has no apps/api/dist/server.js');
  return final;
}
