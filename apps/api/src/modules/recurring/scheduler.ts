import { type CreateOrderBody, type ErrorCode, formatMoney, type Order, occurrenceAfter, occurrenceAtOrBefore, periodOf } from '@cryptovault/contract';
import { sql } from 'drizzle-orm';
import { findAsset, QUOTE_ASSET } from '../../platform/assets.ts';
import type { Tx } from '../../platform/db/client.ts';
import { rows } from '../../platform/db/sql.ts';
import { AppError } from '../../platform/errors.ts';
import { hashRequest, type IdempotentRequest, storedAnswer } from '../../platform/idempotency/idempotency.ts';
import type { Platform } from '../../platform/index.ts';
import { LeaderElection } from '../../platform/locks.ts';
import { findUserById } from '../auth/index.ts';
import { D } from '../ledger/index.ts';
import { notify } from '../notifications/index.ts';
import type { OrdersService } from '../trading/index.ts';
import * as repo from './recurring.repo.ts';
import type { RecurringBuyRunRow } from './recurring.schema.ts';
import { calendarOf } from './recurring.service.ts';

/** The scheduler's name: with the cluster namespace, its lock and its fencing-token row in `scheduler_leases`. */
export const SCHEDULER_NAME = 'recurring-buys';

/** The Idempotency-Key of a run's order. It contains `/`, which parseIdempotencyKey refuses: no HTTP client can take it first. */
export const runKey = (scheduleId: string, period: string): string => `recurring/${scheduleId}/${period}`;

/** The body of a run's order, built from the run's own row (so a retry sends exactly the same request). */
export function runOrderBody(run: Pick<RecurringBuyRunRow, 'symbol' | 'quoteAmount'>): CreateOrderBody {
  return { symbol: run.symbol, side: 'buy', type: 'market', quoteAmount: new D(run.quoteAmount).toFixed(2) };
}

/** What the key's record holds when a run was skipped: an answer that is not an order, so the key can never place one. */
interface SkipMark {
  recurringBuySkipped: { code: string; reason: string };
}
const isSkipMark = (v: unknown): v is SkipMark => typeof v === 'object' && v !== null && 'recurringBuySkipped' in v;

/** Refusals of the orders path that mean "not this period": recorded as skipped, never retried. */
const SKIP_CODES = new Set<ErrorCode>([
  'INSUFFICIENT_FUNDS',
  'PRICE_STALE',
  'MIN_AMOUNT',
  'VALIDATION_ERROR',
  'ACCOUNT_FROZEN',
  'ACCOUNT_SUSPENDED',
  'LIMIT_EXCEEDED',
  'FORBIDDEN',
  'IDEMPOTENCY_MISMATCH',
]);

/** Thrown inside a fenced transaction when a newer leader was elected: the transaction rolls back. */
export class Deposed extends Error {
  constructor(
    readonly mine: number | null,
    readonly current: number | null,
  ) {
    super(`recurring-buy scheduler deposed (token ${mine}, current ${current})`);
    this.name = 'Deposed';
  }
}

export type RunOutcome = 'filled' | 'skipped' | 'pending' | 'deposed';

export interface SweepReport {
  claimed: number;
  recovered: number;
  filled: number;
  skipped: number;
  /** True when the sweep found that a newer leader took over (it stopped at once). */
  deposed: boolean;
}

export interface SchedulerOptions {
  /** The clock that decides what is due (tests inject one). */
  now?: () => Date;
  /** Schedules or pending runs read per query. */
  batch?: number;
  /** A run this leader left pending (an error) is taken up again after this long. */
  staleAfterMs?: number;
  /** A run whose order has not happened this long after its claim is skipped (EXPIRED) instead of placed late. */
  giveUpAfterMs?: number;
  /** Tests only: sweep these users' schedules only (test files that share one database run side by side). */
  userIds?: readonly string[];
  /** Test hooks: the crash points of the restart tests (after the claim committed; after the order, before its record). */
  hooks?: { afterClaim?: (run: RecurringBuyRunRow) => Promise<void> | void; afterOrder?: (run: RecurringBuyRunRow) => Promise<void> | void };
}

