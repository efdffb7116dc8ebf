import type { Config } from '../config.ts';
import { RedisCache } from '../platform/cache.ts';
import { bumpVersion } from '../platform/versioned-cache.ts';

/**
 * A command that changed accounts in the database (admin:create, keys:forget-2fa) tells the running machines, as
 * the services do after their commits (modules/auth/session-cache.ts): with Redis configured, each user's `auth`
 * version changes, so no machine keeps serving a session it cached before. Embedded, there is no running machine
 * to tell (the data directory's lock refuses these commands while a server holds it).
 */
export async function publishAuthChanges(config: Config, userIds: readonly string[]): Promise<void> {
  if (config.redis.kind !== 'redis' || userIds.length === 0) return;
  const { createRedisClient } = await import('../platform/redis.ts');
  const redis = createRedisClient(config.redis.url, 'cli', undefined, { enableOfflineQueue: true });
  try {
    const cache = new RedisCache(redis);
    for (const id of userIds) await bumpVersion(cache, 'auth', id);
  } finally {
    redis.disconnect();
  }
}
