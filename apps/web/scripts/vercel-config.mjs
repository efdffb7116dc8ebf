// The web app's Vercel configuration, generated from ONE variable: API_ORIGIN (the Fly app's origin, e.g. the
// app's fly.dev host or api.<your domain>). apps/web/vercel.mjs calls this at build time on Vercel, so switching
// the API is: change API_ORIGIN in the Vercel project, redeploy. Nothing else names the API host.
//
// Every request the rewrites forward carries X-CryptoVault-Edge-Secret = the project's EDGE_PROXY_SECRET variable,
// which the API (TRUST_PROXY=vercel+fly, same value) takes as proof that the request came through Vercel and that
// X-Forwarded-For holds the address Vercel saw. The value is not in this configuration: `$EDGE_PROXY_SECRET` is
// resolved by Vercel's routing layer for each request (a route transform with `env`), so it never reaches the
// build output or the repository. Transforms exist only in the `routes` form, so the whole configuration is routes.
//
//   API_ORIGIN=https://api.example.com EDGE_PROXY_SECRET=x node apps/web/scripts/vercel-config.mjs          # print
//   API_ORIGIN=https://api.example.com EDGE_PROXY_SECRET=x node apps/web/scripts/vercel-config.mjs --out f  # file
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The header the API reads the proof in (apps/api/src/platform/client-address.ts). */
export const EDGE_SECRET_HEADER = 'x-cryptovault-edge-secret';

/** Paths the browser calls on the web origin that Vercel forwards to the API (same-origin cookies, no CORS). */
export const API_ROUTES = [
  { src: '^/api/(.*)$', path: '/api/$1' },
  { src: '^/(health|ping|csrf)$', path: '/$1' },
  // Engine.IO serves /socket.io/ with a trailing slash; `(.*)` may be empty, so it is never normalised away.
  { src: '^/socket\\.io/(.*)$', path: '/socket.io/$1' },
];

/** Every forwarded request carries the edge secret; a value a client sent under that name is dropped first. */
const edgeSecretTransforms = [
  { type: 'request.headers', op: 'delete', target: { key: EDGE_SECRET_HEADER } },
  { type: 'request.headers', op: 'set', target: { key: EDGE_SECRET_HEADER }, args: '$EDGE_PROXY_SECRET', env: ['EDGE_PROXY_SECRET'] },
];

/** Validated https origin (http only for localhost, for local rehearsals). Throws with a readable reason. */
export function parseApiOrigin(raw) {
  if (!raw?.trim()) {
    throw new Error('API_ORIGIN is not set: set it in the Vercel project (Settings → Environment Variables) to the API origin, e.g. https://api.example.com');
  }
  let url;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Error(`API_ORIGIN is not a URL: ${raw}`);
  }
  const local = /^(localhost|127\.0\.0\.1|\[::1\])$/.test(url.hostname);
  if (url.protocol !== 'https:' && !(local && url.protocol === 'http:')) throw new Error(`API_ORIGIN must be https:// (got ${url.protocol})`);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username) {
    throw new Error(`API_ORIGIN must be an origin only (scheme://host[:port]), without path, query or credentials: ${raw}`);
  }
  return url.origin;
}

function contentSecurityPolicy(apiOrigin) {
  const ws = apiOrigin.replace(/^http/, 'ws');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    // The socket may go straight to the API when the rewrite does not pass WebSockets; Sentry ingest when enabled.
    `connect-src 'self' ${apiOrigin} ${ws} https://*.ingest.sentry.io https://*.ingest.us.sentry.io https://*.ingest.de.sentry.io`,
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    'upgrade-insecure-requests',
  ].join('; ');
}

/** The pages' security headers. API responses keep the API's own headers (it sets them itself). */
export function securityHeaders(apiOrigin) {
  return [
    { key: 'Strict-Transport-Security', value: 'max-age=63072000; includeSubDomains' },
    { key: 'X-Content-Type-Options', value: 'nosniff' },
    { key: 'X-Frame-Options', value: 'DENY' },
    { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
    { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()' },
    { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
    { key: 'Content-Security-Policy', value: contentSecurityPolicy(apiOrigin) },
  ];
}

/** Not the API's paths, which keep the API's headers. */
const PAGES = '^/(?!api/|socket\\.io/|health$|ping$|csrf$).*$';

const headerMap = (list) => Object.fromEntries(list.map((h) => [h.key, h.value]));

/** The whole Vercel project configuration (vercel.json schema, `routes` form) for one API origin. */
export function vercelConfig(env) {
  const api = parseApiOrigin(env.API_ORIGIN);
  if (!env.EDGE_PROXY_SECRET?.trim()) {
    throw new Error(
      "EDGE_PROXY_SECRET is not set: set it in the Vercel project (Settings → Environment Variables) to the same value as the API's EDGE_PROXY_SECRET Fly secret (openssl rand -hex 32)",
    );
  }
  return {
    $schema: 'https://openapi.vercel.sh/vercel.json',
    framework: 'vite',
    buildCommand: 'npm run build',
    outputDirectory: 'dist',
    routes: [
      // Response headers first (`continue`: the request goes on to the routes below).
      { src: PAGES, headers: headerMap(securityHeaders(api)), continue: true },
      { src: '^/assets/(.*)$', headers: { 'Cache-Control': 'public, max-age=31536000, immutable' }, continue: true },
      { src: '^/(index\\.html)?$', headers: { 'Cache-Control': 'no-cache' }, continue: true },
      // The API, before the filesystem so that no file can shadow it; the query string travels with the request.
      ...API_ROUTES.map((r) => ({ src: r.src, dest: `${api}${r.path}`, transforms: edgeSecretTransforms })),
      { handle: 'filesystem' },
      // SPA fallback after the files in dist; a missing hashed asset stays a 404 instead of turning into index.html.
      { src: '^/(?!assets/).*$', dest: '/index.html' },
    ],
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const json = `${JSON.stringify(vercelConfig(process.env), null, 2)}\n`;
    const outIdx = process.argv.indexOf('--out');
    if (outIdx > 0 && process.argv[outIdx + 1]) writeFileSync(process.argv[outIdx + 1], json);
    else process.stdout.write(json);
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