/**
 * Runs the recurring buys that are due, on one machine at a time.
 *
 * Leadership: the machine holding the `recurring-buys` lock (LeaderElection over platform.locks, as the trading
 * engine and the price feed) runs `sweep` every RECURRING_SWEEP_INTERVAL_MS. Fencing: on election it bumps
 * `scheduler_leases.epoch` (its fencing token); every claim is written in a transaction that first reads the epoch
 * under a share lock and rolls back (Deposed) when it is no longer this leader's, so a deposed leader whose lock
 * expired unnoticed cannot claim anything.
 *
 * Exactly once: a run is claimed as a row unique per (schedule, period), in the same transaction that moves the
 * schedule's next run on; its order is placed through OrdersService.place with the key `recurring/<schedule>/<period>`,
 * whose record (written in the order's own ledger statement) says whether the order happened. A skipped run writes
 * that key's record as a skip mark, so no later attempt with the key can place an order; a run left pending (crash
 * between claim and order, or between order and record) is finished by the next leader from the key's record.
 *
 * Catch-up: a late scheduler runs only the latest period that came due for each schedule (earlier missed periods
 * are not bought); a paused schedule resumes from the next period.
 */
export class RecurringBuyScheduler {
  private epoch: number | null = null;
  private sweeping: Promise<SweepReport> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => Date;
  private readonly batch: number;
  private readonly staleAfterMs: number;
  private readonly giveUpAfterMs: number;
  /** The lock and fencing-token name: one scheduler per platform (cluster namespace). */
  readonly name: string;

  constructor(
    private readonly platform: Platform,
    private readonly orders: Pick<OrdersService, 'place'>,
    namespace: string,
    private readonly opts: SchedulerOptions = {},
  ) {
    this.name = `${SCHEDULER_NAME}:${namespace}`;
    this.now = opts.now ?? (() => new Date());
    this.batch = opts.batch ?? 100;
    this.staleAfterMs = opts.staleAfterMs ?? 60_000;
    this.giveUpAfterMs = opts.giveUpAfterMs ?? 3_600_000;
  }

  /** This scheduler's fencing token while it leads, else null. */
  get fencingToken(): number | null {
    return this.epoch;
  }

  /** Becomes the leader: a new epoch in the database, which fences off every earlier leader. */
  async elect(): Promise<number> {
    this.epoch = await repo.bumpEpoch(this.platform.database.db, this.name, this.platform.instanceId);
    this.platform.log.info({ fencingToken: this.epoch }, 'recurring-buy scheduler elected');
    return this.epoch;
  }

  /**
   * Tests only: act with a given token without an election, as two leaders would in a split brain (both then
   * race on the same periods, and the claim's unique row and the order's key keep each period to one order).
   */
  adoptToken(epoch: number): void {
    this.epoch = epoch;
  }

  /** Stops leading (lock lost or shutdown); waits for the sweep in progress. */
  async resign(): Promise<void> {
    this.epoch = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sweeping?.catch(() => undefined);
  }

  /** The leader's loop: a sweep at once (catch-up after a restart or hand-over), then every `intervalMs`. */
  private async lead(intervalMs: number): Promise<void> {
    await this.elect();
    const run = () => void this.sweep().catch((err) => this.platform.log.error({ err }, 'recurring-buy sweep failed'));
    run();
    this.timer = setInterval(run, intervalMs);
    this.timer.unref();
  }

  /** The leader election that runs this scheduler every `intervalMs` on one machine (started by the routes). */
  election(intervalMs: number, lockTtlMs = 10_000): LeaderElection {
    return new LeaderElection(this.platform.locks, this.name, lockTtlMs, { onElected: () => this.lead(intervalMs), onRevoked: () => this.resign() }, (err) =>
      this.platform.log.warn({ err }, 'recurring-buy scheduler election error'),
    );
  }

