import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Config } from '../config.ts';
import { originAllowed } from './cors-origins.ts';

/**
 * A page served by this server calls it from its own origin — whatever name the developer typed
 * (`http://127.0.0.1:8001` when APP_URL says localhost, a LAN address, a Fly `*.fly.dev` host). That origin is
 * always allowed, by Socket.IO's handshake check and by CORS alike.
 *
 * Same-origin means the Origin header equals the scheme and Host of this very request — never "Origin equals some
 * Host header": an attacker's page cannot make a victim's browser send our Host with its own Origin. In production
 * and staging the Host must also be one this server serves (APP_URL, PUBLIC_API_URL, PUBLIC_WS_URL, the Fly app's
 * `<app>.fly.dev`), so a rebinding name pointed at the machine gains nothing.
 */
export function servedHosts(config: Config): Set<string> {
  const hosts = new Set<string>();
  for (const u of [config.appUrl, config.publicApiUrl, config.publicWsUrl]) hosts.add(new URL(u).host.toLowerCase());
  if (config.fly.appName) hosts.add(`${config.fly.appName}.fly.dev`.toLowerCase());
  return hosts;
}

function first(v: string | string[] | undefined): string | undefined {
  return (Array.isArray(v) ? v[0] : v)?.split(',')[0]?.trim().toLowerCase() || undefined;
}

/** The request's own origin (`scheme://host[:port]`), or null without a Host header. */
export function requestOrigin(req: IncomingMessage, config: Pick<Config, 'trustProxy'>): string | null {
  const rawHost = first(req.headers.host);
  if (!rawHost || !/^[a-z0-9.\-[\]:]+$/.test(rawHost)) return null;
  const encrypted = Boolean((req.socket as TLSSocket | undefined)?.encrypted);
  // Behind a TLS-terminating proxy (Fly) the scheme is the proxy's word, believed only when a proxy is trusted.
  const forwarded = config.trustProxy !== false ? first(req.headers['x-forwarded-proto']) : undefined;
  const scheme = encrypted ? 'https' : forwarded === 'https' ? 'https' : 'http';
  const host = rawHost.replace(scheme === 'https' ? /:443$/ : /:80$/, '');
  return `${scheme}://${host}`;
}

export function isSameOrigin(origin: string, req: IncomingMessage, config: Config, served = servedHosts(config)): boolean {
  const own = requestOrigin(req, config);
  if (!own || origin.toLowerCase() !== own) return false;
  return !config.isProduction || served.has(new URL(own).host);
}

/** The one origin check for browsers: the page's own origin, or one the CORS rules allow. */
export function originAllowedFor(origin: string, req: IncomingMessage, config: Config, served?: Set<string>): boolean {
  return isSameOrigin(origin, req, config, served) || originAllowed(origin, config.cors.rules);
}
