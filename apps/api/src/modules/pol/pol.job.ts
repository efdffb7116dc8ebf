import { AppError } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import { LeaderElection } from '../../platform/locks.ts';
import { latestRoot, takeSnapshot } from './pol.service.ts';

/**
 * Takes a proof-of-liabilities snapshot every PROOF_SNAPSHOT_INTERVAL_MINUTES on one machine at a time (the leader
 * of `pol:snapshot`). After a restart it waits only for what is left of the interval since the last published root.
 */
export function startSnapshotJob(platform: Platform, everyMs: number, opts: { firstRunMs?: number; snapshot?: typeof takeSnapshot } = {}): () => Promise<void> {
  const snapshot = opts.snapshot ?? takeSnapshot;
  let timer: NodeJS.Timeout | null = null;
  const schedule = (ms: number) => {
    timer = setTimeout(() => void run(), ms);
    timer.unref();
  };
  const run = async () => {
    try {
      const last = await latestRoot(platform.database.db);
      const due = last ? Date.parse(last.createdAt) + everyMs - Date.now() : 0;
      if (due > 0) {
        if (leader.isLeader) schedule(Math.max(due, 1_000));
        return;
      }
      const r = await snapshot(platform, { trigger: 'schedule', requestedBy: null });
      platform.log.info({ seq: r.seq, leafCount: r.leafCount, rootHash: r.rootHash }, 'proof of liabilities published');
    } catch (err) {
      if (err instanceof AppError && err.code === 'CONFLICT') platform.log.info('proof of liabilities: a snapshot is already being built');
      else platform.log.error({ err }, 'proof of liabilities snapshot failed');
    }
    if (leader.isLeader) schedule(Math.min(everyMs, 15 * 60_000));
  };
  const leader = new LeaderElection(
    platform.locks,
    'pol:snapshot',
    30_000,
    {
      onElected: () => schedule(opts.firstRunMs ?? 10_000),
      onRevoked: () => {
        if (timer) clearTimeout(timer);
        timer = null;
      },
    },
    (err) => platform.log.warn({ err }, 'proof of liabilities leader election'),
  );
  leader.start();
  return async () => {
    if (timer) clearTimeout(timer);
    await leader.stop();
  };
}
