import type { Cache } from './cache.ts';
import { AppError } from './errors.ts';

export interface RateRule {
  /** Bucket name, e.g. `login:ip`. */
  name: string;
  limit: number;
  windowMs: number;
}

export interface RateResult {
  allowed: boolean;
  remaining: number;
  retryAfterSeconds: number;
}

/**
 * The global per-client-address budget: every /api request (Fastify's hook and the fast path) and every Socket.IO
 * handshake counts against it, keyed by the one client-address resolver.
 */
export function apiIpRule(perMinute: number): RateRule {
  return { name: 'api:ip', limit: perMinute, windowMs: 60_000 };
}

/** One machine's view of a shared counter between two trips to the cache. */
interface Tally {
  /** When the shared window ends, as of the last trip. */
  windowEnd: number;
  /** The shared count the last trip returned (every machine's increments). */
  shared: number;
  /** Increments on their way to the cache. */
  sending: number;
  /** Increments not sent yet. */
  pending: number;
  lastSent: number;
  /** A trip has answered in this window: `shared` includes the other machines. */
  known: boolean;
  /** The trip in progress, if any. */
  trip: Promise<void> | null;
}

/** How often a coalesced counter sends its increments (and learns the other machines'). */
export const COALESCE_MS = 100;
const SWEEP_EVERY = 10_000;

/** Fixed-window counters on the cache (Redis when configured; per-process memory while Redis is down). */
export class RateLimiter {
  private readonly tallies = new Map<string, Tally>();
  private checksSinceSweep = 0;

  constructor(
    private readonly cache: Cache,
    private readonly now: () => number = Date.now,
  ) {}

  async check(rule: RateRule, subject: string): Promise<RateResult> {
    const { count, ttlMs } = await this.cache.incr(`rl:${rule.name}:${subject}`, rule.windowMs);
    return {
      allowed: count <= rule.limit,
      remaining: Math.max(0, rule.limit - count),
      retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1000)),
    };
  }

  /**
   * The same fixed-window limit for high-volume rules (the global per-IP API limit), without a cache round trip
   * per request: this machine counts locally and adds its increments to the shared counter in one call per key at
   * most every COALESCE_MS, learning the other machines' count from the reply. Requests wait for the window's first
   * trip here, so a subject already over the limit elsewhere is refused at once; after that a machine
   * can overshoot by what it receives within one interval before the next reply. Exact limits (sign-in, codes,
   * money) use `check`/`consume`.
   *
   * The verdict is synchronous once the window's first trip has answered (almost every request: no promise, no
   * turn of the microtask queue); a promise while that trip is on its way.
   */
  checkCoalesced(rule: RateRule, subject: string): RateResult | Promise<RateResult> {
    const key = `rl:${rule.name}:${subject}`;
    const now = this.now();
    if (++this.checksSinceSweep >= SWEEP_EVERY) this.sweep(now);
    let t = this.tallies.get(key);
    if (!t || (now >= t.windowEnd && !t.trip)) {
      t = { windowEnd: now + rule.windowMs, shared: 0, sending: 0, pending: 0, lastSent: now, known: false, trip: null };
      this.tallies.set(key, t);
    }
    t.pending++;
    const tally = t;
    if (!tally.known) return this.send(key, tally, rule.windowMs).then(() => this.decide(tally, rule));
    if (!tally.trip && now - tally.lastSent >= COALESCE_MS) void this.send(key, tally, rule.windowMs);
    return this.decide(tally, rule);
  }

  private decide(t: Tally, rule: RateRule): RateResult {
    const count = t.shared + t.sending + t.pending;
    const ttlMs = Math.max(0, t.windowEnd - this.now());
    return { allowed: count <= rule.limit, remaining: Math.max(0, rule.limit - count), retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1000)) };
  }

  private send(key: string, t: Tally, windowMs: number): Promise<void> {
    if (t.trip) return t.trip;
    const by = t.pending;
    t.pending = 0;
    t.sending = by;
    t.lastSent = this.now();
    t.trip = this.cache
      .incr(key, windowMs, by)
      .then(
        (r) => {
          t.shared = r.count;
          t.known = true;
          t.windowEnd = this.now() + r.ttlMs;
        },
        () => {
          // The cache already falls back to process memory; should it throw anyway, count these again next time.
          t.pending += by;
        },
      )
      .finally(() => {
        t.sending = 0;
        t.trip = null;
      });
    return t.trip;
  }

  /** Forgets tallies whose window is over (and idle), so one-off client addresses do not accumulate. */
  private sweep(now: number): void {
    this.checksSinceSweep = 0;
    for (const [key, t] of this.tallies) if (now >= t.windowEnd && !t.trip) this.tallies.delete(key);
  }

  /** Throws RATE_LIMITED (429 with Retry-After) when over the limit. */
  async consume(rule: RateRule, subject: string): Promise<void> {
    const r = await this.check(rule, subject);
    if (!r.allowed) {
      throw new AppError('RATE_LIMITED', 'Too many requests; slow down and retry later', { retryAfterSeconds: r.retryAfterSeconds }, r.retryAfterSeconds);
    }
  }
}
