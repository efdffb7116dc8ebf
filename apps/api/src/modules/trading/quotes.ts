import { randomUUID } from 'node:crypto';
import {
  type CreateOrderBody,
  type CreateQuoteBody,
  DEFAULT_MAX_SLIPPAGE_BPS,
  type Quote,
  QUOTE_TTL_MS,
  quoteSchema,
  type TradingPair,
  tradeFigures,
} from '@cryptovault/contract';
import type { Cache } from '../../platform/cache.ts';
import { AppError } from '../../platform/errors.ts';
import { D, type Dec } from '../ledger/index.ts';

/**
 * Firm quotes (issue 20: an honest preview). A quote is what a market order would do at the current price, with
 * the server's rounding (contract tradeFigures); an order that carries its id fills at exactly that price, amount,
 * fee and total while the live price stays within the slippage bound, and is refused with PRICE_MOVED otherwise.
 *
 * Quotes live in the platform cache (Redis when configured), so any API machine can redeem a quote another one
 * issued. One quote, one order: a redemption claims the quote with the cache's atomic counter (the first claim
 * counts 1); a claim whose order then fails (no funds, a database error) is given back, so the user may retry.
 */
interface StoredQuote extends Quote {
  userId: string;
}

const quoteKey = (id: string) => `quote:${id}`;
const claimKey = (id: string) => `quote-claim:${id}`;
/** A quote is kept past its expiry, so a late order is told "expired" rather than "not found". */
const KEEP_MS = QUOTE_TTL_MS + 5 * 60_000;

/** A redeemed quote: the price the order fills at, and how to give the claim back when the order fails. */
export interface FirmQuote {
  price: Dec;
  release(): Promise<void>;
}

/** Moves of the live price from the quote, in basis points (|live − quoted| / quoted × 10 000). */
export function slippageBps(quoted: Dec, live: Dec): Dec {
  return live.minus(quoted).abs().div(quoted).times(10_000);
}

export class QuoteBook {
  constructor(
    private readonly cache: Cache,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Stores and answers the quote of a market order of `amount` at `price` (both already validated). */
  async issue(userId: string, pair: TradingPair, body: CreateQuoteBody, q: { amount: Dec; price: Dec; feeRate: Dec }): Promise<Quote> {
    const { cost, fee, total } = tradeFigures(body.side, q.amount, q.price, q.feeRate);
    const createdAt = this.now();
    const quote: Quote = {
      id: randomUUID(),
      symbol: pair.symbol,
      side: body.side,
      amount: q.amount.toFixed(),
      quoteAmount: body.quoteAmount ?? null,
      price: q.price.toFixed(),
      cost: cost.toFixed(2),
      fee: { currency: pair.quote, cost: fee.toFixed(2), rate: q.feeRate.toFixed() },
      total: total.toFixed(2),
      maxSlippageBps: body.maxSlippageBps ?? DEFAULT_MAX_SLIPPAGE_BPS,
      createdAt: new Date(createdAt).toISOString(),
      expiresAt: new Date(createdAt + QUOTE_TTL_MS).toISOString(),
    };
    const stored: StoredQuote = { ...quote, userId };
    await this.cache.set(quoteKey(quote.id), JSON.stringify(stored), KEEP_MS);
    return quote;
  }

  /**
   * Checks that `body` (a market order carrying `quoteId`) is the order the quote was for, that the quote is the
   * user's, unexpired and unused, and that `live` is within the slippage bound; then claims the quote. Another
   * user's quote is NOT_FOUND, as any other user's resource.
   */
  async redeem(userId: string, pair: TradingPair, body: CreateOrderBody, live: Dec): Promise<FirmQuote> {
    const id = body.quoteId!;
    const raw = await this.cache.get(quoteKey(id));
    const stored = raw === null ? null : parseStored(raw);
    if (!stored || stored.userId !== userId) throw new AppError('NOT_FOUND', 'Quote not found: get a new quote and confirm again');
    const sameOrder =
      stored.symbol === pair.symbol &&
      stored.side === body.side &&
      (body.quoteAmount !== undefined
        ? stored.quoteAmount !== null && new D(stored.quoteAmount).eq(body.quoteAmount)
        : stored.quoteAmount === null && new D(stored.amount).eq(body.amount!));
    if (!sameOrder) {
      const message = 'This order is not the one that was quoted (pair, side or amount differ): get a new quote';
      throw new AppError('VALIDATION_ERROR', message, [{ path: ['body', 'quoteId'], message }]);
    }
    if (this.now() >= Date.parse(stored.expiresAt)) throw new AppError('QUOTE_EXPIRED', 'This quote has expired: get a new quote and confirm again');
    const bound = body.maxSlippageBps ?? stored.maxSlippageBps;
    const quoted = new D(stored.price);
    const moved = slippageBps(quoted, live);
    if (moved.gt(bound)) {
      const pct = (bps: Dec | number) => `${new D(bps).div(100).toDecimalPlaces(2, D.ROUND_HALF_UP).toFixed()}%`;
      throw new AppError(
        'PRICE_MOVED',
        `The price moved ${pct(moved)} since your quote (${usd(quoted)} → ${usd(live)}), more than the ${pct(bound)} you allowed: nothing was traded; review the new price and confirm again`,
        { quotedPrice: stored.price, currentPrice: live.toFixed(), movedBps: moved.toDecimalPlaces(2).toNumber(), maxSlippageBps: bound },
      );
    }
    const claim = await this.cache.incr(claimKey(id), KEEP_MS);
    if (claim.count !== 1) throw new AppError('QUOTE_USED', 'This quote was already used for an order: get a new quote to trade again');
    return { price: quoted, release: () => this.cache.del(claimKey(id)) };
  }
}

/** "$97,025.97" (at least the cents; more places when the pair's tick has them). */
function usd(v: Dec): string {
  const [int = '0', frac = ''] = v.toFixed(Math.max(2, v.decimalPlaces())).split('.');
  return `$${int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac}`;
}

function parseStored(raw: string): StoredQuote | null {
  try {
    const v = JSON.parse(raw) as Partial<StoredQuote>;
    const q = quoteSchema.safeParse(v);
    return q.success && typeof v.userId === 'string' ? { ...q.data, userId: v.userId } : null;
  } catch {
    return null;
  }
}
