import { z } from 'zod';
import { isoDateTime, positiveDecimalString } from './common.ts';

/**
 * Recurring buys (dollar-cost averaging): buy a USD amount of an asset every day, week or month at a chosen time of
 * day in UTC (the app has no per-user time zone; the web shows the local equivalent). Each run is an ordinary market
 * buy for `quoteAmount` USD (fee included), placed through the one orders path with a deterministic idempotency key.
 */

/** Schedules per account (active and paused; deleted ones do not count). */
export const MAX_RECURRING_BUYS = 20;

export const recurringFrequency = z.enum(['daily', 'weekly', 'monthly']);
export type RecurringFrequency = z.infer<typeof recurringFrequency>;

export const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/** What a user chooses when creating or editing a recurring buy. */
export const recurringBuyRequest = z
  .strictObject({
    /** Asset id (`bitcoin`) or symbol (`BTC`); bought against USD. */
    assetId: z.string().trim().min(1).max(40),
    /** USD spent per run, fee included, at most 2 decimals; at least the smallest order value. */
    quoteAmount: positiveDecimalString,
    frequency: recurringFrequency,
    /** `HH:MM`, 24-hour, UTC. */
    timeOfDay: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Enter a time such as 09:30 (24-hour, UTC)'),
    /** Weekly only: 0 = Sunday … 6 = Saturday. */
    weekday: z.number().int().min(0).max(6).optional(),
    /** Monthly only: 1–31; a day the month lacks (the 31st in April) runs on the month's last day. */
    dayOfMonth: z.number().int().min(1).max(31).optional(),
  })
  .superRefine((b, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (b.frequency === 'weekly' && b.weekday === undefined) issue('weekday', 'Choose the day of the week');
    if (b.frequency !== 'weekly' && b.weekday !== undefined) issue('weekday', 'Only weekly buys take a day of the week');
    if (b.frequency === 'monthly' && b.dayOfMonth === undefined) issue('dayOfMonth', 'Choose the day of the month');
    if (b.frequency !== 'monthly' && b.dayOfMonth !== undefined) issue('dayOfMonth', 'Only monthly buys take a day of the month');
    if (/\.\d{3,}$/.test(b.quoteAmount)) issue('quoteAmount', 'Enter a USD amount with at most 2 decimals');
  });
export type RecurringBuyRequest = z.infer<typeof recurringBuyRequest>;

export const recurringBuyStatus = z.enum(['active', 'paused']);

export const recurringRunStatus = z.enum(['pending', 'filled', 'skipped']);
export type RecurringRunStatus = z.infer<typeof recurringRunStatus>;

export const recurringBuyRun = z.object({
  id: z.string(),
  /** The scheduled time this run belongs to (one run per period). */
  period: isoDateTime,
  /** pending: claimed, the order is being placed; filled: bought; skipped: not bought (see `reason`). */
  status: recurringRunStatus,
  quoteAmount: z.string().describe('USD to spend, fee included'),
  orderId: z.string().nullable(),
  amount: z.string().nullable().describe('bought, in the asset'),
  price: z.string().nullable().describe('average execution price in USD'),
  /** Skipped runs: the error code (INSUFFICIENT_FUNDS, PRICE_STALE, MIN_AMOUNT…) and its words. */
  reasonCode: z.string().nullable(),
  reason: z.string().nullable(),
  claimedAt: isoDateTime,
  finishedAt: isoDateTime.nullable(),
});
export type RecurringBuyRun = z.infer<typeof recurringBuyRun>;

export const recurringBuy = z.object({
  id: z.string(),
  assetId: z.string(),
  /** The pair bought, e.g. `BTC/USD`. */
  symbol: z.string(),
  base: z.string(),
  quoteAmount: z.string(),
  frequency: recurringFrequency,
  timeOfDay: z.string(),
  weekday: z.number().int().nullable(),
  dayOfMonth: z.number().int().nullable(),
  status: recurringBuyStatus,
  /** When the next run is due (null while paused). */
  nextRunAt: isoDateTime.nullable(),
  lastRun: recurringBuyRun.nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type RecurringBuy = z.infer<typeof recurringBuy>;
export const recurringBuyList = z.object({ items: z.array(recurringBuy) });
export const recurringRunList = z.object({ items: z.array(recurringBuyRun) });
export const recurringRunsQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) });

