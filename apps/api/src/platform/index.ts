import { hostname } from 'node:os';
import { pid } from 'node:process';
import type { IncomingMessage } from 'node:http';
import type { Redis, RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { type Cache, FallbackCache, MemoryCache, RedisCache, UpstashCache } from './cache.ts';
import { onUsersChanged } from './db/commits.ts';
import { bumpVersion, MONEY } from './versioned-cache.ts';
import { type ClientAddress, clientAddressResolver } from './client-address.ts';
import { clientCountryResolver } from './client-country.ts';
import { createDatabase, type Database } from './db/client.ts';
import { createDocumentStore, type DocumentStore } from './documents/index.ts';
import { EventBus } from './events.ts';
import { type Locks, MemoryLocks, RedisLocks } from './locks.ts';
import { createMailer, type PersonalizingMailer } from './mailer/mailer.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import type { PriceReader } from './prices.ts';
import { MemoryPubSub, type PubSub, RedisPubSub } from './pubsub.ts';
import { RateLimiter } from './ratelimit.ts';
import { RealtimeHub } from './realtime-port.ts';
import { databaseStartupError, redisReady } from './startup.ts';

export interface CheckResult {
  status: 'ok' | 'degraded' | 'down';
  latencyMs?: number;
  detail?: string;
  ageMs?: number | null;
  /** Database only: bundled migrations not applied. */
  pending?: string[];
}

/**
 * Everything a module needs from the outside world, built once per process by the composition root (compose.ts)
 * and never written to afterwards (`draining` aside, which shutdown sets). Services that modules build (the
 * authenticator, the price feed, the trading engine) are not here: the root builds them in order and hands each
 * registrar what it uses.
 */
export interface Platform {
  config: Config;
  log: Logger;
  database: Database;
  cache: Cache;
  pubsub: PubSub;
  locks: Locks;
  rateLimiter: RateLimiter;
  events: EventBus;
  /** The typed port to browsers (services: `toUser`, `broadcast`); the Socket.IO layer attaches to it. */
  realtime: RealtimeHub;
  metrics: Metrics;
  /**
   * Who is calling, by the configured path of proxies (TRUST_PROXY): the one resolver behind Fastify's request.ip,
   * the fast path, Socket.IO handshakes and the metrics check (platform/client-address.ts).
   */
  clientAddress(req: IncomingMessage): ClientAddress;
  /** The caller's country as the edge reported it, believed under the same trust (platform/client-country.ts); null if unknown. */
  clientCountry(req: IncomingMessage): string | null;
  /** The main Redis connection when REDIS_URL is set (Socket.IO adapter, etc.). */
  redis: Redis | null;
  /** Creates another Redis connection (subscribers need their own); `options` override the fail-fast defaults. */
  newRedisConnection(name: string, options?: RedisOptions): Redis | null;
  /**
   * SendGrid when SENDGRID_API_KEY is set, otherwise the development outbox (GET /api/dev/outbox), behind the
   * personalizers modules register (the anti-phishing code and freeze link: modules/security).
   */
  mailer: PersonalizingMailer;
  /** Stored files (KYC documents, attachments): checked, encrypted, private, deleted on schedule (platform/documents). */
  documents: DocumentStore;
  /**
   * The latest prices. The store is built first by the composition root and filled by the market module's feed
   * (modules/markets/feed.ts); everything else only reads it.
   */
  readonly prices: PriceReader;
  instanceId: string;
  startedAt: number;
  draining: boolean;
  /** Closers run in reverse order at shutdown (modules add theirs). */
  onClose(fn: () => Promise<void> | void): void;
  close(): Promise<void>;
}

export interface PlatformParts {
  /** The price store the market feed fills (built by the composition root before the platform). */
  prices: PriceReader;
  /** A database opened by the caller (tests); otherwise one is opened from the configuration. */
  database?: Database;
  /** Tests only: a cache shared by several app instances ("machines") without Redis; the caller closes it. */
  cache?: Cache;
}

/** The infrastructure half of the composition root (compose.ts): use `compose`, not this, to build an application. */
export async function createPlatform(config: Config, log: Logger, parts: PlatformParts): Promise<Platform> {
  const closers: (() => Promise<void> | void)[] = [];
  let database: Database;
  try {
    database = parts.database ?? (await createDatabase(config, log));
  } catch (err) {
    throw databaseStartupError(err, config.database);
  }
  closers.push(() => database.close());

  // ioredis is only loaded when a Redis is configured (start-up time in embedded mode).
  const { createRedisClient, UpstashRest } = config.redis.kind === 'memory' ? ({} as Partial<typeof import('./redis.ts')>) : await import('./redis.ts');
  let redis: Redis | null = null;
  const extraConnections: Redis[] = [];
  let cache: Cache;
  let pubsub: PubSub;
  let locks: Locks;
  const newRedisConnection = (name: string, options: RedisOptions = {}): Redis | null => {
    if (config.redis.kind !== 'redis' || !createRedisClient) return null;
    const c = createRedisClient(config.redis.url, name, log, options);
    extraConnections.push(c);
    return c;
  };
  const onCacheState = (degraded: boolean, err?: Error) =>
    degraded ? log.warn({ err: err?.message }, 'cache unreachable: using in-process fallback') : log.info('cache reachable again');

  if (config.redis.kind === 'redis' && createRedisClient) {
    // Commands issued in one turn of the event loop leave in one write (ioredis auto-pipelining): under load the
    // version reads of many requests, and an order batch's version bumps and realtime publishes, share a syscall.
    redis = createRedisClient(config.redis.url, 'main', log, { enableAutoPipelining: true });
    const subscriber = createRedisClient(config.redis.url, 'subscriber', log, { enableOfflineQueue: true, commandTimeout: undefined });
    extraConnections.push(subscriber);
    // Modules take locks and subscribe while they register: without Redis they would fail with ioredis's own words
    // ("Stream isn't writeable…"), which name neither Redis nor REDIS_URL. Later outages are handled in place.
    try {
      await redisReady(redis, config.redis.url);
    } catch (err) {
      for (const c of [redis, subscriber]) c.disconnect();
      await database.close();
      throw err;
    }
    cache = new FallbackCache(new RedisCache(redis), onCacheState);
    pubsub = new RedisPubSub(redis, subscriber);
    locks = new RedisLocks(redis);
  } else if (config.redis.kind === 'upstash-rest' && UpstashRest) {
    cache = new FallbackCache(new UpstashCache(new UpstashRest(config.redis.url, config.redis.token)), onCacheState);
    pubsub = new MemoryPubSub();
    locks = new MemoryLocks();
  } else {
    cache = parts.cache ? withoutClose(parts.cache) : new MemoryCache();
    pubsub = new MemoryPubSub();
    locks = new MemoryLocks();
  }
  closers.push(async () => {
    await pubsub.close();
    await cache.close();
    for (const c of [...extraConnections, ...(redis ? [redis] : [])]) c.disconnect();
  });

  // Money written through this database (every ledger posting announces its users): each user's `money` version
  // changes after the commit, so per-user reads cached on any machine (balances, portfolio) are read again.
  const stopMoneyVersions = onUsersChanged(database.db, async (userIds) => {
    await Promise.all(
      userIds.map((id) => bumpVersion(cache, MONEY, id).catch((err: unknown) => log.error({ err, userId: id }, 'could not publish a money change'))),
    );
  });
  closers.push(async () => stopMoneyVersions());

  const documents = await createDocumentStore(config, database.db);
  closers.push(() => documents.close());

  const events = new EventBus((event, err) => log.error({ err, event }, 'domain event handler failed'));
  closers.push(() => events.removeAll());

  const clientAddress = clientAddressResolver(config);
  const platform: Platform = {
    config,
    log,
    database,
    cache,
    pubsub,
    locks,
    rateLimiter: new RateLimiter(cache),
    events,
    realtime: new RealtimeHub((err) => log.error({ err }, 'realtime publish failed')),
    metrics: createMetrics(),
    clientAddress,
    clientCountry: clientCountryResolver(config, clientAddress),
    redis,
    newRedisConnection,
    mailer: createMailer(config, log),
    documents,
    prices: parts.prices,
    instanceId: config.fly.machineId ?? `${hostname()}-${pid}`,
    startedAt: Date.now(),
    draining: false,
    onClose(fn) {
      closers.push(fn);
    },
    async close() {
      for (const fn of closers.reverse()) {
        try {
          await fn();
        } catch (err) {
          log.warn({ err }, 'error while closing');
        }
      }
      closers.length = 0;
    },
  };
  return platform;
}

/** A shared cache given by a test: this platform uses it but does not close it. */
function withoutClose(cache: Cache): Cache {
  return {
    kind: cache.kind,
    get: (k) => cache.get(k),
    getMany: (ks) => cache.getMany(ks),
    set: (k, v, ttl) => cache.set(k, v, ttl),
    del: (k) => cache.del(k),
    incr: (k, w, by) => cache.incr(k, w, by),
    ping: () => cache.ping(),
    close: async () => undefined,
  };
}