  /** Runs what is due now (one sweep at a time; a call during a sweep waits for it). */
  sweep(): Promise<SweepReport> {
    if (!this.sweeping) this.sweeping = this.doSweep().finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async doSweep(): Promise<SweepReport> {
    const report: SweepReport = { claimed: 0, recovered: 0, filled: 0, skipped: 0, deposed: false };
    const epoch = this.epoch;
    if (epoch === null) return report;
    const db = this.platform.database.db;
    const now = this.now();
    const tally = (o: RunOutcome) => {
      if (o === 'filled') report.filled++;
      else if (o === 'skipped') report.skipped++;
      else if (o === 'deposed') report.deposed = true;
    };
    try {
      // 1. Runs an earlier leader left unfinished (it crashed or was deposed), or this one left after an error.
      for (const left of await repo.pendingRuns(db, epoch, new Date(now.getTime() - this.staleAfterMs), this.batch, this.opts.userIds)) {
        const run = await this.fenced((tx) => repo.restampRun(tx, left.id, epoch));
        if (!run) continue;
        report.recovered++;
        tally(await this.execute(run, false));
      }
      // 2. What is due: one claim per schedule (its latest due period), each claim moving the schedule on.
      for (let round = 0; round < 10 && !report.deposed; round++) {
        const due = await repo.dueSchedules(db, now, this.batch, this.opts.userIds);
        for (const s of due) {
          const run = await this.claim(s.id, now);
          if (!run) continue;
          report.claimed++;
          tally(await this.execute(run, true));
          if (report.deposed) break;
        }
        if (due.length < this.batch) break;
      }
    } catch (err) {
      if (!(err instanceof Deposed)) throw err;
      report.deposed = true;
    }
    if (report.deposed) {
      this.platform.log.warn({ fencingToken: epoch }, 'recurring-buy scheduler: a newer leader holds the fencing token; this one stops');
      this.epoch = null;
    }
    return report;
  }

  /** Runs `fn` in a transaction that first checks this scheduler's fencing token (Deposed when stale). */
  private fenced<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const mine = this.epoch;
    return this.platform.database.db.transaction(async (tx) => {
      const current = await repo.epochForShare(tx, this.name);
      if (mine === null || current !== mine) throw new Deposed(mine, current);
      return fn(tx);
    });
  }

  /** Claims the latest due period of a schedule and moves its next run past `now`; null when nothing to claim. */
  private claim(scheduleId: string, now: Date): Promise<RecurringBuyRunRow | null> {
    return this.fenced(async (tx) => {
      const s = await repo.lockScheduleById(tx, scheduleId);
      if (s?.status !== 'active' || !s.nextRunAt || s.nextRunAt > now) return null;
      const calendar = calendarOf(s);
      const runAt = occurrenceAtOrBefore(calendar, now);
      const period = periodOf(s.frequency, runAt);
      const base = findAsset(s.assetId)?.symbol ?? s.assetId.toUpperCase();
      const run = await repo.insertRun(tx, {
        scheduleId: s.id,
        userId: s.userId,
        period,
        scheduledFor: runAt,
        assetId: s.assetId,
        symbol: `${base}/${QUOTE_ASSET}`,
        quoteAmount: s.quoteAmount,
        idempotencyKey: runKey(s.id, period),
        fencingToken: this.epoch!,
        claimedAt: now,
      });
      await repo.advanceSchedule(tx, s.id, occurrenceAfter(calendar, now));
      return run;
    });
  }

