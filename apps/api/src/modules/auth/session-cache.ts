import type { Cache } from '../../platform/cache.ts';
import type { Platform } from '../../platform/index.ts';
import { bumpVersion, VersionedCache } from '../../platform/versioned-cache.ts';
import type { LiveSession } from './sessions.repo.ts';

/**
 * The live sessions this machine resolved recently, so that an authenticated request does not read the session and
 * user rows every time (docs/decisions/0004-per-user-read-caches.md): a VersionedCache keyed by session id under
 * the user's `auth` version. Every change to what a Principal is made of (a session revoked or stepped up, 2FA or
 * a passkey added or removed, a freeze, a suspension, the profile) ends with `authStateChanged` after its commit,
 * so a request that starts after it, on any machine, reads the database. An entry past its session's expiry is
 * reloaded (the session may have been extended by a refresh).
 */
export function createSessionCache(cache: Cache): VersionedCache<LiveSession> {
  return new VersionedCache<LiveSession>(cache, 'auth', {
    maxEntries: 20_000,
    ttlMs: 15_000,
    stillValid: (live, now) => live.session.expiresAt.getTime() > now,
  });
}

/**
 * Call after the commit of any change to a user's sessions, second factors, role, freeze, suspension or profile:
 * every machine's session cache stops trusting that user's entries, and the sockets of `endedSessionIds` are
 * disconnected on every machine (realtime/server.ts).
 */
export async function authStateChanged(platform: Pick<Platform, 'cache' | 'events' | 'log'>, userId: string, endedSessionIds: string[] = []): Promise<void> {
  try {
    await bumpVersion(platform.cache, 'auth', userId);
  } catch (err) {
    // Other machines find the cache failing too and read the database; their entries also end with the TTL.
    platform.log.error({ err, userId }, 'could not publish an auth state change to the shared cache');
  }
  if (endedSessionIds.length) platform.events.emit('session.revoked', { sessionIds: endedSessionIds });
}
