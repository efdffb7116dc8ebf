import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import type { Config } from '../config.ts';

function contentSecurityPolicy(config: Config): Record<string, string[]> {
  const connect = new Set(["'self'"]);
  for (const u of [config.publicApiUrl, config.publicWsUrl]) connect.add(new URL(u).origin);
  connect.add(new URL(config.publicApiUrl).origin.replace(/^http/, 'ws'));
  if (config.sentry.publicDsn) connect.add(new URL(config.sentry.publicDsn).origin);
  const directives: Record<string, string[]> = {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:', 'blob:'],
    fontSrc: ["'self'", 'data:'],
    connectSrc: [...connect],
    objectSrc: ["'none'"],
    frameAncestors: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
  };
  if (config.isProduction) directives.upgradeInsecureRequests = [];
  return directives;
}

export interface SecurityHeaders {
  /** For documents: the SPA and anything else a browser renders. */
  document: Readonly<Record<string, string>>;
  /**
   * For API responses (JSON, never rendered): a CSP that allows nothing, as the OWASP REST Security Cheat Sheet
   * advises, instead of the SPA's policy, and only the headers that act on a response that is not rendered.
   */
  api: Readonly<Record<string, string>>;
}

export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * What API responses keep of the document headers: framing, sniffing, cross-origin reads (CORP), referrers and
 * HSTS. The rest only act on a rendered document (Cross-Origin-Opener-Policy, Origin-Agent-Cluster,
 * X-DNS-Prefetch-Control, X-Download-Options, X-Permitted-Cross-Domain-Policies, X-XSS-Protection); on JSON they
 * are bytes every client parses for nothing.
 */
const API_HEADERS = ['cross-origin-resource-policy', 'referrer-policy', 'strict-transport-security', 'x-content-type-options', 'x-frame-options'];

/**
 * helmet's headers for this configuration, computed once. They depend on the configuration only (no CSP nonces),
 * so running helmet's middleware once against a recording response gives exactly what it would set on every
 * request; @fastify/helmet rebuilt the whole middleware chain per request, a few percent of a small response.
 */
export function securityHeaders(config: Config): SecurityHeaders {
  const middleware = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy(config) },
    hsts: config.isProduction ? { maxAge: 63_072_000, includeSubDomains: true, preload: false } : false,
    crossOriginEmbedderPolicy: false,
    crossOriginResourcePolicy: { policy: 'same-site' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
  });
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
      return recorder;
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown = null;
  // helmet only calls setHeader/removeHeader on the response and never reads the request.
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    failure = err ?? null;
  });
  if (failure) throw failure;
  const api: Record<string, string> = { 'content-security-policy': API_CSP };
  for (const name of API_HEADERS) if (headers[name] !== undefined) api[name] = headers[name];
  return { document: Object.freeze(headers), api: Object.freeze(api) };
}
