import { memoryUsage, uptime, version as nodeVersion } from 'node:process';
import type { HealthResponse } from '@cryptovault/contract';
import { pendingMigrations, readMigrations } from '../../platform/db/migrate.ts';
import type { CheckResult, Platform } from '../../platform/index.ts';
import { type FlyInstances, listFlyInstances, localInstances, shortMachineId } from '../../platform/fly.ts';

async function timed(fn: () => Promise<number>, downStatus: CheckResult['status']): Promise<CheckResult> {
  try {
    const latencyMs = await fn();
    return { status: 'ok', latencyMs: Math.round(latencyMs * 10) / 10 };
  } catch (err) {
    return { status: downStatus, detail: (err as Error).message.slice(0, 120) };
  }
}

let bundled: string[] | null = null;
/** Platforms whose database had every bundled migration: applied migrations are never removed, so once is enough. */
const migrated = new WeakSet<Platform>();

/**
 * The database is ready when it answers within 1.5 s AND has applied every migration this release bundles: a
 * release running on an unmigrated database would fail on its first query of a new table or column.
 */
export async function databaseReadiness(platform: Platform): Promise<CheckResult> {
  const check = await timed(() => platform.database.ping(1500), 'down');
  if (check.status !== 'ok' || migrated.has(platform)) return check;
  try {
    bundled ??= readMigrations().map((m) => m.name);
    const pending = await pendingMigrations(platform.database, bundled);
    if (pending.length === 0) {
      migrated.add(platform);
      return check;
    }
    const list = pending.length > 3 ? `${pending.slice(0, 3).join(', ')} and ${pending.length - 3} more` : pending.join(', ');
    return { ...check, status: 'down', detail: `${pending.length} migration(s) not applied: ${list} (run npm run db:migrate)`, pending };
  } catch (err) {
    return { status: 'down', detail: `cannot read schema_migrations: ${(err as Error).message.slice(0, 100)}` };
  }
}

/** Liveness: answered by the process itself (no database, no cache), so an outage elsewhere never fails it. */
export function liveness(platform: Pick<Platform, 'draining'>): { httpStatus: 200 | 503; body: { status: 'ok' | 'draining' } } {
  return platform.draining ? { httpStatus: 503, body: { status: 'draining' } } : { httpStatus: 200, body: { status: 'ok' } };
}

/**
 * Readiness: 503 when the database is unreachable or unmigrated, or the process is draining; degraded otherwise if
 * a part is. Fly does not route on it (its routing check is /health/live); operators read it, and db_ready.
 */
export async function readiness(platform: Platform, priceHealth: () => CheckResult): Promise<{ httpStatus: number; body: HealthResponse }> {
  const [database, cache] = await Promise.all([databaseReadiness(platform), timed(() => platform.cache.ping(), 'degraded')]);
  const prices = priceHealth();
  let status: HealthResponse['status'] = 'ok';
  if (database.status === 'down') status = 'down';
  else if (platform.draining) status = 'draining';
  else if (cache.status !== 'ok' || prices.status !== 'ok') status = 'degraded';
  const httpStatus = status === 'down' || status === 'draining' ? 503 : 200;
  return { httpStatus, body: { status, version: platform.config.version, checks: { database, cache, prices } } };
}

export function region(platform: Pick<Platform, 'config' | 'instanceId'>) {
  const { fly } = platform.config;
  return {
    region: fly.region ?? 'local',
    machineId: shortMachineId(platform.config, platform.instanceId),
    primaryRegion: fly.primaryRegion ?? fly.region ?? 'local',
  };
}

export function flyHealth(platform: Platform) {
  const r = region(platform);
  return {
    status: platform.draining ? ('draining' as const) : ('ok' as const),
    machineId: r.machineId,
    region: r.region,
    uptimeSeconds: Math.round(uptime()),
    draining: platform.draining,
  };
}

export function flyStatus(platform: Platform) {
  const { fly, version } = platform.config;
  const mem = memoryUsage();
  const r = region(platform);
  return {
    app: fly.appName ?? 'cryptovault-api (local)',
    machineId: r.machineId,
    region: r.region,
    primaryRegion: r.primaryRegion,
    imageRef: fly.imageRef,
    privateIp: fly.privateIp,
    processGroup: fly.processGroup,
    version,
    nodeVersion,
    uptimeSeconds: Math.round(uptime()),
    memory: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, vmMemoryMb: fly.vmMemoryMb },
  };
}

/**
 * Machines of this app. When Fly's DNS does not answer (or the app runs outside Fly with FLY_APP_NAME set) the
 * answer degrades to this process alone, marked `local`, rather than failing the admin page.
 */
export async function flyInstances(platform: Pick<Platform, 'config' | 'instanceId' | 'log'>): Promise<FlyInstances> {
  try {
    return await listFlyInstances(platform.config, platform.instanceId);
  } catch (err) {
    platform.log.warn({ err: (err as Error).message, app: platform.config.fly.appName }, 'Fly internal DNS lookup failed; reporting this instance only');
    return localInstances(platform.config, platform.instanceId);
  }
}
