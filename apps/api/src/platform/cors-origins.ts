/**
 * CORS origin rules. Exact origins compare exactly. A `*` inside a host pattern stands for characters of ONE
 * DNS label ([a-z0-9-]+), and the whole origin (scheme, host, port) is anchored at both ends, so
 * `https://cryptovault-*.vercel.app` matches `https://cryptovault-preview.vercel.app` but not
 * `https://cryptovault-a.b.vercel.app` or `https://cryptovault-x.vercel.app.evil.com`.
 */
export type CorsRule = { kind: 'exact'; origin: string } | { kind: 'pattern'; pattern: string; regex: RegExp };

/** Hosting suffixes where anyone can register a subdomain (from the Public Suffix List). */
const SHARED_HOSTING_SUFFIXES = [
  'vercel.app',
  'fly.dev',
  'netlify.app',
  'onrender.com',
  'herokuapp.com',
  'github.io',
  'pages.dev',
  'workers.dev',
  'web.app',
  'firebaseapp.com',
  'azurewebsites.net',
  'cloudfront.net',
  'appspot.com',
  'railway.app',
  'up.railway.app',
  'surge.sh',
];

export interface ParsedCors {
  rules: CorsRule[];
  warnings: string[];
  errors: string[];
}

function splitList(raw: string): string[] {
  const trimmed = raw.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('[')) {
    try {
      const arr: unknown = JSON.parse(trimmed);
      if (Array.isArray(arr) && arr.every((x) => typeof x === 'string')) return arr.map((s) => s.trim()).filter(Boolean);
    } catch {
      // fall through to the error below
    }
    return ['\u0000invalid-json'];
  }
  return trimmed
    .split(',')
    .map((s) => s.trim().replace(/^["']|["']$/g, ''))
    .filter(Boolean);
}

const ORIGIN_RE = /^(https?):\/\/([a-z0-9*.-]+|\[[0-9a-f:]+\])(?::(\d{1,5}))?$/;

export function parseCorsOrigins(raw: string): ParsedCors {
  const rules: CorsRule[] = [];
  const warnings: string[] = [];
  const errors: string[] = [];
  for (const entry of splitList(raw)) {
    if (entry === '\u0000invalid-json') {
      errors.push('CORS_ORIGINS: not a valid JSON array of strings');
      continue;
    }
    const value = entry.toLowerCase().replace(/\/+$/, '');
    if (value === '*') {
      errors.push('CORS_ORIGINS: "*" is not allowed (credentials are used); list the web origins explicitly');
      continue;
    }
    const m = ORIGIN_RE.exec(value);
    if (!m) {
      errors.push(`CORS_ORIGINS: "${entry}" is not an origin like https://www.example.com (no path)`);
      continue;
    }
    const [, scheme, host = '', port] = m;
    if (!host.includes('*')) {
      rules.push({ kind: 'exact', origin: value });
      continue;
    }
    const labels = host.split('.');
    const starLabels = labels.filter((l) => l.includes('*'));
    if (starLabels.length !== 1 || labels.indexOf(starLabels[0]!) !== 0 || labels.length < 3) {
      errors.push(
        `CORS_ORIGINS: "${entry}": a wildcard may appear only in the first label of a host with at least two more labels`,
      );
      continue;
    }
    const labelRe = starLabels[0]!
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('[a-z0-9-]+');
    const rest = labels
      .slice(1)
      .map((l) => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('\\.');
    const regex = new RegExp(`^${scheme}:\\/\\/${labelRe}\\.${rest}${port ? `:${port}` : ''}$`);
    rules.push({ kind: 'pattern', pattern: value, regex });
    const suffix = labels.slice(1).join('.');
    const shared = SHARED_HOSTING_SUFFIXES.find((s) => suffix === s || suffix.endsWith(`.${s}`));
    if (shared) {
      warnings.push(
        `CORS_ORIGINS pattern "${entry}" sits under the public suffix "${shared}": anyone can create a matching ` +
          `subdomain there and, with credentialed CORS, read users' data. Prefer exact origins (or a custom domain).`,
      );
    }
    if (scheme === 'http') warnings.push(`CORS_ORIGINS pattern "${entry}" allows plain http origins`);
  }
  return { rules, warnings, errors };
}

export function originAllowed(origin: string, rules: readonly CorsRule[]): boolean {
  const o = origin.toLowerCase();
  for (const r of rules) {
    if (r.kind === 'exact' ? r.origin === o : r.regex.test(o)) return true;
  }
  return false;
}
