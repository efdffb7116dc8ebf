// @vitest-environment happy-dom
import { previewTrade } from '@cryptovault/contract';
import { cleanup, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { renderRoutes } from '../test/render.tsx';
import { OrderForm } from './OrderForm.tsx';

afterEach(cleanup);

const pair = {
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

describe('order preview (the contract previewTrade: the fee rule of settlement)', () => {
  it('computes cost, fee (rounded up to 8 places, as settlement charges) and total exactly', () => {
    expect(previewTrade({ side: 'buy', amount: '0.001', price: '96593.77', feeRate: '0.001', amountPrecision: 8 })).toEqual({
      amount: '0.001',
      cost: '96.59377',
      fee: '0.09659377',
      total: '96.69036377',
    });
    expect(previewTrade({ side: 'buy', amount: '0.02', price: '97025.97', feeRate: '0.001', amountPrecision: 8 })?.fee).toBe('1.9405194');
    expect(previewTrade({ side: 'sell', amount: '0.1', price: '0.3', feeRate: '0.001', amountPrecision: 8 })).toEqual({
      amount: '0.1',
      cost: '0.03',
      fee: '0.00003',
      total: '0.02997',
    });
    expect(previewTrade({ side: 'buy', amount: 'abc', price: '1', feeRate: '0.001', amountPrecision: 8 })).toBeNull();
    expect(previewTrade({ side: 'buy', amount: '1', price: undefined, feeRate: '0.001', amountPrecision: 8 })).toBeNull();
  });

  it('buys what a USD budget pays for, fee included, for a market buy', () => {
    expect(previewTrade({ side: 'buy', quoteAmount: '100.10', price: '50000', feeRate: '0.001', amountPrecision: 8 })).toEqual({
      amount: '0.002',
      cost: '100',
      fee: '0.1',
      total: '100.1',
    });
  });
});

describe('OrderForm', () => {
  it('validates with the contract, maps INSUFFICIENT_FUNDS to the amount field, and shows the preview', async () => {
    const balances = { items: [{ asset: 'USD', available: '50.00', locked: '0', total: '50.00', valueUsd: '50.00' }], totalUsd: '50.00' };
    const { calls } = renderRoutes([{ path: '/', element: <OrderForm pair={pair} livePrice="100000" /> }], '/', (method, path) => {
      if (path === '/api/wallet/balances') return { status: 200, body: balances };
      if (method === 'POST' && path === '/api/orders')
        return { status: 422, body: { error: { code: 'INSUFFICIENT_FUNDS', message: 'Not enough USD for this order', requestId: 'r' } } };
      return undefined;
    });
    expect(await screen.findByText(/Available: \$50\.00/)).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Buy BTC' }));
    expect(await screen.findByText('Enter an amount')).toBeTruthy();
    expect(calls.some((c) => c.path === '/api/orders')).toBe(false);

    await userEvent.type(screen.getByLabelText('Amount (BTC)'), '0.001');
    expect(screen.getByTestId('order-fee').textContent).toBe('$0.10');
    expect(screen.getByTestId('order-total').textContent).toBe('$100.10');
    await userEvent.click(screen.getByRole('button', { name: 'Buy BTC' }));
    expect(await screen.findByText('Not enough USD for this order')).toBeTruthy();
    const order = calls.find((c) => c.path === '/api/orders');
    expect(order?.body).toEqual({ symbol: 'BTC/USD', side: 'buy', type: 'market', amount: '0.001' });
  });
});
