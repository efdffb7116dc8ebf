import { previewTrade, type TradingPair } from '@cryptovault/contract';
import { describe, expect, it } from 'vitest';
import { D } from '../ledger/index.ts';
import { amountForBudget, fillEntry } from './settlement.ts';

/**
 * The order form's preview (contract previewTrade) and settlement (fillEntry) charge the same fee and total for a fill
 * at the same price: one rule, in the contract (tradeFee). Issue 18: the preview said $1.95, the order charged
 * $1.9405194.
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

  it('charges the fee the issue reported, not the cent-rounded one the old preview showed', () => {
    expect(previewTrade({ side: 'buy', amount: '0.02', price: '97025.97', feeRate: '0.001', amountPrecision: 8 })?.fee).toBe('1.9405194');
    expect(settle('buy', '0.02', '97025.97', '0.001').fee).toBe('1.9405194');
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