  /** Places a claimed run's order (or finds that it was placed) and records the outcome. */
  private async execute(run: RecurringBuyRunRow, fresh: boolean): Promise<RunOutcome> {
    if (fresh) await this.opts.hooks?.afterClaim?.(run);
    try {
      // The last fence check before the order: a leader deposed since its claim leaves the run to the new one.
      await this.fenced(async () => undefined);
    } catch (err) {
      if (err instanceof Deposed) return 'deposed';
      throw err;
    }
    const db = this.platform.database.db;
    const body = runOrderBody(run);
    const request: IdempotentRequest = { userId: run.userId, scope: 'orders', key: run.idempotencyKey, body };
    try {
      // Did the order (or a skip) already happen? A crash after the order and before its record lands here.
      const prior = await storedAnswer<Order | SkipMark>(db, request, null);
      if (prior) return await this.settle(run, prior.body);
      const user = await findUserById(db, run.userId);
      if (!user || user.suspendedAt) return await this.skip(run, 'ACCOUNT_SUSPENDED', 'the account is suspended');
      if (this.now().getTime() - run.claimedAt.getTime() > this.giveUpAfterMs) {
        return await this.skip(run, 'EXPIRED', 'the scheduler could not place it in time; it was not bought late');
      }
      const { order } = await this.orders.place(run.userId, body, run.idempotencyKey);
      await this.opts.hooks?.afterOrder?.(run);
      return await this.settle(run, order);
    } catch (err) {
      if (err instanceof AppError && SKIP_CODES.has(err.code)) return this.skip(run, err.code, err.message);
      // Anything else (database or store unreachable, a key still being written): the run stays pending and is taken
      // up again later with the same key, which can place at most one order.
      this.platform.log.error({ err, runId: run.id, scheduleId: run.scheduleId }, 'recurring buy left pending');
      return 'pending';
    }
  }

  /** Records the key's answer: the order it placed, or the skip another executor recorded. */
  private async settle(run: RecurringBuyRunRow, answer: Order | SkipMark): Promise<RunOutcome> {
    const at = this.now();
    if (isSkipMark(answer)) {
      await repo.finishRun(this.platform.database.db, run.id, {
        status: 'skipped',
        reasonCode: answer.recurringBuySkipped.code,
        reason: answer.recurringBuySkipped.reason,
        finishedAt: at,
      });
      return 'skipped';
    }
    await repo.finishRun(this.platform.database.db, run.id, {
      status: 'filled',
      orderId: answer.id,
      amount: answer.filled,
      price: answer.average,
      finishedAt: at,
    });
    return 'filled';
  }

  /**
   * Records a skipped run and closes its key: the skip mark is inserted as the key's record in the same transaction,
   * so an order racing with it (a deposed executor) either committed first (then the mark fails and the run is
   * recorded as that order) or fails on the key and answers the mark. Notifies the user once.
   */
  private async skip(run: RecurringBuyRunRow, code: string, reason: string): Promise<RunOutcome> {
    const db = this.platform.database.db;
    const body = runOrderBody(run);
    const mark: SkipMark = { recurringBuySkipped: { code, reason } };
    const at = this.now();
    const result = await db.transaction(async (tx) => {
      const inserted = await rows<{ key: string }>(
        tx,
        sql`insert into idempotency_keys (user_id, scope, key, request_hash, response_status, response_body)
            values (${run.userId}, 'orders', ${run.idempotencyKey}, ${hashRequest(body)}, 409, ${JSON.stringify(mark)}::jsonb)
            on conflict do nothing returning key`,
      );
      if (inserted.length === 0) return { settled: false as const };
      const row = await repo.finishRun(tx, run.id, { status: 'skipped', reasonCode: code, reason, finishedAt: at });
      return { settled: true as const, row };
    });
    if (!result.settled) {
      const prior = await storedAnswer<Order | SkipMark>(db, { userId: run.userId, scope: 'orders', key: run.idempotencyKey, body }, null);
      if (prior) return this.settle(run, prior.body);
      return 'pending';
    }
    if (result.row) {
      const base = run.symbol.split('/')[0] ?? run.symbol;
      const amount = formatMoney(new D(run.quoteAmount).toFixed(2), 'USD');
      await notify(this.platform, {
        userId: run.userId,
        type: 'recurring_buy',
        title: `Recurring buy skipped: ${amount} of ${base}`,
        body: `Your recurring buy of ${amount} of ${base} due ${run.scheduledFor.toISOString().slice(0, 16).replace('T', ' ')} UTC was not placed: ${reason}. It was not retried; the next one runs as scheduled.`,
        data: { scheduleId: run.scheduleId, runId: run.id, reasonCode: code },
      });
    }
    return 'skipped';
  }
}
