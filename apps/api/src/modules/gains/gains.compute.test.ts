import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { D, type Dec, ZERO } from '../ledger/index.ts';
import { type Disposal, GainsBook, type GainsEvent, type GainsMethod } from './gains.compute.ts';

const at = (iso: string) => new Date(`${iso}T12:00:00Z`);
const buy = (day: string, qty: string, cost: string): GainsEvent => ({
  kind: 'acquire',
  at: at(day),
  asset: 'BTC',
  qty: new D(qty),
  costUsd: new D(cost),
  source: 'buy',
  ref: `buy ${day}`,
});
const row = (r: Disposal) => ({
  qty: r.qty.toFixed(),
  acquired: r.acquiredAt?.toISOString().slice(0, 10) ?? null,
  cost: r.costUsd.toFixed(2),
  proceeds: r.proceedsUsd.toFixed(2),
  fee: r.feeUsd.toFixed(2),
  gain: r.gainUsd.toFixed(2),
  term: r.term,
});

/**
 * The same history for every method (BTC):
 *   2024-01-10  buy 1 BTC at $10,000 with a $10 fee          lot A: 1.0 costing $10,010.00 ($10,010 a unit)
 *   2024-03-01  deposit of 0.5 BTC credited at $15,000       lot B: 0.5 costing $15,000.00 ($30,000 a unit)
 *   2024-06-01  transfer in of 0.5 BTC at $20,000 then       lot C: 0.5 costing $10,000.00 ($20,000 a unit)
 *   2025-02-01  sell 1.2 BTC at $40,000: $48,000 − fee $48    proceeds net of fee $47,952.00
 * Proceeds and fee are spread over the lots a sale uses by quantity (the last part takes the remainder).
 * Long term: held more than 365 days (2024-01-10 → 2025-02-01 is 388 days; 2024-03-01 → 337; 2024-06-01 → 245).
 */
const history: GainsEvent[] = [
  buy('2024-01-10', '1', '10010'),
  { kind: 'acquire', at: at('2024-03-01'), asset: 'BTC', qty: new D('0.5'), costUsd: new D('15000'), source: 'deposit', ref: 'deposit' },
  { kind: 'acquire', at: at('2024-06-01'), asset: 'BTC', qty: new D('0.5'), costUsd: new D('10000'), source: 'transfer_in', ref: 'transfer' },
  { kind: 'dispose', at: at('2025-02-01'), asset: 'BTC', qty: new D('1.2'), proceedsUsd: new D('47952'), feeUsd: new D('48'), ref: 'sell' },
];

function run(method: GainsMethod, events: GainsEvent[]) {
  const book = new GainsBook(method);
  const rows = events.flatMap((e) => book.apply(e));
  return { book, rows, btc: book.assets().find((a) => a.asset === 'BTC')! };
}

