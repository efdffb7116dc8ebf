import type { Cache } from './cache.ts';

/**
 * Values this machine read from the database recently, kept per owner (a user) and trusted only while the owner's
 * version in the shared cache is the one read before the value was loaded. Whoever changes an owner's data calls
 * `bumpVersion` AFTER the commit (a new random version): a request that starts after that reads the new version,
 * misses, and reads the database. So every machine sees a change on the next request, at the price of one cache
 * GET per request instead of the query. When the shared cache is unreachable (FallbackCache degraded) nothing is
 * kept or trusted. Entries also expire after `ttlMs`: a backstop, not the mechanism. docs/decisions/0004.
 */
export class VersionedCache<T> {
  private readonly entries = new Map<string, { version: string; value: T; loadedAt: number }>();

  constructor(
    private readonly cache: Cache,
    private readonly namespace: string,
    private readonly opts: { maxEntries: number; ttlMs: number; stillValid?: (value: T, now: number) => boolean },
  ) {}

  /** The owner's current version, or null when it cannot be trusted (then `get` misses and `set` keeps nothing). */
  async version(ownerId: string): Promise<string | null> {
    if (degraded(this.cache)) return null;
    const v = await this.cache.get(versionKey(this.namespace, ownerId)).catch(() => null);
    // A read that fell back to this machine's own memory cannot see other machines' changes.
    if (degraded(this.cache)) return null;
    return v ?? 'initial';
  }

  get(key: string, version: string | null, now = Date.now()): T | null {
    if (version === null) return null;
    const e = this.entries.get(key);
    if (!e) return null;
    if (e.version !== version || now - e.loadedAt > this.opts.ttlMs || (this.opts.stillValid && !this.opts.stillValid(e.value, now))) {
      this.entries.delete(key);
      return null;
    }
    return e.value;
  }

  /** Keeps `value`, which was loaded from the database AFTER `version` was read. */
  set(key: string, version: string | null, value: T): void {
    if (version === null) return;
    this.entries.delete(key);
    if (this.entries.size >= this.opts.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { version, value, loadedAt: Date.now() });
  }

  /**
   * Read-through: the cached value under the owner's current version, or `load()` (kept for the next request).
   * `known` is the owner's version when the caller already read it in this request (`readVersions`) before any
   * write of its own: one cache round trip for several namespaces.
   */
  async read(ownerId: string, key: string, load: () => Promise<T>, known?: string | null): Promise<T> {
    const version = known === undefined ? await this.version(ownerId) : known;
    const hit = this.get(key, version);
    if (hit !== null) return hit;
    const value = await load();
    this.set(key, version, value);
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The namespace of what a user's money is made of: balances, holds, positions (bumped by every ledger posting). */
export const MONEY = 'money';

/**
 * An owner's versions in several namespaces in one cache round trip (MGET), each as `VersionedCache.version` would
 * read it: null for all when the shared cache cannot be trusted.
 */
export async function readVersions(cache: Cache, ownerId: string, namespaces: readonly string[]): Promise<ReadonlyMap<string, string | null>> {
  const out = new Map<string, string | null>();
  let values: (string | null)[] | null = null;
  if (!degraded(cache)) values = await cache.getMany(namespaces.map((ns) => versionKey(ns, ownerId))).catch(() => null);
  const trusted = values !== null && !degraded(cache);
  for (const [i, ns] of namespaces.entries()) out.set(ns, trusted ? (values?.[i] ?? 'initial') : null);
  return out;
}

/** The versions a request read when it was authenticated, by the object that stands for it (its Principal). */
const requestVersions = new WeakMap<object, ReadonlyMap<string, string | null>>();

export function keepRequestVersions(holder: object, versions: ReadonlyMap<string, string | null>): void {
  requestVersions.set(holder, versions);
}

/**
 * The version of `namespace` read at the start of the request `holder` stands for, or undefined (then the reader
 * reads it itself). Only for reads that do not follow a write of the same request: a request that posted to the
 * ledger must read the version again (its own bump came after this one).
 */
export function requestVersion(holder: object, namespace: string): string | null | undefined {
  const v = requestVersions.get(holder);
  return v?.has(namespace) ? v.get(namespace) : undefined;
}

const DAY_MS = 86_400_000;
const versionKey = (namespace: string, ownerId: string) => `${namespace}:v:${ownerId}`;

function degraded(cache: Cache): boolean {
  return 'degraded' in cache && (cache as { degraded: boolean }).degraded;
}

/**
 * After the commit of a change to `ownerId`'s data in `namespace`: every machine's VersionedCache of that
 * namespace stops trusting what it holds for the owner. Random, not a counter: an expired key recreated later can
 * never match an old entry. Throws when the shared cache refuses the write (the caller decides what that means).
 */
export async function bumpVersion(cache: Cache, namespace: string, ownerId: string): Promise<void> {
  await cache.set(versionKey(namespace, ownerId), randomVersion(), DAY_MS);
}

function randomVersion(): string {
  return `${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 10)}`;
}
