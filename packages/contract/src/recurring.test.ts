import { describe, expect, it } from 'vitest';
import { describeCalendar, nextOccurrences, occurrenceAfter, occurrenceAtOrBefore, periodOf, recurringBuyRequest } from './recurring.ts';

const iso = (d: Date) => d.toISOString();

describe('recurring-buy calendar', () => {
  it('daily: the next run today or tomorrow at the time (UTC)', () => {
    const c = { frequency: 'daily' as const, timeOfDay: '09:30' };
    expect(iso(occurrenceAfter(c, new Date('2026-12-04T09:29:59Z')))).toBe('2026-12-04T09:30:00.000Z');
    expect(iso(occurrenceAfter(c, new Date('2026-12-04T09:30:00Z')))).toBe('2026-12-05T09:30:00.000Z');
    expect(iso(occurrenceAtOrBefore(c, new Date('2026-12-04T09:30:00Z')))).toBe('2026-12-04T09:30:00.000Z');
    expect(iso(occurrenceAtOrBefore(c, new Date('2026-12-04T09:29:00Z')))).toBe('2026-12-03T09:30:00.000Z');
  });

  it('weekly: the chosen weekday', () => {
    const c = { frequency: 'weekly' as const, timeOfDay: '00:00', weekday: 1 }; // Monday
    expect(nextOccurrences(c, new Date('2026-12-04T12:00:00Z'), 2).map(iso)).toEqual(['2026-12-07T00:00:00.000Z', '2026-12-14T00:00:00.000Z']);
    expect(iso(occurrenceAtOrBefore(c, new Date('2026-12-04T12:00:00Z')))).toBe('2026-11-30T00:00:00.000Z');
  });

  it('monthly on the 31st runs on the last day of shorter months (February of a leap year too)', () => {
    const c = { frequency: 'monthly' as const, timeOfDay: '18:00', dayOfMonth: 31 };
    expect(nextOccurrences(c, new Date('2027-12-31T18:00:00Z'), 5).map(iso)).toEqual([
      '2028-01-31T18:00:00.000Z',
      '2028-02-29T18:00:00.000Z',
      '2028-03-31T18:00:00.000Z',
      '2028-04-30T18:00:00.000Z',
      '2028-05-31T18:00:00.000Z',
    ]);
    expect(iso(occurrenceAtOrBefore(c, new Date('2027-03-15T00:00:00Z')))).toBe('2027-02-28T18:00:00.000Z');
    expect(describeCalendar(c)).toBe("on the 31st of every month at 18:00 UTC (or the month's last day when it is shorter)");
  });

  it('periods: one per day, per week (named by its Monday) and per month', () => {
    expect(periodOf('daily', new Date('2026-12-04T23:59:00Z'))).toBe('D2026-12-04');
    expect(periodOf('weekly', new Date('2026-12-06T10:00:00Z'))).toBe('W2026-11-30'); // a Sunday: the week began on Monday the 30th
    expect(periodOf('weekly', new Date('2026-11-30T00:00:00Z'))).toBe('W2026-11-30');
    expect(periodOf('monthly', new Date('2027-02-28T18:00:00Z'))).toBe('M2027-02');
  });

  it('the request: weekday only for weekly, day only for monthly, cents at most', () => {
    const ok = { assetId: 'BTC', quoteAmount: '25', frequency: 'weekly', timeOfDay: '09:00', weekday: 5 };
    expect(recurringBuyRequest.safeParse(ok).success).toBe(true);
    expect(recurringBuyRequest.safeParse({ ...ok, weekday: undefined }).success).toBe(false);
    expect(recurringBuyRequest.safeParse({ ...ok, dayOfMonth: 3 }).success).toBe(false);
    expect(recurringBuyRequest.safeParse({ ...ok, quoteAmount: '25.001' }).success).toBe(false);
    expect(recurringBuyRequest.safeParse({ ...ok, quoteAmount: 25 }).success).toBe(false);
    expect(recurringBuyRequest.safeParse({ ...ok, timeOfDay: '24:00' }).success).toBe(false);
  });
});
