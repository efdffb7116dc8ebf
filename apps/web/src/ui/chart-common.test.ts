import { describe, expect, it } from 'vitest';
import { CHART_RANGES, formatAxisUsd, formatAxisVolume } from './chart-common.ts';

describe('chart axis labels', () => {
  it('an empty portfolio reads $0.00, never "$-0.0000"; negatives put the sign before the $', () => {
    expect(formatAxisUsd(0)).toBe('$0.00');
    expect(formatAxisUsd(-0.00001)).toBe('$0.00');
    expect(formatAxisUsd(-0)).toBe('$0.00');
    expect(formatAxisUsd(-12.5)).toBe('-$12.50');
    expect(formatAxisUsd(0.364)).toBe('$0.3640');
    expect(formatAxisUsd(96295.491)).toBe('$96,295.49');
    expect(formatAxisVolume(6_400_000)).toBe('$6.4M');
  });

  it('every chart page offers the same ranges', () => {
    expect(CHART_RANGES.map((r) => r.label)).toEqual(['1D', '1W', '1M', '1Y']);
  });
});
