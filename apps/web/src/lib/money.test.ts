import Decimal from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareDecimal,
  formatAmount,
  formatCompactUsd,
  formatFraction,
  formatPercent,
  formatPrice,
  formatUsd,
  roundDecimal,
  setAssetPrecision,
} from './money.ts';

describe('money formatting from decimal strings', () => {
  it('rounds half away from zero without float error', () => {
    // As floats these go wrong: 1.005.toFixed(2) === "1.00", 0.1 + 0.2 → 0.30000000000000004.
    expect(roundDecimal('1.005', 2)).toBe('1.01');
    expect(roundDecimal('0.30000000000000004', 2)).toBe('0.30');
    expect(roundDecimal('999.995', 2)).toBe('1000.00');
    expect(roundDecimal('-2.5', 0)).toBe('-3');
    expect(roundDecimal('-0.001', 2)).toBe('0.00');
    expect(roundDecimal('12345678901234567890.123456789012345678', 8)).toBe('12345678901234567890.12345679');
  });

  it('agrees with decimal.js ROUND_HALF_UP on any decimal', () => {
    const dec = fc
      .tuple(fc.boolean(), fc.stringMatching(/^(0|[1-9]\d{0,19})$/), fc.stringMatching(/^\d{0,18}$/), fc.integer({ min: 0, max: 18 }))
      .map(([neg, i, f, dp]) => ({ v: `${neg ? '-' : ''}${i}${f ? `.${f}` : ''}`, dp }));
    fc.assert(
      fc.property(dec, ({ v, dp }) => {
        const expected = new Decimal(v).toFixed(dp, Decimal.ROUND_HALF_UP).replace(/^-(0\.?0*)$/, '$1');
        expect(roundDecimal(v, dp)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('formats USD, prices, amounts and percentages', () => {
    expect(formatUsd('1000')).toBe('$1,000.00');
    expect(formatUsd('1234567.895')).toBe('$1,234,567.90');
    expect(formatUsd('-12.344')).toBe('-$12.34');
    expect(formatUsd('5', { signed: true })).toBe('+$5.00');
    expect(formatUsd(undefined)).toBe('—');
    expect(formatUsd('abc')).toBe('—');
    expect(formatPrice('67123.456')).toBe('$67,123.46');
    expect(formatPrice('0.51234567')).toBe('$0.5123');
    expect(formatPrice('0.000012345678')).toBe('$0.00001235');
    expect(formatAmount('0.00150000', 'btc')).toBe('0.0015 BTC');
    expect(formatAmount('1000', 'USD')).toBe('1,000.00 USD');
    expect(formatPercent('1.2345')).toBe('+1.23%');
    expect(formatPercent('-0.005')).toBe('-0.01%');
    expect(formatPercent('0')).toBe('0.00%');
    expect(formatFraction('0.256')).toBe('25.60%');
    expect(formatFraction('1')).toBe('100.00%');
    expect(formatCompactUsd('1234567890123')).toBe('$1.23T');
    expect(formatCompactUsd('45600000')).toBe('$45.60M');
    expect(formatCompactUsd('999')).toBe('$999.00');
  });

  it('uses the precision recorded for an asset', () => {
    setAssetPrecision('DOGE', 2);
    expect(formatAmount('12.3456', 'DOGE')).toBe('12.35 DOGE');
    expect(formatAmount('0.123456789', 'ETH', { withSymbol: false })).toBe('0.12345679');
  });

  it('compares decimal strings exactly', () => {
    expect(compareDecimal('10', '9.99')).toBe(1);
    expect(compareDecimal('-1', '0.5')).toBe(-1);
    expect(compareDecimal('-2', '-1')).toBe(-1);
    expect(compareDecimal('1.50', '1.5')).toBe(0);
    expect(compareDecimal('0.100000000000000001', '0.1')).toBe(1);
    expect(['3', '-1', '10.5', '2'].sort(compareDecimal)).toEqual(['-1', '2', '3', '10.5']);
  });
});
