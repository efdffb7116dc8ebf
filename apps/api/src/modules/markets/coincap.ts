import type { HistoryInterval, HistoryPoint } from '@cryptovault/contract';
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { ASSETS } from '../../platform/assets.ts';
import { type MarketProvider, type MarketSnapshot, ProviderError, type WireAsset } from './provider.ts';

/** CoinCap sends every number as a decimal string; some as null when unknown. Exponents are normalised away. */
const NUMBER_RE = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;
const num = z
  .string()
  .regex(NUMBER_RE)
  .transform((v) => new Decimal(v).toFixed());
const numOrNull = num
  .nullable()
  .optional()
  .transform((v) => v ?? null);

const coincapAsset = z.object({
  id: z.string().min(1),
  rank: z.string().regex(/^\d+$/),
  symbol: z.string(),
  name: z.string(),
  supply: numOrNull,
  maxSupply: numOrNull,
  marketCapUsd: numOrNull,
  volumeUsd24Hr: numOrNull,
  priceUsd: num,
  changePercent24Hr: numOrNull,
  vwap24Hr: numOrNull,
  explorer: z.string().nullable().optional(),
});
export type CoinCapAsset = z.output<typeof coincapAsset>;

const envelope = <T extends z.ZodType>(data: T) => z.object({ data, timestamp: z.number().optional() });
const assetsBody = envelope(z.array(coincapAsset));
const assetBody = envelope(coincapAsset);
const historyBody = envelope(z.array(z.object({ priceUsd: num, time: z.union([z.number(), z.string().regex(/^\d+$/)]), date: z.string().optional() })));

export interface CoinCapOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs?: number;
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** CoinCap API v3 over HTTPS (https://rest.coincap.io/v3): `Authorization: Bearer <key>`, `{ data, timestamp }`. */
export class CoinCapClient {
  private readonly timeoutMs: number;

  constructor(private readonly opts: CoinCapOptions) {
    this.timeoutMs = opts.timeoutMs ?? 5_000;
  }

  private async get<T extends z.ZodType>(path: string, schema: T): Promise<z.output<T>> {
    let res: Response;
    try {
      res = await fetch(`${this.opts.baseUrl}${path}`, {
        headers: { authorization: `Bearer ${this.opts.apiKey}`, accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') throw new ProviderError('timeout', `CoinCap did not answer within ${this.timeoutMs} ms`);
      throw new ProviderError('network', `CoinCap unreachable: ${(err as Error).message}`);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      if (res.status === 401 || res.status === 403) throw new ProviderError('unauthorized', `CoinCap refused the API key (${res.status})`);
      if (res.status === 429) throw new ProviderError('rate_limited', 'CoinCap rate limit reached', retryAfterMs(res.headers.get('retry-after')));
      if (res.status === 404) throw new ProviderError('not_found', `CoinCap has no ${path}`);
      throw new ProviderError('server', `CoinCap answered ${res.status}`);
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') throw new ProviderError('timeout', `CoinCap body not complete within ${this.timeoutMs} ms`);
      throw new ProviderError('malformed', 'CoinCap answered with a body that is not JSON');
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new ProviderError('malformed', `CoinCap answered an unexpected shape: ${parsed.error.issues[0]?.message ?? ''}`);
    return parsed.data;
  }

  assets(ids: readonly string[]) {
    const q = new URLSearchParams({ ids: ids.join(','), limit: String(ids.length) });
    return this.get(`/assets?${q}`, assetsBody);
  }

  asset(slug: string) {
    return this.get(`/assets/${encodeURIComponent(slug)}`, assetBody);
  }

  history(slug: string, interval: HistoryInterval, start: number, end: number) {
    const q = new URLSearchParams({ interval, start: String(start), end: String(end) });
    return this.get(`/assets/${encodeURIComponent(slug)}/history?${q}`, historyBody);
  }
}

function toWire(a: CoinCapAsset): WireAsset {
  return {
    id: a.id,
    symbol: a.symbol,
    name: a.name,
    rank: Number.parseInt(a.rank, 10),
    priceUsd: a.priceUsd,
    changePercent24Hr: a.changePercent24Hr,
    marketCapUsd: a.marketCapUsd,
    volumeUsd24Hr: a.volumeUsd24Hr,
    supply: a.supply,
    maxSupply: a.maxSupply,
    vwap24Hr: a.vwap24Hr,
  };
}

/** All listed assets in one call (`/assets?ids=…`): one credit per poll, whatever the number of assets. */
export class CoinCapProvider implements MarketProvider {
  readonly source = 'coincap' as const;
  private readonly ids = ASSETS.map((a) => a.id);

  constructor(readonly client: CoinCapClient) {}

  async snapshot(now: number): Promise<MarketSnapshot> {
    const body = await this.client.assets(this.ids);
    const listed = new Set(this.ids);
    const assets = body.data.filter((a) => listed.has(a.id)).map(toWire);
    if (assets.length === 0) throw new ProviderError('malformed', 'CoinCap answered without any listed asset');
    // Their timestamp says how fresh the data is; never trust one from the future.
    const ts = body.timestamp && body.timestamp <= now ? body.timestamp : now;
    return { ts, assets };
  }

  async history(assetId: string, interval: HistoryInterval, startMs: number, endMs: number): Promise<HistoryPoint[]> {
    const body = await this.client.history(assetId, interval, startMs, endMs);
    return body.data.map((p) => {
      const time = typeof p.time === 'number' ? p.time : Number.parseInt(p.time, 10);
      return { time, priceUsd: p.priceUsd, date: p.date ?? new Date(time).toISOString() };
    });
  }

  historyVersion(): string {
    return 'coincap';
  }
}
