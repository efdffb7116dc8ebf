import { getPublicSuffix } from 'tldts';

/**
 * CORS origin rules. Exact origins compare exactly. A `*` inside a host pattern stands for characters of ONE
 * DNS label ([a-z0-9-]+), and the whole origin (scheme, host, port) is anchored at both ends, so
 * `https://cryptovault-*.vercel.app` matches `https://cryptovault-preview.vercel.app` but not
 * `https://cryptovault-a.b.vercel.app` or `https://cryptovault-x.vercel.app.evil.com`.
 */
export type CorsRule = { kind: 'exact'; origin: string } | { kind: 'pattern'; pattern: string; regex: RegExp };

/**
 * The public suffix a wildcard pattern spans, when it spans one: `cryptovault-*.vercel.app` covers hosts that anyone
 * can register under `vercel.app`. Decided by the Public Suffix List (tldts, private section included: the hosting
 * platforms' shared domains such as vercel.app, fly.dev, github.io are listed there), not by a list of our own.
 */
function publicSuffixOf(parent: string): string | null {
  const suffix = getPublicSuffix(`x.${parent}`, { allowPrivateDomains: true });
  // The suffix reaches the wildcard's parent (or beyond, under a PSL wildcard rule): the `*` label is registrable.
  return suffix !== null && (suffix === parent || suffix.endsWith(`.${parent}`)) ? suffix : null;
}

export interface ParsedCors {
  rules: CorsRule[];
  warnings: string[];
  errors: string[];
  /** Wildcard patterns whose `*` label sits right under a public suffix (refused in production and staging). */
  publicSuffixPatterns: string[];
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
  const publicSuffixPatterns: string[] = [];
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
      errors.push(`CORS_ORIGINS: "${entry}": a wildcard may appear only in the first label of a host with at least two more labels`);
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
    const shared = publicSuffixOf(labels.slice(1).join('.'));
    if (shared) {
      publicSuffixPatterns.push(entry);
      warnings.push(
        `CORS_ORIGINS pattern "${entry}" sits under the public suffix "${shared}": anyone can create a matching ` +
          `subdomain there and, with credentialed CORS, read users' data. Prefer exact origins (or a custom domain).`,
      );
    }
    if (scheme === 'http') warnings.push(`CORS_ORIGINS pattern "${entry}" allows plain http origins`);
  }
  return { rules, warnings, errors, publicSuffixPatterns };
}

export function originAllowed(origin: string, rules: readonly CorsRule[]): boolean {
  const o = origin.toLowerCase();
  for (const r of rules) {
    if (r.kind === 'exact' ? r.origin === o : r.regex.test(o)) return true;
  }
  return false;
}
