import { Money } from '@cryptovault/contract';

/**
 * Money on screen from decimal strings. The one decimal library of the web app is decimal.js (the contract's `Money`,
 * 60 significant digits): the API's ledger and the contract's fee rule use it, so the order form previews with
 * the very arithmetic settlement charges with. Nothing here goes through parseFloat/Number (a JS number cannot
 * hold 0.1 or a balance of 18 decimals exactly), except toChartNumber for pixels.
 */

interface Parts {
  negative: boolean;
  int: string;
  frac: string;
}

const DECIMAL = /^([+-])?(\d+)(?:\.(\d*))?$/;

/** The parts of a plain decimal string ("-1.50"), or null when it is not one (no exponents, no commas). */
export function parseDecimal(value: string | null | undefined): Parts | null {
  if (value === null || value === undefined) return null;
  const m = DECIMAL.exec(value.trim());
  if (!m) return null;
  const int = (m[2] ?? '0').replace(/^0+(?=\d)/, '');
  const frac = m[3] ?? '';
  const zero = /^0*$/.test(int) && /^0*$/.test(frac);
  return { negative: m[1] === '-' && !zero, int, frac };
}

function dec(value: string): InstanceType<typeof Money> {
  return new Money(value.trim());
}

/** Rounds half away from zero to exactly `decimals` places: roundDecimal("1.005", 2) === "1.01"; never "-0.00". */
export function roundDecimal(value: string, decimals: number): string {
  if (!parseDecimal(value)) return value;
  const r = dec(value).toDecimalPlaces(decimals, Money.ROUND_HALF_UP);
  return (r.isZero() ? r.abs() : r).toFixed(decimals);
}

function group(int: string): string {
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export interface FormatOptions {
  /** Rounded to this many places. */
  maxDecimals: number;
  /** Trailing zeros are trimmed down to this many places. */
  minDecimals?: number;
  grouping?: boolean;
  /** Prefix positives with "+". */
  signed?: boolean;
}

export function formatDecimal(value: string | null | undefined, o: FormatOptions): string {
  if (value === null || value === undefined || !parseDecimal(value)) return '—';
  const rounded = roundDecimal(value, o.maxDecimals);
  const negative = rounded.startsWith('-');
  const [int = '0', fracRaw = ''] = (negative ? rounded.slice(1) : rounded).split('.');
  let frac = fracRaw;
  const min = o.minDecimals ?? o.maxDecimals;
  while (frac.length > min && frac.endsWith('0')) frac = frac.slice(0, -1);
  const sign = negative ? '-' : o.signed && !/^[0.]*$/.test(rounded) ? '+' : '';
  return `${sign}${o.grouping === false ? int : group(int)}${frac ? `.${frac}` : ''}`;
}

/** "$1,234.57"; negatives as "-$1.00". */
export function formatUsd(value: string | null | undefined, o: { signed?: boolean } = {}): string {
  const s = formatDecimal(value, { maxDecimals: 2, signed: o.signed });
  if (s === '—') return s;
  return s.startsWith('-') || s.startsWith('+') ? `${s[0]}$${s.slice(1)}` : `$${s}`;
}

/** A USD figure to the fee's precision (up to 8 places, at least the cents): "$1.9405194", "$0.10". */
export function formatUsdExact(value: string | null | undefined): string {
  const s = formatDecimal(value, { maxDecimals: 8, minDecimals: 2 });
  if (s === '—') return s;
  return s.startsWith('-') ? `-$${s.slice(1)}` : `$${s}`;
}

/** A rate ("0.001") as a percentage without trailing zeros ("0.1%"). */
export function formatRate(value: string): string {
  return parseDecimal(value) ? `${dec(value).times(100).toFixed()}%` : '—';
}

/** Prices: cents above $1, more places for small coins so they do not all read "$0.00". */
export function formatPrice(value: string | null | undefined): string {
  const p = parseDecimal(value);
  if (!p) return '—';
  const big = p.int !== '0';
  const smallish = !big && /[1-9]/.test(p.frac.slice(0, 2));
  const decimals = big ? 2 : smallish ? 4 : 8;
  const s = formatDecimal(value, { maxDecimals: decimals, minDecimals: big ? 2 : Math.min(decimals, 4) });
  return s.startsWith('-') ? `-$${s.slice(1)}` : `$${s}`;
}

const precision = new Map<string, number>([['USD', 2]]);

/** Trading pairs say how many places an asset trades with; the markets feature records them here. */
export function setAssetPrecision(asset: string, decimals: number): void {
  precision.set(asset.toUpperCase(), decimals);
}

export function assetPrecision(asset: string): number {
  return precision.get(asset.toUpperCase()) ?? 8;
}

/** An amount of an asset with that asset's precision: "0.0015 BTC", "1,000.00 USD". */
export function formatAmount(value: string | null | undefined, asset: string, o: { withSymbol?: boolean; signed?: boolean } = {}): string {
  const code = asset.toUpperCase();
  const s = formatDecimal(value, { maxDecimals: assetPrecision(code), minDecimals: code === 'USD' ? 2 : 0, signed: o.signed });
  return o.withSymbol === false || s === '—' ? s : `${s} ${code}`;
}

/** "+1.23%" from a percentage string such as "1.2345". */
export function formatPercent(value: string | null | undefined, decimals = 2): string {
  const s = formatDecimal(value, { maxDecimals: decimals, signed: true });
  return s === '—' ? s : `${s}%`;
}

/** A fraction ("0.25") as a percentage ("25.00%"). */
export function formatFraction(value: string | null | undefined, decimals = 2): string {
  if (!value || !parseDecimal(value)) return '—';
  const s = formatDecimal(dec(value).times(100).toFixed(), { maxDecimals: decimals });
  return `${s}%`;
}

const UNITS: [number, string][] = [
  [12, 'T'],
  [9, 'B'],
  [6, 'M'],
  [3, 'K'],
];

/** "$1.23T" for market caps and volumes. */
export function formatCompactUsd(value: string | null | undefined): string {
  const p = parseDecimal(value);
  if (!value || !p) return '—';
  for (const [exp, unit] of UNITS) {
    if (p.int.length > exp) {
      const s = formatDecimal(dec(value).div(new Money(10).pow(exp)).toFixed(), { maxDecimals: 2 });
      return s.startsWith('-') ? `-$${s.slice(1)}${unit}` : `$${s}${unit}`;
    }
  }
  return formatUsd(value);
}

/** Compares two decimal strings exactly; unparseable values sort first. */
export function compareDecimal(a: string | null | undefined, b: string | null | undefined): number {
  const x = a && parseDecimal(a) ? dec(a) : null;
  const y = b && parseDecimal(b) ? dec(b) : null;
  if (!x || !y) return x ? 1 : y ? -1 : 0;
  return x.cmp(y);
}

export function isNegative(value: string | null | undefined): boolean {
  return parseDecimal(value)?.negative ?? false;
}

export function isZero(value: string | null | undefined): boolean {
  return Boolean(value && parseDecimal(value) && dec(value).isZero());
}

/**
 * Charts place points in pixels, which are floats anyway: this is the one place a decimal string becomes a JS
 * number, and the result is only ever drawn, never added up or shown as text.
 */
export function toChartNumber(value: string | null | undefined): number {
  return parseDecimal(value) ? Number(value) : Number.NaN;
}

/** The exact sum of decimal strings (unparseable ones count as zero), as a decimal string. */
export function sumDecimals(values: readonly (string | null | undefined)[]): string {
  return values.reduce((acc, v) => (v && parseDecimal(v) ? acc.plus(v) : acc), new Money(0)).toFixed();
}
