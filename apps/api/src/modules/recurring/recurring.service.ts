import {
  formatMoney,
  MAX_RECURRING_BUYS,
  occurrenceAfter,
  type RecurringBuy,
  type RecurringBuyRequest,
  type RecurringBuyRun,
  type RecurringCalendar,
  type TradingPair,
} from '@cryptovault/contract';
import { findAsset, QUOTE_ASSET } from '../../platform/assets.ts';
import type { Executor } from '../../platform/db/client.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import { D } from '../ledger/index.ts';
import { findPair } from '../markets/index.ts';
import * as repo from './recurring.repo.ts';
import type { RecurringBuyRow, RecurringBuyRunRow } from './recurring.schema.ts';

const dec = (v: string | null): string | null => (v === null ? null : new D(v).toFixed());

export function runView(r: RecurringBuyRunRow): RecurringBuyRun {
  return {
    id: r.id,
    period: r.scheduledFor.toISOString(),
    status: r.status,
    quoteAmount: new D(r.quoteAmount).toFixed(2),
    orderId: r.orderId,
    amount: dec(r.amount),
    price: dec(r.price),
    reasonCode: r.reasonCode,
    reason: r.reason,
    claimedAt: r.claimedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}

export function calendarOf(r: Pick<RecurringBuyRow, 'frequency' | 'timeOfDay' | 'weekday' | 'dayOfMonth'>): RecurringCalendar {
  return { frequency: r.frequency, timeOfDay: r.timeOfDay, weekday: r.weekday, dayOfMonth: r.dayOfMonth };
}

export function scheduleView(r: RecurringBuyRow, last: RecurringBuyRunRow | null = null): RecurringBuy {
  const base = findAsset(r.assetId)?.symbol ?? r.assetId.toUpperCase();
  return {
    id: r.id,
    assetId: r.assetId,
    symbol: `${base}/${QUOTE_ASSET}`,
    base,
    quoteAmount: new D(r.quoteAmount).toFixed(2),
    frequency: r.frequency,
    timeOfDay: r.timeOfDay,
    weekday: r.weekday,
    dayOfMonth: r.dayOfMonth,
    status: r.status === 'paused' ? 'paused' : 'active',
    nextRunAt: r.nextRunAt?.toISOString() ?? null,
    lastRun: last ? runView(last) : null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

const field = (path: string, message: string) => new AppError('VALIDATION_ERROR', message, [{ path: ['body', path], message }]);

/** The asset and pair a request names, and its amount checked against the pair's smallest and largest order. */
function checked(input: RecurringBuyRequest): { pair: TradingPair; values: Omit<repo.NewRecurringBuy, 'userId'> } {
  const asset = findAsset(input.assetId);
  const pair = asset ? findPair(`${asset.symbol}/${QUOTE_ASSET}`) : undefined;
  if (!asset || !pair) throw field('assetId', `${input.assetId} cannot be bought here`);
  const amount = new D(input.quoteAmount);
  if (amount.lt(pair.minCost))
    throw new AppError('MIN_AMOUNT', `Each buy must be at least ${formatMoney(pair.minCost, pair.quote, { rounding: 'up' })}`, [
      { path: ['body', 'quoteAmount'], message: 'too small' },
    ]);
  if (amount.gt(pair.maxCost)) throw field('quoteAmount', `Each buy can be at most ${formatMoney(pair.maxCost, pair.quote)}`);
  return {
    pair,
    values: {
      assetId: asset.id,
      quoteAmount: amount.toFixed(2),
      frequency: input.frequency,
      timeOfDay: input.timeOfDay,
      weekday: input.frequency === 'weekly' ? (input.weekday ?? null) : null,
      dayOfMonth: input.frequency === 'monthly' ? (input.dayOfMonth ?? null) : null,
    },
  };
}

const tooMany = () => new AppError('LIMIT_EXCEEDED', `At most ${MAX_RECURRING_BUYS} recurring buys per account; delete one first`);

/**
 * The user-facing side of recurring buys. `now` is the clock that decides the next run (tests inject one; the
 * scheduler uses the same calendar, packages/contract/src/recurring.ts).
 */
export class RecurringBuysService {
  constructor(
    private readonly platform: Pick<Platform, 'database'>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private async withLast(ex: Executor, rows: RecurringBuyRow[]): Promise<RecurringBuy[]> {
    const last = await repo.lastRuns(
      ex,
      rows.map((r) => r.id),
    );
    return rows.map((r) => scheduleView(r, last.get(r.id) ?? null));
  }

  async list(userId: string): Promise<{ items: RecurringBuy[] }> {
    const db = this.platform.database.db;
    return { items: await this.withLast(db, await repo.listSchedules(db, userId)) };
  }

  async get(userId: string, id: string): Promise<RecurringBuy> {
    const db = this.platform.database.db;
    const row = await repo.findSchedule(db, userId, id);
    if (!row) throw notFound('Recurring buy');
    return (await this.withLast(db, [row]))[0]!;
  }

  async create(userId: string, input: RecurringBuyRequest): Promise<RecurringBuy> {
    const { values } = checked(input);
    const row = await this.platform.database.db.transaction(async (tx) => {
      await repo.lockUserSchedules(tx, userId);
      if ((await repo.countLive(tx, userId)) >= MAX_RECURRING_BUYS) throw tooMany();
      return repo.insertSchedule(tx, { ...values, userId, status: 'active', nextRunAt: occurrenceAfter(calendarOf(values as RecurringBuyRow), this.now()) });
    });
    return scheduleView(row);
  }

  /** Replaces the definition; an active schedule's next run is recomputed from now (a period already bought is not bought again). */
  async update(userId: string, id: string, input: RecurringBuyRequest): Promise<RecurringBuy> {
    const { values } = checked(input);
    const db = this.platform.database.db;
    const row = await db.transaction(async (tx) => {
      const cur = await repo.findSchedule(tx, userId, id, true);
      if (!cur) throw notFound('Recurring buy');
      const nextRunAt = cur.status === 'active' ? occurrenceAfter(calendarOf(values as RecurringBuyRow), this.now()) : null;
      return repo.updateSchedule(tx, id, { ...values, nextRunAt });
    });
    return (await this.withLast(db, [row]))[0]!;
  }

  async pause(userId: string, id: string): Promise<RecurringBuy> {
    return this.setStatus(userId, id, 'paused');
  }

  /** Resumes from now on: the periods missed while paused are not bought. */
  async resume(userId: string, id: string): Promise<RecurringBuy> {
    return this.setStatus(userId, id, 'active');
  }

  private async setStatus(userId: string, id: string, status: 'active' | 'paused'): Promise<RecurringBuy> {
    const db = this.platform.database.db;
    const row = await db.transaction(async (tx) => {
      const cur = await repo.findSchedule(tx, userId, id, true);
      if (!cur) throw notFound('Recurring buy');
      if (cur.status === status) return cur;
      return repo.updateSchedule(tx, id, { status, nextRunAt: status === 'active' ? occurrenceAfter(calendarOf(cur), this.now()) : null });
    });
    return (await this.withLast(db, [row]))[0]!;
  }

  /** Deletes the schedule (its run history is kept for the orders it placed, no longer shown). */
  async remove(userId: string, id: string): Promise<void> {
    await this.platform.database.db.transaction(async (tx) => {
      const cur = await repo.findSchedule(tx, userId, id, true);
      if (!cur) throw notFound('Recurring buy');
      await repo.updateSchedule(tx, id, { status: 'deleted', nextRunAt: null });
    });
  }

  async runs(userId: string, id: string, limit: number): Promise<{ items: RecurringBuyRun[] }> {
    const db = this.platform.database.db;
    if (!(await repo.findSchedule(db, userId, id))) throw notFound('Recurring buy');
    return { items: (await repo.listRuns(db, id, limit)).map(runView) };
  }
}
