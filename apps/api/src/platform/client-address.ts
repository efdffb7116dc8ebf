import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import proxyAddr from '@fastify/proxy-addr';
import type { TrustProxy } from '../config.ts';

/** The header Vercel's rewrite adds (apps/web/scripts/vercel-config.mjs) to prove a request came through it. */
export const EDGE_SECRET_HEADER = 'x-cryptovault-edge-secret';

export interface ClientAddressOptions {
  trustProxy: TrustProxy;
  /** EDGE_PROXY_SECRET: what the Vercel rewrite sends in EDGE_SECRET_HEADER (vercel+fly only). */
  edgeProxySecret: string | null;
}

export interface ClientAddress {
  ip: string;
  /** Where the address came from: the TCP peer itself, or a header a trusted proxy wrote. */
  from: 'socket' | 'proxy';
  /**
   * The request carried a header by which proxies say who the caller is (Fly-Client-IP, X-Forwarded-For, the edge
   * secret), trusted or not: it may have been relayed by a public proxy, whatever the TCP peer's address.
   */
  relayed: boolean;
}

type Trust = (addr: string, hop: number) => boolean;

const resolved = new WeakMap<IncomingMessage, ClientAddress>();

type Found = Omit<ClientAddress, 'relayed'>;

function socketAddress(req: IncomingMessage): Found {
  return { ip: req.socket.remoteAddress ?? '', from: 'socket' };
}

/** A single header value that is one IP address, or null (absent, repeated, a list, or not an address). */
function singleIp(value: string | string[] | undefined): string | null {
  if (typeof value !== 'string') return null;
  const v = value.trim();
  return isIP(v) ? v : null;
}

function forwardedFor(req: IncomingMessage): string[] {
  const raw = req.headers['x-forwarded-for'];
  const joined = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  return joined
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The edge secret header equals `expected` (constant time). Also used by the country resolver (client-country.ts). */
export function secretMatches(given: string | string[] | undefined, expected: Buffer): boolean {
  if (typeof given !== 'string') return false;
  const g = Buffer.from(given);
  return g.length === expected.length && timingSafeEqual(g, expected);
}

/**
 * Decides, once per request, which address a caller is: the key of every per-IP limit, the address sessions record,
 * and what the metrics check looks at. The setting names the path requests take to us (TRUST_PROXY):
 *
 * - `false`: nothing in front; the TCP peer.
 * - `fly`: Fly's proxy in front. `Fly-Client-IP` is the peer Fly's edge accepted the connection from, written by Fly
 *   (whatever the client sent is replaced). A request without it came over Fly's private network: the TCP peer.
 * - `vercel+fly`: Vercel's rewrite, then Fly's proxy. Only a request carrying the edge secret that the Vercel rewrite
 *   adds came through Vercel; for it the client is the address Vercel wrote: Vercel overwrites X-Forwarded-For with
 *   the client's address (it does not forward one a client sent), and Fly appends the peer it saw, Vercel's egress
 *   (= Fly-Client-IP), after it. Any other request reached `*.fly.dev` directly and is keyed on the address Fly saw,
 *   never on a header its sender chose.
 * - a hop count, `true` or proxy addresses/CIDRs: X-Forwarded-For as far as those proxies are trusted (proxy-addr).
 */
export function clientAddressResolver(opts: ClientAddressOptions): (req: IncomingMessage) => ClientAddress {
  const t = opts.trustProxy;
  let compute: (req: IncomingMessage) => Found;
  if (t === false) {
    compute = socketAddress;
  } else if (t === 'fly') {
    compute = (req) => {
      const fly = singleIp(req.headers['fly-client-ip']);
      return fly ? { ip: fly, from: 'proxy' } : socketAddress(req);
    };
  } else if (t === 'vercel+fly') {
    if (!opts.edgeProxySecret) throw new Error('TRUST_PROXY=vercel+fly needs EDGE_PROXY_SECRET');
    const expected = Buffer.from(opts.edgeProxySecret);
    compute = (req) => {
      const fly = singleIp(req.headers['fly-client-ip']);
      if (!fly) return socketAddress(req);
      if (!secretMatches(req.headers[EDGE_SECRET_HEADER], expected)) return { ip: fly, from: 'proxy' };
      const list = forwardedFor(req);
      const at = list.lastIndexOf(fly);
      // Just before Vercel's egress hop; should Fly not list that hop, Vercel's own (overwritten) entry comes first.
      const vercelSet = at > 0 ? list[at - 1] : at === -1 ? list[0] : undefined;
      return vercelSet && isIP(vercelSet) ? { ip: vercelSet, from: 'proxy' } : { ip: fly, from: 'proxy' };
    };
  } else {
    const trust: Trust = typeof t === 'number' ? (_addr, hop) => hop < t : t === true ? () => true : proxyAddr.compile(t);
    compute = (req) => {
      const all = proxyAddr.all(req, trust);
      const ip = all[all.length - 1] ?? '';
      return all.length > 1 ? { ip, from: 'proxy' } : { ip, from: 'socket' };
    };
  }
  return (req) => {
    let r = resolved.get(req);
    if (!r) {
      r = { ...compute(req), relayed: relayed(req) };
      resolved.set(req, r);
    }
    return r;
  };
}

/**
 * Makes Fastify's `request.ip` the resolver's answer: Fastify derives it from X-Forwarded-For under its trustProxy
 * function, so the decided address is written there as the only entry (or the header removed when the TCP peer is
 * the client) and Fastify trusts exactly one hop (`PINNED_TRUST`). Runs before Fastify sees the request (the HTTP
 * server's handler) and again, as a no-op, in the first onRequest hook for injected requests.
 */
export function pinClientAddress(req: IncomingMessage, resolve: (req: IncomingMessage) => ClientAddress): void {
  if (pinned.has(req)) return;
  const r = resolve(req);
  pinned.add(req);
  if (r.from === 'socket') delete req.headers['x-forwarded-for'];
  else req.headers['x-forwarded-for'] = r.ip;
}

const pinned = new WeakSet<IncomingMessage>();

/** Fastify's trustProxy once the address is pinned: the one X-Forwarded-For entry, written by the resolver. */
export const PINNED_TRUST: Trust = (_addr, hop) => hop === 0;

function relayed(req: IncomingMessage): boolean {
  return req.headers['fly-client-ip'] !== undefined || req.headers[EDGE_SECRET_HEADER] !== undefined || forwardedFor(req).length > 0;
}
