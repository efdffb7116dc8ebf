import { type FeeSchedule, Money, tradeFigures } from '@cryptovault/contract';
import type { Platform } from '../../platform/index.ts';
import { withdrawalAssets } from '../withdrawals/index.ts';

/** The USD values of the fee page's example trades. */
const EXAMPLES: { side: 'buy' | 'sell'; value: string }[] = [
  { side: 'buy', value: '100' },
  { side: 'buy', value: '1000' },
  { side: 'sell', value: '1000' },
  { side: 'buy', value: '12.34' },
];

/**
 * The fee page's figures, from the settings that charge them: the trading fee rate settlement uses
 * (config.trading.feeRate, through the contract's `tradeFigures`, the one fee rule) and the withdrawal fees the
 * withdraw form shows and the hold adds (withdrawals' `withdrawalAssets`). Nothing here is typed by hand.
 */
export function feeSchedule(platform: Pick<Platform, 'config'>): FeeSchedule {
  const rate = platform.config.trading.feeRate;
  return {
    trading: {
      rate: new Money(rate).toFixed(),
      percent: new Money(rate).times(100).toFixed(),
      currency: 'USD',
      // An example of value V: amount 1 at price V.
      examples: EXAMPLES.map(({ side, value }) => {
        const f = tradeFigures(side, '1', value, rate);
        return { side, value: f.cost.toFixed(2), fee: f.fee.toFixed(2), total: f.total.toFixed(2) };
      }),
    },
    withdrawals: withdrawalAssets(platform).map((a) => ({ asset: a.asset, name: a.name, fee: a.fee })),
    depositFee: '0',
  };
}
