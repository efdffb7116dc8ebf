import { previewTrade, type TradingPair } from '@cryptovault/contract';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { D } from '../ledger/index.ts';
import { amountForBudget, fillEntry } from './settlement.ts';

/**
 * The order form's preview (contract previewTrade) and settlement (fillEntry) charge the same fee and total for a fill
 * at the same price: one rule, in the contract (tradeFigures). Issue 20: the preview said fee $1.95 and total
 * $1,942.47, the order charged 1.9405194 and 1,942.4599; now every USD figure of a trade is whole cents (value
 * half-up, fee up), so what is shown is what is charged.
 */
const pair: TradingPair = {
  symbol: 'BTC/USD',
  base: 'BTC',
  quote: 'USD',
  assetId: 'bitcoin',
  pricePrecision: 2,
  amountPrecision: 8,
  minAmount: '0.00001',
  minCost: '1.00',
  maxCost: '1000000000.00',
};

function settle(side: 'buy' | 'sell', amount: string, price: string, feeRate: string) {
  const f = fillEntry({
    userId: '00000000-0000-4000-8000-000000000001',
    orderId: 'o',
    pair,
    side,
    amount: new D(amount),
    price: new D(price),
    feeRate: new D(feeRate),
    held: new D(0),
    heldAsset: 'USD',
  });
  const total = side === 'buy' ? f.cost.plus(f.fee) : f.cost.minus(f.fee);
  return { cost: f.cost.toFixed(), fee: f.fee.toFixed(), total: total.toFixed() };
}

const cases: [side: 'buy' | 'sell', amount: string, price: string, feeRate: string][] = [
  ['buy', '0.02', '97025.97', '0.001'],
  ['buy', '0.001', '96593.77', '0.001'],
  ['sell', '0.1', '0.3', '0.001'],
  ['buy', '0.00001', '12.34', '0.0025'],
  ['sell', '1.23456789', '65432.1', '0.00075'],
  ['buy', '12345.6789', '0.00012345', '0.001'],
  ['sell', '3', '1999.99', '0'],
];

describe('order preview and settlement agree', () => {
  it.each(cases)('%s %s at %s (fee rate %s)', (side, amount, price, feeRate) => {
    const preview = previewTrade({ side, amount, price, feeRate, amountPrecision: pair.amountPrecision });
    expect(preview).not.toBeNull();
    const { cost, fee, total } = settle(side, amount, price, feeRate);
    expect(preview).toEqual({ amount: new D(amount).toFixed(), cost, fee, total });
  });

  it("charges what the issue's preview showed: fee $1.95, total $1,942.47", () => {
    expect(previewTrade({ side: 'buy', amount: '0.02', price: '97025.97', feeRate: '0.001', amountPrecision: 8 })).toMatchObject({
      cost: '1940.52',
      fee: '1.95',
      total: '1942.47',
    });
    expect(settle('buy', '0.02', '97025.97', '0.001')).toEqual({ cost: '1940.52', fee: '1.95', total: '1942.47' });
  });

  it('rounds value half-up and the fee up, to the cent', () => {
    expect(settle('buy', '0.001', '10.005', '0.001')).toEqual({ cost: '0.01', fee: '0.01', total: '0.02' });
    expect(settle('sell', '1', '100.004', '0.0015')).toEqual({ cost: '100', fee: '0.15', total: '99.85' });
    expect(settle('sell', '1', '100.4', '0.0015')).toEqual({ cost: '100.4', fee: '0.16', total: '100.24' });
    expect(settle('sell', '1', '100', '0')).toEqual({ cost: '100', fee: '0', total: '100' });
  });

  it('property: the total shown in cents is the total charged, and every USD figure is whole cents', () => {
    const decimal = (maxInt: number, places: number) =>
      fc.tuple(fc.integer({ min: 0, max: maxInt }), fc.integer({ min: 0, max: 10 ** places - 1 })).map(([i, f]) => `${i}.${String(f).padStart(places, '0')}`);
    fc.assert(
      fc.property(
        fc.constantFrom<'buy' | 'sell'>('buy', 'sell'),
        decimal(50, 8),
        decimal(200_000, 2),
        fc.constantFrom('0', '0.001', '0.0025', '0.00075'),
        (side, amount, price, feeRate) => {
          fc.pre(new D(amount).gt(0) && new D(price).gt(0));
          const preview = previewTrade({ side, amount, price, feeRate, amountPrecision: 8 });
          const charged = settle(side, amount, price, feeRate);
          expect(preview).toEqual({ amount: new D(amount).toFixed(), ...charged });
          for (const v of [charged.cost, charged.fee, charged.total]) expect(new D(v).decimalPlaces()).toBeLessThanOrEqual(2);
          // What the form shows, rounded to the cent for display, is the very figure charged.
          expect(new D(preview!.total).toFixed(2)).toBe(new D(charged.total).toFixed(2));
          expect(new D(preview!.total).eq(charged.total)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each([
    ['100.10', '50000', '0.001'],
    ['25', '97025.97', '0.001'],
    ['1000000', '0.5', '0.0025'],
    ['7.77', '3.21', '0.01'],
  ])('a market buy spending %s at %s (fee rate %s) buys what settlement buys', (budget, price, feeRate) => {
    const preview = previewTrade({ side: 'buy', quoteAmount: budget, price, feeRate, amountPrecision: pair.amountPrecision });
    const amount = amountForBudget(pair, new D(budget), new D(price), new D(feeRate));
    expect(preview?.amount).toBe(amount.toFixed());
    const settled = settle('buy', amount.toFixed(), price, feeRate);
    expect(preview).toEqual({ amount: amount.toFixed(), ...settled });
    expect(new D(settled.total).lte(budget)).toBe(true);
  });
});
