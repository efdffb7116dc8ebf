import type { IncomingMessage } from 'node:http';
import type { Config } from '../config.ts';
import { type ClientAddress, EDGE_SECRET_HEADER, secretMatches } from './client-address.ts';

/**
 * The caller's country (ISO 3166-1 alpha-2, upper case) as the edge reported it, or null when it is not known or
 * not believed. The header (GEO_COUNTRY_HEADER, Vercel's `x-vercel-ip-country` by default) is believed under exactly
 * the trust that decides client addresses (client-address.ts, TRUST_PROXY), because anyone can send it:
 *
 * - `vercel+fly`: only on a request carrying the edge secret that Vercel's rewrite adds (and that came through Fly's
 *   proxy, Fly-Client-IP): Vercel computes the header itself. A caller of the `*.fly.dev` host directly, without the
 *   secret, cannot choose its country.
 * - a hop count, `true` or proxy addresses/CIDRs: when the TCP peer is a trusted proxy (the address came from it),
 *   which must then overwrite the header (Cloudflare's `cf-ipcountry`, for instance).
 * - `fly` and `false`: never. Fly's proxy writes no country header (Fly-Region is the edge's region, not the
 *   caller's country) and passes a client's headers through; with nothing in front, the header is the client's.
 *
 * Unknown (null) is not blocked: see docs/operations.md#geo-restrictions.
 */
export function clientCountryResolver(
  config: Pick<Config, 'trustProxy' | 'edgeProxySecret' | 'geo'>,
  clientAddress: (req: IncomingMessage) => ClientAddress,
): (req: IncomingMessage) => string | null {
  const t = config.trustProxy;
  const header = config.geo.countryHeader;
  if (t === false || t === 'fly') return () => null;
  let trusted: (req: IncomingMessage) => boolean;
  if (t === 'vercel+fly') {
    const expected = Buffer.from(config.edgeProxySecret ?? '');
    trusted = (req) => expected.length > 0 && typeof req.headers['fly-client-ip'] === 'string' && secretMatches(req.headers[EDGE_SECRET_HEADER], expected);
  } else {
    trusted = (req) => clientAddress(req).from === 'proxy';
  }
  return (req) => {
    if (!trusted(req)) return null;
    const v = req.headers[header];
    if (typeof v !== 'string') return null;
    const code = v.trim().toUpperCase();
    // Vercel sends an empty value, and some providers XX / T1 (Tor), when they do not know: treated as unknown.
    return /^[A-Z]{2}$/.test(code) && code !== 'XX' ? code : null;
  };
}
