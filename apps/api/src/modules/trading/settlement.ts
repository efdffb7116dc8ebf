import { amountForQuote, tradeFee, tradeFigures, type TradingPair } from '@cryptovault/contract';
import { type AccountRef, D, type Dec, type JournalEntryInput, type PostingInput, shardFor } from '../ledger/index.ts';

/** USD figures of a trade are whole cents (value half-up, fee up): the contract's rule, shared with quotes and the order form. */
export { FEE_PLACES, QUOTE_PLACES } from '@cryptovault/contract';

export function feeFor(cost: Dec, rate: Dec): Dec {
  return new D(tradeFee(cost, rate));
}

/** The feed's price rounded to the pair's tick: the price every fill uses. */
export function executionPrice(pair: TradingPair, priceUsd: string): Dec {
  return new D(priceUsd).toDecimalPlaces(pair.pricePrecision, D.ROUND_HALF_UP);
}

/** What a resting buy must hold so it can pay for itself at its worst price: cost + fee at that price. */
export function buyHold(amount: Dec, worstPrice: Dec, rate: Dec): Dec {
  return new D(tradeFigures('buy', amount, worstPrice, rate).total);
}

/**
 * Market buy by quote amount: the largest amount (at the pair's amount precision) whose cost + fee fits `budget`.
 */
export function amountForBudget(pair: TradingPair, budget: Dec, price: Dec, rate: Dec): Dec {
  return new D(amountForQuote(budget, price, rate, pair.amountPrecision));
}

export interface Fill {
  userId: string;
  orderId: string;
  pair: TradingPair;
  side: 'buy' | 'sell';
  amount: Dec;
  price: Dec;
  feeRate: Dec;
  /** What the order held until now (released in the same entry); zero for immediate fills. */
  held: Dec;
  heldAsset: string;
}

export interface FillResult {
  entry: JournalEntryInput;
  cost: Dec;
  fee: Dec;
}

/**
 * The journal entry of one fill against the platform (the `market` account is the counterparty):
 * buy:  user quote −cost −fee, user base +amount; sell: user base −amount, user quote +cost −fee;
 * the fee goes to fee revenue; any hold is released first, so what the order locked comes back to available
 * and the trade is paid from there (the CHECK on balances refuses the fill if that is not enough).
 */
export function fillEntry(f: Fill): FillResult {
  const figures = tradeFigures(f.side, f.amount, f.price, f.feeRate);
  const cost = new D(figures.cost);
  const fee = new D(figures.fee);
  // The user's shard of the platform accounts (the ledger's writer moves a batch's entries onto one shard).
  const shard = shardFor(f.userId);
  const user = (asset: string): AccountRef => ({ kind: 'user', userId: f.userId, asset });
  const market = (asset: string): AccountRef => ({ kind: 'market', asset, shard });
  const { base, quote } = f.pair;
  const postings: PostingInput[] = [];
  if (f.held.gt(0)) {
    postings.push(
      { account: user(f.heldAsset), bucket: 'locked', amount: f.held.neg(), leg: 'release' },
      { account: user(f.heldAsset), bucket: 'available', amount: f.held, leg: 'release' },
    );
  }
  const sign = f.side === 'buy' ? 1 : -1;
  postings.push(
    { account: user(base), bucket: 'available', amount: f.amount.times(sign), leg: 'trade' },
    { account: market(base), bucket: 'available', amount: f.amount.times(-sign), leg: 'trade' },
    { account: user(quote), bucket: 'available', amount: cost.times(-sign), leg: 'trade' },
    { account: market(quote), bucket: 'available', amount: cost.times(sign), leg: 'trade' },
  );
  if (fee.gt(0)) {
    postings.push(
      { account: user(quote), bucket: 'available', amount: fee.neg(), leg: 'fee' },
      { account: { kind: 'fee_revenue', asset: quote, shard }, bucket: 'available', amount: fee, leg: 'fee' },
    );
  }
  return {
    entry: {
      type: 'trade',
      reference: `order:${f.orderId}`,
      userId: f.userId,
      memo: { symbol: f.pair.symbol, side: f.side, amount: f.amount.toFixed(), price: f.price.toFixed() },
      postings,
    },
    cost,
    fee,
  };
}
