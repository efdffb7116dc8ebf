import { randomUUID } from 'node:crypto';
import type { Platform } from '../platform/index.ts';

const memo = new WeakMap<Platform, string>();

/**
 * The name that machines of one platform share in Redis (pub/sub channels, locks, the Socket.IO stream): the Fly
 * app name, so staging and production can share a Redis. Test apps without one each get their own, so test files
 * running side by side on one Redis do not see each other's prices, leaders or sockets.
 */
export function clusterNamespace(platform: Platform): string {
  let ns = memo.get(platform);
  if (!ns) {
    const { config } = platform;
    ns = config.fly.appName ?? (config.environment === 'test' ? `test-${randomUUID().slice(0, 8)}` : 'local');
    memo.set(platform, ns);
  }
  return ns;
}
