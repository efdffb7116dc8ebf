import { Decimal as DecimalJs } from 'decimal.js';

/**
 * Decimal arithmetic for money. 60 significant digits cover NUMERIC(38,18) products without rounding; exponents
 * are pushed out so `toString()` never yields `1e-8` (SQL and the wire want plain digits).
 */
export const D = DecimalJs.clone({ precision: 60, rounding: DecimalJs.ROUND_HALF_UP, toExpNeg: -40, toExpPos: 60 });
export type Dec = InstanceType<typeof D>;

export const ZERO = new D(0);

/** Digits after the point of a decimal string ("1.500" → 3). */
export function decimalPlaces(value: string): number {
  const i = value.indexOf('.');
  return i < 0 ? 0 : value.length - i - 1;
}

/** Canonical text for SQL and JSON: plain digits, at most 18 places, no trailing zeros. */
export function toSql(value: Dec): string {
  return value.toDecimalPlaces(18, D.ROUND_DOWN).toFixed();
}

/** Display form with a fixed number of places (`"0.00150000"`). */
export function fixed(value: Dec | string, places: number, rounding: DecimalJs.Rounding = D.ROUND_DOWN): string {
  return new D(value).toDecimalPlaces(places, rounding).toFixed(places);
}
