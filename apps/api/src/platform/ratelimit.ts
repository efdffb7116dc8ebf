import type { Cache } from './cache.ts';
import { AppError } from './errors.ts';

export interface RateRule {
  /** Bucket name, e.g. `login:ip`. */
  name: string;
  limit: number;
  windowMs: number;
}

/** Fixed-window counters on the cache (Redis when configured; per-process memory while Redis is down). */
export class RateLimiter {
  constructor(private readonly cache: Cache) {}

  async check(rule: RateRule, subject: string): Promise<{ allowed: boolean; remaining: number; retryAfterSeconds: number }> {
    const { count, ttlMs } = await this.cache.incr(`rl:${rule.name}:${subject}`, rule.windowMs);
    return {
      allowed: count <= rule.limit,
      remaining: Math.max(0, rule.limit - count),
      retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1000)),
    };
  }

  /** Throws RATE_LIMITED (429 with Retry-After) when over the limit. */
  async consume(rule: RateRule, subject: string): Promise<void> {
    const r = await this.check(rule, subject);
    if (!r.allowed) {
      throw new AppError('RATE_LIMITED', 'Too many requests; slow down and retry later', { retryAfterSeconds: r.retryAfterSeconds }, r.retryAfterSeconds);
    }
  }
}
