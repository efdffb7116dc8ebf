import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Expiring mutual-exclusion locks (leader election for the price poller and the order engine). */
export interface Locks {
  acquire(key: string, ttlMs: number): Promise<string | null>;
  /** Extends the lock if `token` still holds it. */
  renew(key: string, token: string, ttlMs: number): Promise<boolean>;
  release(key: string, token: string): Promise<void>;
}

export class MemoryLocks implements Locks {
  private readonly held = new Map<string, { token: string; expiresAt: number }>();

  async acquire(key: string, ttlMs: number): Promise<string | null> {
    const cur = this.held.get(key);
    if (cur && cur.expiresAt > Date.now()) return null;
    const token = randomUUID();
    this.held.set(key, { token, expiresAt: Date.now() + ttlMs });
    return token;
  }

  async renew(key: string, token: string, ttlMs: number): Promise<boolean> {
    const cur = this.held.get(key);
    if (!cur || cur.token !== token || cur.expiresAt <= Date.now()) return false;
    cur.expiresAt = Date.now() + ttlMs;
    return true;
  }

  async release(key: string, token: string): Promise<void> {
    if (this.held.get(key)?.token === token) this.held.delete(key);
  }
}

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export class RedisLocks implements Locks {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'cv:lock:',
  ) {}

  async acquire(key: string, ttlMs: number): Promise<string | null> {
    const token = randomUUID();
    const ok = await this.redis.set(this.prefix + key, token, 'PX', ttlMs, 'NX');
    return ok === 'OK' ? token : null;
  }

  async renew(key: string, token: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(RENEW, 1, this.prefix + key, token, ttlMs)) === 1;
  }

  async release(key: string, token: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.prefix + key, token);
  }
}

/**
 * Keeps trying to hold `key`; while held, `onElected` has run and `onRevoked` runs when it is lost or on stop.
 * With a TTL of T the lock is renewed every T/3, so a dead leader is replaced within about T.
 */
export class LeaderElection {
  private token: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly locks: Locks,
    private readonly key: string,
    private readonly ttlMs: number,
    private readonly handlers: { onElected: () => void | Promise<void>; onRevoked: () => void | Promise<void> },
    private readonly onError?: (err: unknown) => void,
  ) {}

  get isLeader(): boolean {
    return this.token !== null;
  }

  start(): void {
    this.stopped = false;
    void this.tick();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), Math.max(50, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      if (this.token) {
        const still = await this.locks.renew(this.key, this.token, this.ttlMs);
        if (!still) await this.lose();
      } else {
        const token = await this.locks.acquire(this.key, this.ttlMs);
        if (token && !this.stopped) {
          this.token = token;
          await this.handlers.onElected();
        } else if (token) {
          await this.locks.release(this.key, token);
        }
      }
    } catch (err) {
      this.onError?.(err);
      // Cannot confirm the lock (store unreachable): step down rather than risk two leaders.
      if (this.token) await this.lose();
    }
    this.schedule();
  }

  private async lose(): Promise<void> {
    this.token = null;
    await this.handlers.onRevoked();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const token = this.token;
    if (token) {
      this.token = null;
      await this.handlers.onRevoked();
      await this.locks.release(this.key, token).catch(() => undefined);
    }
  }
}
