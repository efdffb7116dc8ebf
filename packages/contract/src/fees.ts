import { Decimal } from 'decimal.js';

/**
 * The fee and rounding rules of a trade, in one place: the API's settlement (apps/api/src/modules/trading/settlement.ts
 * fillEntry), its quotes (POST /api/quotes) and the web's order form preview (`previewTrade`) all compute with
 * `tradeFigures`. 60 significant digits, like the ledger's money type, so a NUMERIC(38,18) product is never rounded
 * before the rule.
 *
 * The rounding rule (issue 20: the preview showed $1.95, the order charged 1.9405194): every quote-currency (USD)
 * amount of a trade is a whole number of cents, computed by the server and shown as it is charged:
 * - value = amount × price, rounded half-up to the cent;
 * - fee = value × fee rate, rounded UP to the cent (the platform never rounds its fee in its own disfavour);
 * - total = value + fee for a buy (what leaves the USD balance), value − fee for a sell (what arrives).
 */
/** decimal.js configured for money (the web's one decimal type as well). */
export const Money = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -40, toExpPos: 60 });
type Value = Decimal.Value;

/** Places of every quote-currency (USD) amount of a trade: value, fee and total are whole cents. */
export const QUOTE_PLACES = 2;
/** Kept for callers that name the fee's places: the fee is in cents like every USD amount of a trade. */
export const FEE_PLACES = QUOTE_PLACES;

/** The value of a trade: amount × execution price, rounded half-up to the cent. */
export function tradeValue(amount: Value, price: Value): Decimal {
  return new Money(amount).times(price).toDecimalPlaces(QUOTE_PLACES, Decimal.ROUND_HALF_UP);
}

/** The fee on a trade of value `cost` (see tradeValue) at `rate`: cost × rate, rounded up to the cent. */
export function tradeFee(cost: Value, rate: Value): Decimal {
  return new Money(cost).times(rate).toDecimalPlaces(QUOTE_PLACES, Decimal.ROUND_UP);
}

export interface TradeFigures {
  /** tradeValue(amount, price). */
  cost: Decimal;
  /** tradeFee(cost, rate). */
  fee: Decimal;
  /** buy: cost + fee; sell: cost − fee. */
  total: Decimal;
}

/** The USD figures of a fill of `amount` at `price`: what settlement posts, what quotes and previews show. */
export function tradeFigures(side: 'buy' | 'sell', amount: Value, price: Value, rate: Value): TradeFigures {
  const cost = tradeValue(amount, price);
  const fee = tradeFee(cost, rate);
  return { cost, fee, total: side === 'buy' ? cost.plus(fee) : cost.minus(fee) };
}

/** What a buy of `amount` at `price` costs with its fee: the most a resting buy must hold. */
function costWithFee(amount: Decimal, price: Decimal, rate: Value): Decimal {
  return tradeFigures('buy', amount, price, rate).total;
}

/**
 * Market buy by quote amount: the largest amount (at `amountPrecision` places) whose total (value + fee, in cents)
 * fits `budget`. Rounding to the cent moves the total by less than 3 cents, so the answer lies between the amounts
 * that the unrounded rule gives for `budget − 0.03` (always fits) and `budget + 0.03` (never does): a binary search
 * over that range of steps, whatever the price.
 */
export function amountForQuote(budget: Value, price: Value, rate: Value, amountPrecision: number): Decimal {
  const b = new Money(budget);
  const p = new Money(price);
  const unit = p.times(new Money(rate).plus(1));
  const step = new Money(1).div(new Money(10).pow(amountPrecision));
  const steps = (usd: Decimal) => Decimal.max(0, usd.div(unit).div(step).floor());
  let lo = steps(b.minus('0.03')); // fits (or is zero)
  let hi = steps(b.plus('0.03')).plus(1); // does not fit
  while (hi.minus(lo).gt(1)) {
    const mid = lo.plus(hi).div(2).floor();
    if (costWithFee(mid.times(step), p, rate).lte(b)) lo = mid;
    else hi = mid;
  }
  return new Money(lo.times(step));
}

export interface TradePreview {
  /** Base amount (decimal string). */
  amount: string;
  /** tradeValue(amount, price): amount × price in cents. */
  cost: string;
  /** tradeFee(cost, rate): what settlement charges at this price. */
  fee: string;
  /** buy: cost + fee (what leaves the USD balance); sell: cost − fee (what arrives). */
  total: string;
}

/**
 * The figures of a trade at `price`, exactly as settlement computes them for a fill at that price. With
 * `quoteAmount` (a market buy by USD to spend) the amount is the one the API buys for that budget.
 * Decimal strings in, decimal strings out (USD figures in cents, as charged). Null when an input is not a
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
  const { cost, fee, total } = tradeFigures(i.side, amount, price, i.feeRate);
  return { amount: amount.toFixed(), cost: cost.toFixed(), fee: fee.toFixed(), total: total.toFixed() };
}

const DECIMAL = /^\d+(\.\d+)?$/;

function parse(v: string | undefined): Decimal | null {
  const s = v?.trim();
  return s && DECIMAL.test(s) ? new Money(s) : null;
}