// ---- The calendar: shared by the scheduler (next run, the period a run belongs to) and the web (preview). ----

/** The parts of a schedule that decide when it runs. */
export interface RecurringCalendar {
  frequency: RecurringFrequency;
  timeOfDay: string;
  weekday?: number | null;
  dayOfMonth?: number | null;
}

const DAY_MS = 86_400_000;

function minutesOf(timeOfDay: string): number {
  const [h = '0', m = '0'] = timeOfDay.split(':');
  return Number(h) * 60 + Number(m);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

/** The run time in the month (year, month): the chosen day, or the month's last day when it has fewer days. */
function monthlyOccurrence(c: RecurringCalendar, year: number, month: number): number {
  const day = Math.min(c.dayOfMonth ?? 1, daysInMonth(year, month));
  return Date.UTC(year, month, day) + minutesOf(c.timeOfDay) * 60_000;
}

/** The latest run time at or before `at` (UTC). */
export function occurrenceAtOrBefore(c: RecurringCalendar, at: Date): Date {
  const t = at.getTime();
  const minutes = minutesOf(c.timeOfDay) * 60_000;
  if (c.frequency === 'monthly') {
    let y = at.getUTCFullYear();
    let m = at.getUTCMonth();
    for (;;) {
      const o = monthlyOccurrence(c, y, m);
      if (o <= t) return new Date(o);
      m -= 1;
      if (m < 0) {
        m = 11;
        y -= 1;
      }
    }
  }
  let day = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  for (;;) {
    const o = day + minutes;
    const weekdayOk = c.frequency === 'daily' || new Date(day).getUTCDay() === (c.weekday ?? 0);
    if (weekdayOk && o <= t) return new Date(o);
    day -= DAY_MS;
  }
}

/** The first run time strictly after `at` (UTC). */
export function occurrenceAfter(c: RecurringCalendar, at: Date): Date {
  const t = at.getTime();
  const minutes = minutesOf(c.timeOfDay) * 60_000;
  if (c.frequency === 'monthly') {
    let y = at.getUTCFullYear();
    let m = at.getUTCMonth();
    for (;;) {
      const o = monthlyOccurrence(c, y, m);
      if (o > t) return new Date(o);
      m += 1;
      if (m > 11) {
        m = 0;
        y += 1;
      }
    }
  }
  let day = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  for (;;) {
    const o = day + minutes;
    const weekdayOk = c.frequency === 'daily' || new Date(day).getUTCDay() === (c.weekday ?? 0);
    if (weekdayOk && o > t) return new Date(o);
    day += DAY_MS;
  }
}

/** The next `count` run times after `from`. */
export function nextOccurrences(c: RecurringCalendar, from: Date, count: number): Date[] {
  const out: Date[] = [];
  let at = from;
  for (let i = 0; i < count; i++) {
    at = occurrenceAfter(c, at);
    out.push(at);
  }
  return out;
}

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${s}`;
}

/** "every day at 09:00 UTC", "every Monday at 09:00 UTC", "on the 31st of every month at 09:00 UTC (or the month's last day)". */
export function describeCalendar(c: RecurringCalendar): string {
  const at = `at ${c.timeOfDay} UTC`;
  if (c.frequency === 'daily') return `every day ${at}`;
  if (c.frequency === 'weekly') return `every ${WEEKDAY_NAMES[c.weekday ?? 0]} ${at}`;
  const d = c.dayOfMonth ?? 1;
  return `on the ${ordinal(d)} of every month ${at}${d > 28 ? " (or the month's last day when it is shorter)" : ''}`;
}

/**
 * The calendar period a run time belongs to, at most one run each: `D2026-12-04` (the UTC day), `W2026-11-30` (the
 * week, named by its Monday) or `M2026-12` (the month). Editing a schedule's time or day within a period does not
 * buy twice in it.
 */
export function periodOf(frequency: RecurringFrequency, runAt: Date): string {
  const iso = runAt.toISOString();
  if (frequency === 'daily') return `D${iso.slice(0, 10)}`;
  if (frequency === 'monthly') return `M${iso.slice(0, 7)}`;
  const day = Date.UTC(runAt.getUTCFullYear(), runAt.getUTCMonth(), runAt.getUTCDate());
  const sinceMonday = (new Date(day).getUTCDay() + 6) % 7;
  return `W${new Date(day - sinceMonday * DAY_MS).toISOString().slice(0, 10)}`;
}
