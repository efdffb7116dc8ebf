import type { Platform, CheckResult } from '../../platform/index.ts';
import { LeaderElection } from '../../platform/locks.ts';
import { contactOf, findUserById } from '../auth/index.ts';
import { D, reconcile } from '../ledger/index.ts';
import {
  depositButtons,
  depositReviewAlert,
  driftAlert,
  driftResolved,
  type InlineKeyboard,
  kycAlert,
  maskEmail,
  shortId,
  staleAlert,
  staleResolved,
  withdrawalAlert,
  withdrawalButtons,
} from './telegram.format.ts';
import { operatorProblem } from './telegram.link.ts';
import * as repo from './telegram.repo.ts';

export interface Alert {
  kind: string;
  /** Queued once per chat: the same event delivered twice alerts once. */
  dedupeKey: string;
  body: string;
  buttons?: InlineKeyboard;
}

/**
 * Who receives alerts: the ops chat (TELEGRAM_OPS_CHAT_ID) and every linked account that is still an operator (one
 * suspended, frozen or no longer an administrator since it linked gets nothing).
 */
async function recipients(platform: Platform): Promise<number[]> {
  const db = platform.database.db;
  const chats = new Set<number>();
  for (const l of await repo.linkedChats(db)) if (operatorProblem(await findUserById(db, l.userId)) === null) chats.add(l.chatId);
  const ops = platform.config.telegram?.opsChatId;
  if (ops != null) chats.add(ops);
  return [...chats];
}

/** Queues an alert for every recipient (the dispatcher sends it); returns how many rows were queued. */
export async function enqueueAlert(platform: Platform, a: Alert): Promise<number> {
  const chats = await recipients(platform);
  return repo.enqueue(
    platform.database.db,
    chats.map((chatId) => ({ chatId, kind: a.kind, dedupeKey: a.dedupeKey, body: a.body, replyMarkup: a.buttons ?? null })),
  );
}

async function who(platform: Platform, userId: string): Promise<string> {
  const c = await contactOf(platform.database.db, userId);
  return `${c ? maskEmail(c.email) : 'unknown'} (${shortId(userId)})`;
}

/**
 * Turns domain events into queued alerts. Runs after the event's own commit, in the background of the request that
 * emitted it: a failure here is logged and changes nothing the customer sees.
 */
export function subscribeAlerts(platform: Platform, queued: () => void): () => void {
  const cfg = platform.config.telegram!;
  const offs = [
    platform.events.on('withdrawal.requested', async (e) => {
      if (new D(e.amountUsd).lt(cfg.alertWithdrawalUsd)) return;
      const body = withdrawalAlert(e, await who(platform, e.userId));
      if (
        await enqueueAlert(platform, { kind: 'withdrawal.large', dedupeKey: `withdrawal:${e.withdrawalId}`, body, buttons: withdrawalButtons(e.withdrawalId) })
      )
        queued();
    }),
    platform.events.on('deposit.review', async (e) => {
      const body = depositReviewAlert(e, await who(platform, e.userId));
      if (await enqueueAlert(platform, { kind: 'deposit.review', dedupeKey: `deposit-review:${e.depositId}`, body, buttons: depositButtons(e.depositId) }))
        queued();
    }),
    platform.events.on('kyc.submitted', async (e) => {
      const body = kycAlert(e, await who(platform, e.userId));
      if (await enqueueAlert(platform, { kind: 'kyc.submitted', dedupeKey: `kyc:${e.submissionId}`, body })) queued();
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}

const RECONCILE_EVERY_MS = 5 * 60_000;
const STATE_TTL_MS = 30 * 86_400_000;

/**
 * Watches what no single request sees: price staleness and reconciliation drift. One machine (the elected one)
 * checks every TELEGRAM_MONITOR_INTERVAL_SECONDS (reconciliation at most every five minutes) and alerts on a
 * change of state only: stale, fresh again; drift (a new picture of it), balanced again. The last state is in the
 * shared cache, so a new leader does not alert again.
 */
export class OpsMonitor {
  private readonly election: LeaderElection;
  private timer: NodeJS.Timeout | null = null;
  private lastReconcile = 0;

  constructor(
    private readonly platform: Platform,
    private readonly namespace: string,
    private readonly priceHealth: () => CheckResult,
    private readonly queued: () => void,
  ) {
    this.election = new LeaderElection(
      platform.locks,
      `telegram:${namespace}:monitor`,
      30_000,
      { onElected: () => this.lead(), onRevoked: () => this.follow() },
      (err) => platform.log.warn({ err }, 'telegram monitor lock unavailable'),
    );
  }

  start(): void {
    this.election.start();
  }

  async stop(): Promise<void> {
    await this.election.stop();
    this.follow();
  }

  private lead(): void {
    const every = this.platform.config.telegram!.monitorIntervalMs;
    this.timer = setInterval(() => void this.runOnce().catch((err) => this.platform.log.warn({ err }, 'telegram monitor check failed')), every);
    this.timer.unref();
  }

  private follow(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async runOnce(opts: { forceReconcile?: boolean } = {}): Promise<void> {
    await this.checkPrices();
    if (opts.forceReconcile || Date.now() - this.lastReconcile >= RECONCILE_EVERY_MS) {
      this.lastReconcile = Date.now();
      await this.checkReconciliation();
    }
  }

  private key(name: string): string {
    return `telegram:${this.namespace}:state:${name}`;
  }

  async checkPrices(health: CheckResult = this.priceHealth()): Promise<void> {
    const { cache } = this.platform;
    const stale = health.status !== 'ok';
    const prev = await cache.get(this.key('prices'));
    if (stale && !prev?.startsWith('stale:')) {
      const since = Date.now();
      await cache.set(this.key('prices'), `stale:${since}`, STATE_TTL_MS);
      await this.alert({ kind: 'prices.stale', dedupeKey: `prices-stale:${since}`, body: staleAlert(health.ageMs, health.detail) });
    } else if (!stale && prev?.startsWith('stale:')) {
      await cache.set(this.key('prices'), 'ok', STATE_TTL_MS);
      await this.alert({ kind: 'prices.fresh', dedupeKey: `prices-fresh:${prev.slice(6)}`, body: staleResolved() });
    }
  }

  /** `report`: a reconciliation already read (tests read one inside a transaction they roll back); else read now. */
  async checkReconciliation(report?: Awaited<ReturnType<typeof reconcile>>): Promise<void> {
    const { cache } = this.platform;
    const r = report ?? (await reconcile(this.platform.database.db));
    const prev = await cache.get(this.key('reconciliation'));
    if (!r.ok) {
      const picture = r.items
        .filter((i) => !new D(i.drift).isZero() || i.mismatchedAccounts > 0 || i.unbalancedEntries > 0)
        .map((i) => `${i.asset}:${i.drift}:${i.mismatchedAccounts}:${i.unbalancedEntries}`)
        .join(',');
      if (prev === `drift:${picture}`) return;
      await cache.set(this.key('reconciliation'), `drift:${picture}`, STATE_TTL_MS);
      await this.alert({ kind: 'reconciliation.drift', dedupeKey: `recon-drift:${Date.now()}`, body: driftAlert(r) });
    } else if (prev?.startsWith('drift:')) {
      await cache.set(this.key('reconciliation'), 'ok', STATE_TTL_MS);
      await this.alert({ kind: 'reconciliation.ok', dedupeKey: `recon-ok:${Date.now()}`, body: driftResolved() });
    }
  }

  private async alert(a: Alert): Promise<void> {
    if (await enqueueAlert(this.platform, a)) this.queued();
  }
}
