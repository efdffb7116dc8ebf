import { LeaderElection } from '../../platform/locks.ts';
import type { PaymentsDeps } from './payments.service.ts';
import { applyStatus } from './payments.service.ts';
import * as repo from './payments.repo.ts';
import { ProviderError } from './provider.ts';
import { parseIpn, processInbox } from './webhook.ts';

/** Callbacks quiet this long make us ask the provider ourselves. */
export const POLL_QUIET_MS = 5 * 60 * 1000;
/** A waiting deposit this long past the provider's expiry estimate is expired by us. */
export const EXPIRY_GRACE_MS = 30 * 60 * 1000;
const EVERY_MS = 60 * 1000;
/** Callbacks whose signature did not verify (kept truncated) are deleted after this long. */
export const UNSIGNED_RETENTION_MS = 7 * 24 * 3_600_000;

export interface MaintenanceReport {
  retried: number;
  polled: number;
  expired: number;
  /** Unsigned callbacks past their retention, deleted. */
  pruned: number;
}

/**
 * One pass: retry verified callbacks that were not processed, ask the provider about deposits whose callbacks are
 * late, expire deposits nobody paid, and delete unsigned callbacks past their retention. Every change goes through applyStatus (forward-only, credit once).
 */
export async function runPaymentMaintenance(
  d: PaymentsDeps,
  opts: { quietMs?: number; graceMs?: number; unsignedRetentionMs?: number } = {},
): Promise<MaintenanceReport> {
  const db = d.platform.database.db;
  const report: MaintenanceReport = { retried: 0, polled: 0, expired: 0, pruned: 0 };

  for (const row of await repo.pendingInbox(db, 60_000, 50)) {
    let update: ReturnType<typeof parseIpn> = null;
    try {
      update = parseIpn(JSON.parse(row.rawBody));
    } catch {
      update = null;
    }
    if (!update) {
      await repo.finishInbox(db, row.id, { outcome: 'invalid_body' });
      continue;
    }
    await processInbox(d, row.id, update).catch(() => undefined);
    report.retried++;
  }

  if (d.provider.name === 'nowpayments') {
    for (const dep of await repo.depositsToPoll(db, opts.quietMs ?? POLL_QUIET_MS, 50)) {
      await repo.updateDeposit(db, dep.id, { lastPolledAt: new Date() });
      try {
        const p = await d.provider.getPayment(dep.providerPaymentId);
        const r = await applyStatus(
          d,
          { paymentId: p.paymentId, status: p.status, actuallyPaid: p.actuallyPaid, payinHash: p.payinHash, payCurrency: p.payCurrency || null },
          'poll',
        );
        if (r.outcome === 'processed') report.polled++;
      } catch (err) {
        if (!(err instanceof ProviderError)) throw err;
        d.platform.log.warn({ err: err.message, depositId: dep.id }, 'payment status poll failed');
      }
    }
  }

  for (const dep of await repo.depositsToExpire(db, opts.graceMs ?? EXPIRY_GRACE_MS, 100)) {
    const r = await applyStatus(d, { paymentId: dep.providerPaymentId, status: 'expired' }, 'expiry');
    if (r.outcome === 'processed') report.expired++;
  }

  report.pruned = await repo.pruneUnsignedInbox(db, opts.unsignedRetentionMs ?? UNSIGNED_RETENTION_MS);
  return report;
}

/** Runs the maintenance on one machine only (leader), every minute. */
export function startPaymentMaintenance(d: PaymentsDeps): () => Promise<void> {
  const { platform } = d;
  let timer: NodeJS.Timeout | null = null;
  const loop = async () => {
    try {
      const r = await runPaymentMaintenance(d);
      if (r.retried + r.polled + r.expired + r.pruned > 0) platform.log.info(r, 'payment maintenance');
    } catch (err) {
      platform.log.error({ err }, 'payment maintenance failed');
    }
    if (leader.isLeader) {
      timer = setTimeout(() => void loop(), EVERY_MS);
      timer.unref();
    }
  };
  const leader = new LeaderElection(
    platform.locks,
    'payments:maintenance',
    30_000,
    {
      onElected: () => {
        timer = setTimeout(() => void loop(), 5_000);
        timer.unref();
      },
      onRevoked: () => {
        if (timer) clearTimeout(timer);
        timer = null;
      },
    },
    (err) => platform.log.warn({ err }, 'payment maintenance leader election'),
  );
  leader.start();
  return async () => {
    if (timer) clearTimeout(timer);
    await leader.stop();
  };
}
