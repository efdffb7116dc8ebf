#!/usr/bin/env node
// `npm run sentry:sourcemaps -- [--release <version>] [--dry-run]`
//
// Uploads the builds' JavaScript and source maps to Sentry as release files of the release the server reports
// (src/version.ts: the commit stamped in apps/api/dist/build-info.json), with Sentry's documented release API:
//   POST /api/0/organizations/{org}/releases/                               { version, projects }
//   POST /api/0/projects/{org}/{project}/releases/{version}/files/          multipart: file, name
// Names use Sentry's `~/` prefix (any host): the web app's `~/assets/<file>` as browsers load them, and the API
// bundle's `~/apps/api/dist/<file>`. Needs SENTRY_AUTH_TOKEN (project:releases scope), SENTRY_ORG, and
// SENTRY_PROJECT (the API) and/or SENTRY_WEB_PROJECT (the web app); SENTRY_URL for a self-hosted Sentry.
// A file already uploaded for the release (HTTP 409) is left as it is, so the command can be repeated.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The files to upload for one build: every .js with its .map. */
export function artifacts(dir, prefix) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.js') || f.endsWith('.js.map'))
    .sort()
    .map((f) => ({ path: join(dir, f), name: `${prefix}/${f.split('\\').join('/')}` }));
}

async function call(fetchImpl, url, init, what) {
  const res = await fetchImpl(url, init);
  if (res.ok || res.status === 208 || res.status === 409) return res.status;
  const text = await res.text().catch(() => '');
  throw new Error(`${what}: HTTP ${res.status} ${text.slice(0, 200)}`);
}

/**
 * Creates the release (once per organisation) and uploads each project's files. Returns what was done, per file.
 * `fetchImpl` is injectable for tests; the default is the global fetch.
 */
export async function uploadSourceMaps({ sentryUrl, token, org, release, targets, dryRun = false, fetchImpl = fetch, log = () => {} }) {
  if (!/^[^\s/\\]{1,200}$/.test(release) || release === '.' || release === '..') throw new Error(`not a valid Sentry release name: ${JSON.stringify(release)}`);
  const base = sentryUrl.replace(/\/+$/, '');
  const auth = { authorization: `Bearer ${token}` };
  const projects = targets.filter((t) => t.files.length > 0).map((t) => t.project);
  if (projects.length === 0) throw new Error('nothing to upload: build first (npm run build)');
  const done = [];
  if (dryRun) {
    for (const t of targets) for (const f of t.files) done.push({ project: t.project, name: f.name, status: 'dry-run' });
    return done;
  }
  await call(
    fetchImpl,
    `${base}/api/0/organizations/${encodeURIComponent(org)}/releases/`,
    { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ version: release, projects }) },
    'create release',
  );
  for (const t of targets) {
    const url = `${base}/api/0/projects/${encodeURIComponent(org)}/${encodeURIComponent(t.project)}/releases/${encodeURIComponent(release)}/files/`;
    for (const f of t.files) {
      const form = new FormData();
      form.set('name', f.name);
      form.set('file', new Blob([readFileSync(f.path)], { type: 'application/octet-stream' }), relative(ROOT, f.path));
      const status = await call(fetchImpl, url, { method: 'POST', headers: auth, body: form }, `upload ${f.name}`);
      done.push({ project: t.project, name: f.name, status: status === 409 ? 'already there' : 'uploaded' });
      log(`${status === 409 ? 'kept    ' : 'uploaded'} ${t.project} ${f.name}`);
    }
  }
  return done;
}

function defaultRelease() {
  const info = join(ROOT, 'apps/api/dist/build-info.json');
  const commit = existsSync(info) ? JSON.parse(readFileSync(info, 'utf8')).commit : null;
  if (!commit) throw new Error('no --release and no commit in apps/api/dist/build-info.json (build in a git checkout or with GIT_COMMIT)');
  return commit;
}

async function main() {
  const { values } = parseArgs({ options: { release: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } } });
  const env = process.env;
  const missing = ['SENTRY_AUTH_TOKEN', 'SENTRY_ORG'].filter((k) => !env[k]);
  if (!env.SENTRY_PROJECT && !env.SENTRY_WEB_PROJECT) missing.push('SENTRY_PROJECT or SENTRY_WEB_PROJECT');
  if (missing.length && !values['dry-run']) throw new Error(`missing ${missing.join(', ')}`);
  const targets = [];
  if (env.SENTRY_PROJECT || values['dry-run'])
    targets.push({ project: env.SENTRY_PROJECT ?? '(api)', files: artifacts(join(ROOT, 'apps/api/dist'), '~/apps/api/dist') });
  if (env.SENTRY_WEB_PROJECT || values['dry-run'])
    targets.push({ project: env.SENTRY_WEB_PROJECT ?? '(web)', files: artifacts(join(ROOT, 'apps/web/dist/assets'), '~/assets') });
  const release = values.release ?? defaultRelease();
  const done = await uploadSourceMaps({
    sentryUrl: env.SENTRY_URL ?? 'https://sentry.io',
    token: env.SENTRY_AUTH_TOKEN ?? '',
    org: env.SENTRY_ORG ?? '(org)',
    release,
    targets,
    dryRun: values['dry-run'],
    log: (line) => console.log(line),
  });
  console.log(`${values['dry-run'] ? 'would upload' : 'release'} ${release}: ${done.length} file(s)`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    console.error(`sentry:sourcemaps: ${err.message}`);
    process.exit(1);
  });
}
