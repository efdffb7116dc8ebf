import type { Redis } from 'ioredis';
import type { UpstashRest } from './redis.ts';

/** Key/value cache with expiry, plus a windowed counter for rate limits. */
export interface Cache {
  readonly kind: 'memory' | 'redis' | 'upstash-rest';
  get(key: string): Promise<string | null>;
  /** Several keys in one round trip (MGET), in the order asked. */
  getMany(keys: readonly string[]): Promise<(string | null)[]>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  del(key: string): Promise<void>;
  /** Adds `by` (default 1) to a counter that expires `windowMs` after its first increment. */
  incr(key: string, windowMs: number, by?: number): Promise<{ count: number; ttlMs: number }>;
  ping(): Promise<number>;
  close(): Promise<void>;
}

export class MemoryCache implements Cache {
  readonly kind = 'memory' as const;
  private readonly map = new Map<string, { value: string; expiresAt: number }>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly maxEntries = 100_000) {
    this.sweeper = setInterval(() => this.sweep(), 30_000);
    this.sweeper.unref();
  }

  private live(key: string): { value: string; expiresAt: number } | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= Date.now()) {
      this.map.delete(key);
      return undefined;
    }
    return e;
  }

  async get(key: string): Promise<string | null> {
    return this.live(key)?.value ?? null;
  }

  async getMany(keys: readonly string[]): Promise<(string | null)[]> {
    return keys.map((k) => this.live(k)?.value ?? null);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    if (this.map.size >= this.maxEntries) this.sweep();
    if (this.map.size >= this.maxEntries) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
    this.map.set(key, { value, expiresAt: Date.now() + ttlMs });
  }

  async del(key: string): Promise<void> {
    this.map.delete(key);
  }

  async incr(key: string, windowMs: number, by = 1): Promise<{ count: number; ttlMs: number }> {
    const now = Date.now();
    const e = this.live(key);
    if (!e) {
      this.map.set(key, { value: String(by), expiresAt: now + windowMs });
      return { count: by, ttlMs: windowMs };
    }
    const count = Number(e.value) + by;
    e.value = String(count);
    return { count, ttlMs: e.expiresAt - now };
  }

  async ping(): Promise<number> {
    return 0;
  }

  sweep(): void {
    const now = Date.now();
    for (const [k, v] of this.map) if (v.expiresAt <= now) this.map.delete(k);
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.map.clear();
  }
}

const INCR_SCRIPT = `local c = redis.call('INCRBY', KEYS[1], ARGV[2])
if c == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local t = redis.call('PTTL', KEYS[1])
if t < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); t = tonumber(ARGV[1]) end
return {c, t}`;

export class RedisCache implements Cache {
  readonly kind = 'redis' as const;
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'cv:',
  ) {}

  async get(key: string): Promise<string | null> {
    return this.redis.get(this.prefix + key);
  }

  async getMany(keys: readonly string[]): Promise<(string | null)[]> {
    return keys.length ? this.redis.mget(keys.map((k) => this.prefix + k)) : [];
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.prefix + key, value, 'PX', Math.max(1, Math.round(ttlMs)));
  }

  async del(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  async incr(key: string, windowMs: number, by = 1): Promise<{ count: number; ttlMs: number }> {
    const [count, ttl] = (await this.redis.eval(INCR_SCRIPT, 1, this.prefix + key, Math.round(windowMs), by)) as [number, number];
    return { count, ttlMs: ttl };
  }

  async ping(): Promise<number> {
    const t0 = performance.now();
    await this.redis.ping();
    return performance.now() - t0;
  }

  async close(): Promise<void> {
    // The connection is owned by the platform, which closes it.
  }
}

export class UpstashCache implements Cache {
  readonly kind = 'upstash-rest' as const;
  constructor(
    private readonly rest: UpstashRest,
    private readonly prefix = 'cv:',
  ) {}

  get(key: string): Promise<string | null> {
    return this.rest.command<string | null>(['GET', this.prefix + key]);
  }

  async getMany(keys: readonly string[]): Promise<(string | null)[]> {
    return keys.length ? this.rest.command<(string | null)[]>(['MGET', ...keys.map((k) => this.prefix + k)]) : [];
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.rest.command(['SET', this.prefix + key, value, 'PX', Math.max(1, Math.round(ttlMs))]);
  }

  async del(key: string): Promise<void> {
    await this.rest.command(['DEL', this.prefix + key]);
  }

  async incr(key: string, windowMs: number, by = 1): Promise<{ count: number; ttlMs: number }> {
    const [count, ttl] = await this.rest.command<[number, number]>(['EVAL', INCR_SCRIPT, 1, this.prefix + key, Math.round(windowMs), by]);
    return { count, ttlMs: ttl };
  }

  async ping(): Promise<number> {
    const t0 = performance.now();
    await this.rest.command(['PING']);
    return performance.now() - t0;
  }

  async close(): Promise<void> {}
}

/**
 * Wraps a remote cache: while it fails, reads miss, writes are dropped and counters are kept in process memory,
 * so rate limits stay in force (per machine) instead of failing open. `degraded` is what /health reports.
 */
export class FallbackCache implements Cache {
  private readonly local = new MemoryCache();
  private failingSince: number | null = null;

  constructor(
    private readonly remote: Cache,
    private readonly onStateChange?: (degraded: boolean, err?: Error) => void,
  ) {}

  get kind(): Cache['kind'] {
    return this.remote.kind;
  }

  get degraded(): boolean {
    return this.failingSince !== null;
  }

  private ok(): void {
    if (this.failingSince !== null) {
      this.failingSince = null;
      this.onStateChange?.(false);
    }
  }

  private fail(err: unknown): void {
    if (this.failingSince === null) {
      this.failingSince = Date.now();
      this.onStateChange?.(true, err as Error);
    }
  }

  async get(key: string): Promise<string | null> {
    try {
      const v = await this.remote.get(key);
      this.ok();
      return v;
    } catch (err) {
      this.fail(err);
      return this.local.get(key);
    }
  }

  async getMany(keys: readonly string[]): Promise<(string | null)[]> {
    try {
      const v = await this.remote.getMany(keys);
      this.ok();
      return v;
    } catch (err) {
      this.fail(err);
      return this.local.getMany(keys);
    }
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    try {
      await this.remote.set(key, value, ttlMs);
      this.ok();
    } catch (err) {
      this.fail(err);
      await this.local.set(key, value, ttlMs);
    }
  }

  async del(key: string): Promise<void> {
    await this.local.del(key);
    try {
      await this.remote.del(key);
      this.ok();
    } catch (err) {
      this.fail(err);
    }
  }

  async incr(key: string, windowMs: number, by = 1): Promise<{ count: number; ttlMs: number }> {
    try {
      const r = await this.remote.incr(key, windowMs, by);
      this.ok();
      return r;
    } catch (err) {
      this.fail(err);
      return this.local.incr(key, windowMs, by);
    }
  }

  async ping(): Promise<number> {
    try {
      const ms = await this.remote.ping();
      this.ok();
      return ms;
    } catch (err) {
      this.fail(err);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.local.close();
    await this.remote.close();
  }
}
