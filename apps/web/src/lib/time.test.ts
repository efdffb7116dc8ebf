import { describe, expect, it } from 'vitest';
import { formatAccountAge, formatAgo } from './time.ts';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const before = (ms: number) => new Date(NOW - ms).toISOString();

describe('queue times in words', () => {
  it('says how long an item has waited', () => {
    expect(formatAgo(before(20_000), NOW)).toBe('just now');
    expect(formatAgo(before(5 * 60_000), NOW)).toBe('5 min ago');
    expect(formatAgo(before(3 * 3_600_000), NOW)).toBe('3 h ago');
    expect(formatAgo(before(3 * 86_400_000), NOW)).toBe('3 days ago');
    expect(formatAgo(new Date(NOW + 5000).toISOString(), NOW)).toBe('just now'); // a clock a little ahead
  });
  it("says an account's age", () => {
    expect(formatAccountAge(before(3_600_000), NOW)).toBe('joined today');
    expect(formatAccountAge(before(86_400_000), NOW)).toBe('joined 1 day ago');
    expect(formatAccountAge(before(40 * 86_400_000), NOW)).toBe('joined 40 days ago');
    expect(formatAccountAge(before(200 * 86_400_000), NOW)).toBe('joined 6 months ago');
    expect(formatAccountAge(before(800 * 86_400_000), NOW)).toBe('joined 2 years ago');
  });
});
