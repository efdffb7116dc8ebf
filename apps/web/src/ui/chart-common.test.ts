import { describe, expect, it } from 'vitest';
import { CHART_RANGES, formatAxisUsd, formatAxisVolume, formatTimeTick } from './chart-common.ts';

describe('chart axis labels', () => {
  it('an empty portfolio reads $0.00, never "$-0.0000"; negatives put the sign before the $', () => {
    expect(formatAxisUsd(0)).toBe('$0.00');
    expect(formatAxisUsd(-0.0000001)).toBe('$0.00');
    expect(formatAxisUsd(-0)).toBe('$0.00');
    expect(formatAxisUsd(-12.5)).toBe('-$12.50');
    expect(formatAxisUsd(0.364)).toBe('$0.364');
    // An empty portfolio's axis runs $0 to $1: every label in cents, not "$0.00 … $0.2000".
    expect([0, 0.2, 0.4, 1].map(formatAxisUsd)).toEqual(['$0.00', '$0.20', '$0.40', '$1.00']);
    expect(formatAxisUsd(0.000123)).toBe('$0.000123');
    expect(formatAxisUsd(96295.491)).toBe('$96,295.49');
    expect(formatAxisVolume(6_400_000)).toBe('$6.4M');
  });

  it('a new day on the time axis reads "Dec 4", not a bare "4"; times keep the chart\'s own labels', () => {
    const dec4 = Date.UTC(2026, 11, 4) / 1000;
    expect(formatTimeTick(dec4, 2)).toBe('Dec 4');
    expect(formatTimeTick(dec4, 1)).toBe('Dec');
    expect(formatTimeTick(dec4, 0)).toBe('2026');
    expect(formatTimeTick(dec4 + 13 * 3600, 3)).toBeNull();
    expect(formatTimeTick({ year: 2026, month: 12, day: 4 }, 2)).toBeNull();
  });

  it('every chart page offers the same ranges', () => {
    expect(CHART_RANGES.map((r) => r.label)).toEqual(['1D', '1W', '1M', '1Y']);
  });
});
