import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HistoryInterval } from '@cryptovault/contract';
import { findAsset } from '../../platform/assets.ts';
import { INTERVAL_MS } from './provider.ts';

/**
 * A local stand-in for CoinCap API v3 (tests only): `{ data, timestamp }` bodies with every number a decimal string,
 * Bearer authentication, and switchable failure modes.
 */
export type StandInMode = 'ok' | 'unauthorized' | 'rate_limited' | 'server_error' | 'hang' | 'malformed' | 'not_json';

export interface StandInRequest {
  at: number;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
}

export const STANDIN_KEY = 'test-coincap-key';

export function coincapAsset(id: string, symbol: string, priceUsd: string, rank = '1') {
  return {
    id,
    rank,
    symbol,
    name: id[0]!.toUpperCase() + id.slice(1),
    supply: '19700000.0000000000000000',
    maxSupply: '21000000.0000000000000000',
    marketCapUsd: '1283456789012.1234567890123456',
    volumeUsd24Hr: '12345678901.9876543210987654',
    priceUsd,
    changePercent24Hr: '-1.2345678901234567',
    vwap24Hr: '65012.3456789012345678',
    explorer: 'https://blockchain.info/',
  };
}

export class CoinCapStandIn {
  mode: StandInMode = 'ok';
  retryAfterSeconds = 1;
  requests: StandInRequest[] = [];
  prices: Record<string, string> = { bitcoin: '65123.123456789012345678', ethereum: '3456.000000000000000001' };
  /** The next history request of each asset here is answered with its failure instead (once), whatever `mode` is. */
  failHistoryOnce = new Map<string, 'rate_limited' | 'server_error'>();
  private server: Server | null = null;

  get baseUrl(): string {
    const addr = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${addr.port}/v3`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): ServerResponse {
    return res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(typeof body === 'string' ? body : JSON.stringify(body));
  }

  private handle(req: IncomingMessage, res: ServerResponse): ServerResponse | undefined {
    const url = new URL(req.url ?? '/', 'http://local');
    this.requests.push({ at: Date.now(), path: url.pathname, query: url.searchParams, authorization: req.headers.authorization });
    const history = /^\/v3\/assets\/([^/]+)\/history$/.exec(url.pathname);
    const once = history ? this.failHistoryOnce.get(history[1]!) : undefined;
    if (once) this.failHistoryOnce.delete(history![1]!);
    const mode = once ?? this.mode;
    if (req.headers.authorization !== `Bearer ${STANDIN_KEY}` || mode === 'unauthorized') {
      return this.send(res, 401, { error: 'Invalid API key' });
    }
    switch (mode) {
      case 'rate_limited':
        return this.send(res, 429, { error: 'Too many requests' }, { 'retry-after': String(this.retryAfterSeconds) });
      case 'server_error':
        return this.send(res, 500, { error: 'Internal error' });
      case 'hang':
        return; // never answers
      case 'not_json':
        return this.send(res, 200, '<html>maintenance</html>');
      case 'malformed':
        return this.send(res, 200, { data: [{ id: 'bitcoin', priceUsd: 65000.5 }], timestamp: Date.now() });
      default:
        break;
    }
    if (history) {
      const start = Number(url.searchParams.get('start'));
      const end = Number(url.searchParams.get('end'));
      const step = INTERVAL_MS[url.searchParams.get('interval') as HistoryInterval] ?? 3_600_000;
      const data = [];
      for (let t = Math.ceil(start / step) * step; t <= end; t += step) {
        data.push({ priceUsd: '65000.0000000000000001', time: t, date: new Date(t).toISOString() });
      }
      return this.send(res, 200, { data, timestamp: Date.now() });
    }
    if (url.pathname === '/v3/assets') {
      const ids = (url.searchParams.get('ids') ?? '').split(',');
      const data = Object.entries(this.prices)
        .filter(([id]) => ids.includes(id))
        .map(([id, p], i) => coincapAsset(id, findAsset(id)?.symbol ?? id.toUpperCase(), p, String(i + 1)));
      return this.send(res, 200, { data, timestamp: Date.now() });
    }
    return this.send(res, 404, { error: 'not found' });
  }
}
