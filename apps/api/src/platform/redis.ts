import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

/**
 * A Redis connection that fails fast while Redis is away (no offline queue, bounded command time), so callers can
 * fall back to local behaviour instead of hanging. It reconnects by itself.
 */
export function createRedisClient(url: string, name: string, log?: Logger, extra: RedisOptions = {}): Redis {
  const client = new Redis(url, {
    connectionName: `cryptovault:${name}`,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1_000,
    connectTimeout: 3_000,
    retryStrategy: (attempt) => Math.min(200 * attempt, 2_000),
    lazyConnect: false,
    ...extra,
  });
  let wasDown = false;
  client.on('error', (err: Error) => {
    if (!wasDown) log?.warn({ err: err.message, connection: name }, 'redis connection error');
    wasDown = true;
  });
  client.on('ready', () => {
    if (wasDown) log?.info({ connection: name }, 'redis connection restored');
    wasDown = false;
  });
  return client;
}

/** Minimal Upstash REST client: POST a JSON command array with a Bearer token. Cache and rate limits only. */
export class UpstashRest {
  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly timeoutMs = 1_000,
  ) {}

  async command<T = unknown>(args: (string | number)[]): Promise<T> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(args.map(String)),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const body = (await res.json().catch(() => ({}))) as { result?: T; error?: string };
    if (!res.ok || body.error) throw new Error(`upstash ${args[0]}: ${body.error ?? res.status}`);
    return body.result as T;
  }
}