describe('gains against hand-worked examples', () => {
  it('FIFO: the oldest lots first (a whole lot, then part of the next)', () => {
    const { rows, btc } = run('fifo', history);
    expect(rows.map(row)).toEqual([
      // lot A whole: cost 10,010.00; proceeds 47,952 × 1/1.2 = 39,960.00; fee 48 × 1/1.2 = 40.00; gain 29,950.00
      { qty: '1', acquired: '2024-01-10', cost: '10010.00', proceeds: '39960.00', fee: '40.00', gain: '29950.00', term: 'long' },
      // 0.2 of lot B: cost 15,000 × 0.2/0.5 = 6,000.00; proceeds 47,952 − 39,960 = 7,992.00; fee 8.00; gain 1,992.00
      { qty: '0.2', acquired: '2024-03-01', cost: '6000.00', proceeds: '7992.00', fee: '8.00', gain: '1992.00', term: 'short' },
    ]);
    // realised 29,950 + 1,992 = 31,942.00; open: 0.3 of B (9,000.00) + C (10,000.00) = 0.8 costing 19,000.00
    expect(btc.realizedUsd.toFixed(2)).toBe('31942.00');
    expect(btc.qty.toFixed()).toBe('0.8');
    expect(btc.basisUsd.toFixed(2)).toBe('19000.00');
  });

  it('HIFO: the highest cost per unit first (B at 30,000, C at 20,000, then part of A)', () => {
    const { rows, btc } = run('hifo', history);
    expect(rows.map(row)).toEqual([
      // B whole: proceeds 47,952 × 0.5/1.2 = 19,980.00, fee 20.00, gain 19,980 − 15,000 = 4,980.00
      { qty: '0.5', acquired: '2024-03-01', cost: '15000.00', proceeds: '19980.00', fee: '20.00', gain: '4980.00', term: 'short' },
      // C whole: proceeds 19,980.00, fee 20.00, gain 19,980 − 10,000 = 9,980.00
      { qty: '0.5', acquired: '2024-06-01', cost: '10000.00', proceeds: '19980.00', fee: '20.00', gain: '9980.00', term: 'short' },
      // 0.2 of A: cost 10,010 × 0.2 = 2,002.00; proceeds 47,952 − 2 × 19,980 = 7,992.00; fee 8.00; gain 5,990.00
      { qty: '0.2', acquired: '2024-01-10', cost: '2002.00', proceeds: '7992.00', fee: '8.00', gain: '5990.00', term: 'long' },
    ]);
    // realised 4,980 + 9,980 + 5,990 = 20,950.00; open: 0.8 of A costing 10,010 − 2,002 = 8,008.00
    expect(btc.realizedUsd.toFixed(2)).toBe('20950.00');
    expect(btc.qty.toFixed()).toBe('0.8');
    expect(btc.basisUsd.toFixed(2)).toBe('8008.00');
  });

  it('average cost: the pool average, with the dates (holding period) taken oldest first', () => {
    const { rows, btc } = run('average', history);
    // pool: 2 BTC costing 10,010 + 15,000 + 10,000 = 35,010.00; 1.2 of it costs 35,010 × 1.2/2 = 21,006.00,
    // spread by quantity over the dates used: A 1.0 → 21,006/1.2 = 17,505.00, B 0.2 → the remaining 3,501.00
    expect(rows.map(row)).toEqual([
      // gain 39,960 − 17,505 = 22,455.00
      { qty: '1', acquired: '2024-01-10', cost: '17505.00', proceeds: '39960.00', fee: '40.00', gain: '22455.00', term: 'long' },
      // gain 7,992 − 3,501 = 4,491.00
      { qty: '0.2', acquired: '2024-03-01', cost: '3501.00', proceeds: '7992.00', fee: '8.00', gain: '4491.00', term: 'short' },
    ]);
    // realised 47,952 − 21,006 = 26,946.00; open 0.8 costing 35,010 − 21,006 = 14,004.00 (= 0.8 × 17,505)
    expect(btc.realizedUsd.toFixed(2)).toBe('26946.00');
    expect(btc.basisUsd.toFixed(2)).toBe('14004.00');
  });

  it('a withdrawal is not a sale: it removes lots (by the method’s order) without a gain', () => {
    // FIFO after the sale: B 0.3 (9,000.00), C 0.5 (10,000.00). Withdraw 0.4: all of B's 0.3 (9,000.00) and 0.1 of C
    // (10,000 × 0.1/0.5 = 2,000.00): 11,000.00 of cost leaves, no row, nothing realised.
    const { rows, btc } = run('fifo', [...history, { kind: 'remove', at: at('2025-03-01'), asset: 'BTC', qty: new D('0.4'), reason: 'withdrawal', ref: 'w' }]);
    expect(rows).toHaveLength(2);
    expect(btc.realizedUsd.toFixed(2)).toBe('31942.00');
    expect(btc.removedUsd.toFixed(2)).toBe('11000.00');
    expect(btc.qty.toFixed()).toBe('0.4');
    expect(btc.basisUsd.toFixed(2)).toBe('8000.00');
  });

  it('partial lots in cents: what is taken is rounded to the cent and the rest stays on the lot', () => {
    // Buy 3 for $100.00 (33.333… a unit). Sell 1 for $50.00: cost 100/3 = 33.33 (rounded), gain 16.67.
    // Sell the other 2 for $100.00: the lot is used up, so it costs what is left, 100 − 33.33 = 66.67; gain 33.33.
    for (const method of ['fifo', 'hifo', 'average'] as const) {
      const { rows, btc } = run(method, [
        buy('2024-01-01', '3', '100'),
        { kind: 'dispose', at: at('2024-02-01'), asset: 'BTC', qty: new D('1'), proceedsUsd: new D('50'), feeUsd: new D('0.5'), ref: 's1' },
        { kind: 'dispose', at: at('2024-03-01'), asset: 'BTC', qty: new D('2'), proceedsUsd: new D('100'), feeUsd: new D('1'), ref: 's2' },
      ]);
      expect(rows.map((r) => [r.costUsd.toFixed(2), r.gainUsd.toFixed(2)])).toEqual([
        ['33.33', '16.67'],
        ['66.67', '33.33'],
      ]);
      expect(btc.basisUsd.toFixed(2)).toBe('0.00');
      expect(btc.realizedUsd.toFixed(2)).toBe('50.00'); // 150 − 100
    }
  });

  it('a sale of more than the recorded lots: the rest has no acquisition on record (cost 0, holding period unknown)', () => {
    const { rows } = run('fifo', [
      buy('2024-01-01', '1', '100'),
      { kind: 'dispose', at: at('2024-02-01'), asset: 'BTC', qty: new D('1.5'), proceedsUsd: new D('300'), feeUsd: ZERO, ref: 's' },
    ]);
    // 1 of 1.5 from the lot: proceeds 300 × 1/1.5 = 200.00, gain 100.00; 0.5 unmatched: proceeds 100.00, gain 100.00
    expect(rows.map(row)).toEqual([
      { qty: '1', acquired: '2024-01-01', cost: '100.00', proceeds: '200.00', fee: '0.00', gain: '100.00', term: 'short' },
      { qty: '0.5', acquired: null, cost: '0.00', proceeds: '100.00', fee: '0.00', gain: '100.00', term: 'unknown' },
    ]);
  });

  it('exactly 365 days is short term, 366 is long', () => {
    const { rows } = run('fifo', [
      buy('2023-01-01', '2', '100'),
      { kind: 'dispose', at: at('2024-01-01'), asset: 'BTC', qty: new D('1'), proceedsUsd: new D('60'), feeUsd: ZERO, ref: 'a' }, // 365 days
      { kind: 'dispose', at: at('2024-01-02'), asset: 'BTC', qty: new D('1'), proceedsUsd: new D('60'), feeUsd: ZERO, ref: 'b' }, // 366 days
    ]);
    expect(rows.map((r) => r.term)).toEqual(['short', 'long']);
  });
});

