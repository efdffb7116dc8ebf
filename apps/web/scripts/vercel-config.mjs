// The web app's Vercel configuration, generated from ONE variable: API_ORIGIN (the Fly app's origin, e.g. the
// app's fly.dev host or api.<your domain>). apps/web/vercel.mjs calls this at build time on Vercel, so switching
// the API is: change API_ORIGIN in the Vercel project, redeploy. Nothing else names the API host.
//
//   API_ORIGIN=https://api.example.com node apps/web/scripts/vercel-config.mjs          # print the JSON
//   API_ORIGIN=https://api.example.com node apps/web/scripts/vercel-config.mjs --out f  # write it to a file
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Paths the browser calls on the web origin that Vercel forwards to the API (same-origin cookies, no CORS). */
export const API_PATHS = ['/api/:path*', '/health', '/ping', '/csrf'];

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
const PAGES = '/((?!api/|socket\\.io/|health|ping|csrf).*)';

/** The whole Vercel project configuration (vercel.json schema) for one API origin. */
export function vercelConfig(env) {
  const api = parseApiOrigin(env.API_ORIGIN);
  return {
    $schema: 'https://openapi.vercel.sh/vercel.json',
    framework: 'vite',
    buildCommand: 'npm run build',
    outputDirectory: 'dist',
    rewrites: [
      ...API_PATHS.map((source) => ({ source, destination: `${api}${source}` })),
      // Engine.IO serves /socket.io/ with a trailing slash; keep it explicit so it is never normalised away.
      { source: '/socket.io/', destination: `${api}/socket.io/` },
      { source: '/socket.io/:path*', destination: `${api}/socket.io/:path*` },
      // SPA fallback: files in dist win first (Vercel checks the filesystem before rewrites); a missing hashed
      // asset stays a 404 instead of turning into index.html.
      { source: '/((?!assets/).*)', destination: '/index.html' },
    ],
    headers: [
      { source: PAGES, headers: securityHeaders(api) },
      { source: '/assets/(.*)', headers: [{ key: 'Cache-Control', value: 'public, max-age=31536000, immutable' }] },
      { source: '/', headers: [{ key: 'Cache-Control', value: 'no-cache' }] },
      { source: '/index.html', headers: [{ key: 'Cache-Control', value: 'no-cache' }] },
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
