import { Money } from './fees.ts';

/**
 * Amounts in words written by the server (notifications, emails, error messages) and shareable with the web:
 * USD as "$4,495.13" (cents, grouped), every other currency as "0.00001031 BTC" (up to `maxDecimals` places,
 * trailing zeros dropped, grouped). One function so every text reads the same. Input is a decimal string (or a
 * decimal.js value); anything else is returned as it came, never guessed at through a float.
 */
export const FIAT_DECIMALS = 2;
export const CRYPTO_MAX_DECIMALS = 8;

function group(int: string): string {
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export interface MoneyFormat {
  /** Places for a crypto amount (the asset's precision; default 8), or for a USD price of a small coin (default 2). */
  maxDecimals?: number;
  /** Rounding of the last place: half up by default; `up` for minimums (a "minimum of $1.01" must be enough). */
  rounding?: 'half_up' | 'up' | 'down';
}

const MODES = { half_up: Money.ROUND_HALF_UP, up: Money.ROUND_UP, down: Money.ROUND_DOWN } as const;

export function formatMoney(value: string | { toFixed(): string }, currency: string, o: MoneyFormat = {}): string {
  const raw = typeof value === 'string' ? value.trim() : value.toFixed();
  if (!/^[+-]?\d+(\.\d+)?$/.test(raw)) return `${raw} ${currency.toUpperCase()}`;
  const code = currency.toUpperCase();
  const usd = code === 'USD';
  const places = usd ? Math.max(FIAT_DECIMALS, o.maxDecimals ?? FIAT_DECIMALS) : (o.maxDecimals ?? CRYPTO_MAX_DECIMALS);
  let d = new Money(raw).toDecimalPlaces(places, MODES[o.rounding ?? 'half_up']);
  if (d.isZero()) d = d.abs();
  const negative = d.isNegative();
  let [int = '0', frac = ''] = d.abs().toFixed(places).split('.');
  // Crypto drops trailing zeros; USD keeps its cents and drops only the zeros past them ("$0.00012", "$4.50").
  frac = usd ? frac.replace(/0+$/, '').padEnd(FIAT_DECIMALS, '0') : frac.replace(/0+$/, '');
  const digits = `${group(int)}${frac ? `.${frac}` : ''}`;
  return usd ? `${negative ? '-' : ''}$${digits}` : `${negative ? '-' : ''}${digits} ${code}`;
}