const ASSETS = ['BTC', 'ETH', 'SOL'];
const qtyArb = fc.integer({ min: 1, max: 5_000_000_000 }).map((n) => new D(n).div(1e8)); // 0.00000001 … 50
const usdArb = fc.integer({ min: 0, max: 10_000_000 }).map((n) => new D(n).div(100)); // 0.00 … 100,000.00
const eventArb = fc.record({
  kind: fc.constantFrom('acquire', 'acquire', 'dispose', 'remove'),
  asset: fc.constantFrom(...ASSETS),
  qty: qtyArb,
  usd: usdArb,
  fee: usdArb.map((v) => v.div(100).toDecimalPlaces(2)),
  days: fc.integer({ min: 0, max: 60 }),
});

describe('property: realised + unrealised = total P&L', () => {
  for (const method of ['fifo', 'hifo', 'average'] as const) {
    it(`${method}: for random histories, Σ realised + Σ (value − open cost) = value now + proceeds − cost of what was acquired and not sent away`, () => {
      fc.assert(
        fc.property(fc.array(eventArb, { maxLength: 60 }), fc.tuple(usdArb, usdArb, usdArb), (raw, prices) => {
          const book = new GainsBook(method);
          let t = Date.UTC(2023, 0, 1);
          const rows: Disposal[] = [];
          for (const r of raw) {
            t += r.days * 86_400_000;
            const base = { at: new Date(t), asset: r.asset, qty: r.qty, ref: 'x' };
            const e: GainsEvent =
              r.kind === 'acquire'
                ? { ...base, kind: 'acquire', costUsd: r.usd, source: 'buy' }
                : r.kind === 'dispose'
                  ? { ...base, kind: 'dispose', proceedsUsd: r.usd, feeUsd: r.fee }
                  : { ...base, kind: 'remove', reason: 'withdrawal' };
            rows.push(...book.apply(e));
          }
          const price = new Map<string, Dec>(ASSETS.map((a, i) => [a, prices[i]!]));
          let realized = ZERO;
          let unrealized = ZERO;
          let value = ZERO;
          let proceeds = ZERO;
          let keptCost = ZERO;
          for (const a of book.assets()) {
            const v = a.qty.times(price.get(a.asset)!);
            realized = realized.plus(a.realizedUsd);
            unrealized = unrealized.plus(v.minus(a.basisUsd));
            value = value.plus(v);
            proceeds = proceeds.plus(a.proceedsUsd);
            keptCost = keptCost.plus(a.acquiredUsd).minus(a.removedUsd);
            expect(a.basisUsd.gte(0)).toBe(true);
            expect(a.qty.gte(0)).toBe(true);
          }
          expect(realized.plus(unrealized).toFixed()).toBe(value.plus(proceeds).minus(keptCost).toFixed());
          // The rows are the realised gains, exactly (whole cents, no rounding drift).
          expect(rows.reduce((s, r) => s.plus(r.gainUsd), ZERO).toFixed()).toBe(realized.toFixed());
          for (const r of rows) expect(r.costUsd.decimalPlaces()).toBeLessThanOrEqual(2);
        }),
        { numRuns: 300 },
      );
    });
  }
});
