/**
 * Bounded request load over loopback HTTP: a few workers loop over a request list until stopped, a count cap or a
 * time cap, whichever comes first, and record every outcome with its time.
 */
import { randomUUID } from 'node:crypto';
import { sleep } from './infra.ts';

export interface Outcome {
  at: number;
  endedAt: number;
  what: string;
  status: number | null;
  error?: string;
  body?: string;
}

export interface LoadRun {
  outcomes: Outcome[];
  stop(): Promise<void>;
  /** Outcomes whose request started in [from, to). */
  between(from: number, to?: number): Outcome[];
}

export interface Req {
  what: string;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export async function request(baseUrl: string, r: Req, timeoutMs = 15_000): Promise<Outcome> {
  const at = Date.now();
  try {
    const res = await fetch(`${baseUrl}${r.path}`, {
      method: r.method ?? 'GET',
      headers: { ...(r.body !== undefined ? { 'content-type': 'application/json' } : {}), ...r.headers },
      body: r.body !== undefined ? JSON.stringify(r.body) : undefined,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await res.text();
    return { at, endedAt: Date.now(), what: r.what, status: res.status, body: res.status >= 400 ? body.slice(0, 300) : body.slice(0, 200_000) };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    return { at, endedAt: Date.now(), what: r.what, status: null, error: e.cause?.code ?? e.cause?.message ?? e.message };
  }
}

/** `workers` loops over `next()` until stop(), `maxRequests` or `maxMs`. */
export function runLoad(
  baseUrl: string,
  next: (i: number) => Req,
  opts: { workers?: number; maxRequests?: number; maxMs?: number; pauseMs?: number } = {},
): LoadRun {
  const outcomes: Outcome[] = [];
  const deadline = Date.now() + (opts.maxMs ?? 120_000);
  const max = opts.maxRequests ?? 100_000;
  let stopped = false;
  let i = 0;
  const worker = async () => {
    while (!stopped && Date.now() < deadline && i < max) {
      outcomes.push(await request(baseUrl, next(i++)));
      if (opts.pauseMs) await sleep(opts.pauseMs);
    }
  };
  const all = Promise.all(Array.from({ length: opts.workers ?? 4 }, worker));
  return {
    outcomes,
    async stop() {
      stopped = true;
      await all;
    },
    between: (from, to = Number.POSITIVE_INFINITY) => outcomes.filter((o) => o.at >= from && o.at < to),
  };
}

export interface OrderLedger {
  /** key → final answer (status and order id when accepted). */
  results: Map<string, { status: number; orderId?: string; attempts: number }>;
  attempts: Outcome[];
}

/**
 * Clients placing market orders the way a careful client does: one Idempotency-Key (also sent as clientOrderId)
 * per order, retried with the same key after a 5xx or a dropped connection until a definitive 2xx or 4xx answer.
 */
export function orderClients(
  baseUrl: () => string,
  tokens: string[],
  opts: { maxMs: number; maxOrders: number; body?: (i: number) => Record<string, unknown> },
): { ledger: OrderLedger; stop(): Promise<void> } {
  const ledger: OrderLedger = { results: new Map(), attempts: [] };
  const deadline = Date.now() + opts.maxMs;
  let stopped = false;
  let n = 0;
  const client = async (token: string) => {
    while (!stopped && Date.now() < deadline && n < opts.maxOrders) {
      const key = randomUUID();
      const i = n++;
      const body = { symbol: 'BTC/USD', side: i % 2 ? 'sell' : 'buy', type: 'market', amount: '0.001', ...opts.body?.(i), clientOrderId: key };
      // Retries continue after stop() (bounded): an order the client started must end with a definitive answer.
      for (let attempt = 1; attempt <= 200; attempt++) {
        const o = await request(baseUrl(), {
          what: 'order',
          method: 'POST',
          path: '/api/orders',
          headers: { authorization: `Bearer ${token}`, 'idempotency-key': key },
          body,
        });
        ledger.attempts.push(o);
        if (o.status !== null && o.status < 500) {
          let orderId: string | undefined;
          if (o.status < 300) orderId = (JSON.parse(o.body ?? '{}') as { id?: string }).id;
          ledger.results.set(key, { status: o.status, orderId, attempts: attempt });
          break;
        }
        await sleep(250);
      }
    }
  };
  const all = Promise.all(tokens.map(client));
  return {
    ledger,
    async stop() {
      stopped = true;
      await all;
    },
  };
}

export function countBy<T>(items: T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of items) out[key(t)] = (out[key(t)] ?? 0) + 1;
  return out;
}
