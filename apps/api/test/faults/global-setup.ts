import type { TestProject } from 'vitest/node';
import { type PgCluster, type RedisServer, startPgCluster, startRedis } from './infra.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    faultPgPort: number;
    faultPgDir: string;
    faultRedisUrl: string;
  }
}

/** One throwaway PostgreSQL cluster and one Redis for the whole fault run; each file creates its own database. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let pg: PgCluster | null = null;
  let redis: RedisServer | null = null;
  try {
    pg = await startPgCluster();
    redis = await startRedis();
  } catch (err) {
    pg?.destroy();
    await redis?.kill();
    throw err;
  }
  // Interrupted runs (Ctrl-C, a CI timeout) must not leave a postgres or redis-server behind.
  const cleanup = (signal: NodeJS.Signals) => {
    pg?.destroy();
    redis?.child?.kill('SIGKILL');
    process.off('SIGINT', cleanup);
    process.off('SIGTERM', cleanup);
    process.kill(process.pid, signal); // then the default action: exit
  };
  process.once('SIGINT', cleanup);
  process.once('SIGTERM', cleanup);
  project.provide('faultPgPort', pg.port);
  project.provide('faultPgDir', pg.dir);
  project.provide('faultRedisUrl', redis.url);
  return async () => {
    process.off('SIGINT', cleanup);
    process.off('SIGTERM', cleanup);
    await redis?.kill();
    pg?.destroy();
  };
}
