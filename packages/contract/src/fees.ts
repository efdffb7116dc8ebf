import { Decimal } from 'decimal.js';

/**
 * The fee and rounding rules of a trade, in one place: the API's settlement (apps/api/src/modules/trading/settlement.ts
 * feeFor) charges what `tradeFee` says, and the web's order form previews with `previewTrade`, built on it. 60
 * significant digits, like the ledger's money type, so a NUMERIC(38,18) product is never rounded before the rule.
 */
/** decimal.js configured for money (the web's one decimal type as well). */
export const Money = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -40, toExpPos: 60 });
type Value = Decimal.Value;

/** Fees are kept to 8 places of the quote currency and rounded up (the platform never rounds in its own disfavour). */
export const FEE_PLACES = 8;

/** The fee on a trade of `cost` (amount × execution price) at `rate`: cost × rate, rounded up to FEE_PLACES. */
export function tradeFee(cost: Value, rate: Value): Decimal {
  return new Money(cost).times(rate).toDecimalPlaces(FEE_PLACES, Decimal.ROUND_UP);
}

/** What a buy of `amount` at `price` costs with its fee: the most a resting buy must hold. */
function costWithFee(amount: Decimal, price: Decimal, rate: Value): Decimal {
  const cost = amount.times(price);
  return cost.plus(tradeFee(cost, rate));
}

/** Market buy by quote amount: the largest amount (at `amountPrecision` places) whose cost + fee fits `budget`. */
export function amountForQuote(budget: Value, price: Value, rate: Value, amountPrecision: number): Decimal {
  const b = new Money(budget);
  const p = new Money(price);
  let amount = b.div(p.times(new Money(rate).plus(1))).toDecimalPlaces(amountPrecision, Decimal.ROUND_DOWN);
  const step = new Money(1).div(new Money(10).pow(amountPrecision));
  while (amount.gt(0) && costWithFee(amount, p, rate).gt(b)) amount = amount.minus(step);
  return amount;
}

export interface TradePreview {
  /** Base amount (decimal string). */
  amount: string;
  /** amount × price, exact. */
  cost: string;
  /** tradeFee(cost, rate): what settlement charges at this price. */
  fee: string;
  /** buy: cost + fee (what leaves the USD balance); sell: cost − fee (what arrives). */
  total: string;
}

/**
 * The figures of a trade at `price`, exactly as settlement computes them for a fill at that price. With
 * `quoteAmount` (a market buy by USD to spend) the amount is the one the API buys for that budget.
 * Decimal strings in, decimal strings out (unrounded: round only for display). Null when an input is not a
 * non-negative decimal or the price is zero.
 */
export function previewTrade(i: {
  side: 'buy' | 'sell';
  amount?: string | undefined;
  quoteAmount?: string | undefined;
  price: string | undefined;
  feeRate: string;
  amountPrecision: number;
}): TradePreview | null {
  const price = parse(i.price);
  if (!price || price.isZero()) return null;
  let amount: Decimal | null;
  if (i.quoteAmount !== undefined) {
    const budget = parse(i.quoteAmount);
    amount = budget ? amountForQuote(budget, price, i.feeRate, i.amountPrecision) : null;
  } else amount = parse(i.amount);
  if (!amount) return null;
  const cost = amount.times(price);
  const fee = tradeFee(cost, i.feeRate);
  const total = i.side === 'buy' ? cost.plus(fee) : cost.minus(fee);
  return { amount: amount.toFixed(), cost: cost.toFixed(), fee: fee.toFixed(), total: total.toFixed() };
}

const DECIMAL = /^\d+(\.\d+)?$/;

function parse(v: string | undefined): Decimal | null {
  const s = v?.trim();
  return s && DECIMAL.test(s) ? new Money(s) : null;
}
