// @vitest-environment happy-dom
import { previewTrade } from '@cryptovault/contract';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
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
  feeRate: '0.001',
};

describe('order preview (the contract previewTrade: the fee rule of settlement)', () => {
  it('computes cost (half-up) and fee (up) in cents, as settlement charges, and the total from them', () => {
    expect(previewTrade({ side: 'buy', amount: '0.001', price: '96593.77', feeRate: '0.001', amountPrecision: 8 })).toEqual({
      amount: '0.001',
      cost: '96.59',
      fee: '0.1',
      total: '96.69',
    });
    expect(previewTrade({ side: 'buy', amount: '0.02', price: '97025.97', feeRate: '0.001', amountPrecision: 8 })).toMatchObject({
      fee: '1.95',
      total: '1942.47',
    });
    expect(previewTrade({ side: 'sell', amount: '0.1', price: '0.3', feeRate: '0.001', amountPrecision: 8 })).toEqual({
      amount: '0.1',
      cost: '0.03',
      fee: '0.01',
      total: '0.02',
    });
    expect(previewTrade({ side: 'buy', amount: 'abc', price: '1', feeRate: '0.001', amountPrecision: 8 })).toBeNull();
    expect(previewTrade({ side: 'buy', amount: '1', price: undefined, feeRate: '0.001', amountPrecision: 8 })).toBeNull();
  });

  it('buys what a USD budget pays for, fee included, for a market buy', () => {
    expect(previewTrade({ side: 'buy', quoteAmount: '100.10', price: '50000', feeRate: '0.001', amountPrecision: 8 })).toEqual({
      amount: '0.00200009',
      cost: '100',
      fee: '0.1',
      total: '100.1',
    });
  });
});

const QUOTE = {
  id: '6f9c1d2e-0000-4000-8000-000000000001',
  symbol: 'BTC/USD',
  side: 'buy',
  amount: '0.001',
  quoteAmount: null,
  price: '100000',
  cost: '100.00',
  fee: { currency: 'USD', cost: '0.10', rate: '0.001' },
  total: '100.10',
  maxSlippageBps: 50,
  createdAt: new Date().toISOString(),
  expiresAt: new Date(Date.now() + 15_000).toISOString(),
};

describe('OrderForm', () => {
  it('validates with the contract, maps INSUFFICIENT_FUNDS to the amount field, and shows the preview', async () => {
    const balances = { items: [{ asset: 'USD', available: '50.00', locked: '0', total: '50.00', valueUsd: '50.00' }], totalUsd: '50.00' };
    const { calls } = renderRoutes([{ path: '/', element: <OrderForm pair={pair} livePrice="100000" /> }], '/', (method, path) => {
      if (path === '/api/wallet/balances') return { status: 200, body: balances };
      if (method === 'POST' && path === '/api/quotes') return { status: 201, body: QUOTE };
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
    // A market order is confirmed first, on the server's quote; nothing is placed until Confirm.
    const dialog = await screen.findByRole('dialog', { name: 'Confirm buy BTC' });
    expect(await within(dialog).findByTestId('quote-total')).toHaveProperty('textContent', '$100.10');
    expect(within(dialog).getByTestId('quote-fee').textContent).toBe('$0.10');
    expect(calls.find((c) => c.path === '/api/quotes')?.body).toEqual({ symbol: 'BTC/USD', side: 'buy', amount: '0.001', maxSlippageBps: 50 });
    expect(calls.some((c) => c.path === '/api/orders')).toBe(false);
    await userEvent.selectOptions(within(dialog).getByLabelText('Max. slippage'), '100');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Buy 0.001 BTC' }));
    expect((await screen.findAllByText('Not enough USD for this order')).length).toBeGreaterThan(0);
    const order = calls.find((c) => c.path === '/api/orders');
    expect(order?.body).toEqual({ symbol: 'BTC/USD', side: 'buy', type: 'market', amount: '0.001', quoteId: QUOTE.id, maxSlippageBps: 100 });
  });

  it('a quote the balance cannot pay: the dialog says so in the server’s words, and nothing can be placed', async () => {
    const balances = { items: [{ asset: 'USD', available: '50.00', locked: '0', total: '50.00', valueUsd: '50.00' }], totalUsd: '50.00' };
    const message = 'Insufficient funds: this order needs $100.10 (fee included) and $50.00 is available';
    const { calls } = renderRoutes([{ path: '/', element: <OrderForm pair={pair} livePrice="100000" /> }], '/', (method, path) => {
      if (path === '/api/wallet/balances') return { status: 200, body: balances };
      if (method === 'POST' && path === '/api/quotes') return { status: 422, body: { error: { code: 'INSUFFICIENT_FUNDS', message, requestId: 'r' } } };
      return undefined;
    });
    await userEvent.type(screen.getByLabelText('Amount (BTC)'), '0.001');
    await userEvent.click(screen.getByRole('button', { name: 'Buy BTC' }));
    const dialog = await screen.findByRole('dialog', { name: 'Confirm buy BTC' });
    expect(await within(dialog).findByText(message)).toBeTruthy();
    expect(within(dialog).getByText('No quote for this order: nothing was placed.')).toBeTruthy();
    expect(within(dialog).queryByTestId('quote-total')).toBeNull();
    const buy = within(dialog).getByRole('button', { name: 'Buy 0.001 BTC' });
    expect(buy).toHaveProperty('disabled', true);
    await userEvent.click(buy);
    expect(calls.filter((c) => c.path === '/api/quotes')).toHaveLength(1);
    expect(calls.some((c) => c.path === '/api/orders')).toBe(false);
  });

  it('Max and % fill the amount from the available balance, a buy’s fee included', async () => {
    const balances = {
      items: [
        { asset: 'USD', available: '1001', locked: '0', total: '1001', valueUsd: '1001' },
        { asset: 'BTC', available: '0.5', locked: '0', total: '0.5', valueUsd: '50000' },
      ],
      totalUsd: '51001',
    };
    renderRoutes([{ path: '/', element: <OrderForm pair={pair} livePrice="100000" /> }], '/', (_m, path) =>
      path === '/api/wallet/balances' ? { status: 200, body: balances } : undefined,
    );
    expect(await screen.findByText(/Available: \$1,001/)).toBeTruthy();
    // A market buy: Max spends the dollars (fee included), so a price that moves before the quote cannot overspend.
    await userEvent.click(screen.getByRole('button', { name: 'Max' }));
    expect((screen.getByLabelText('Spend (USD, fee included)') as HTMLInputElement).value).toBe('1001.00');
    expect(screen.getByTestId('order-total').textContent).toBe('$1,001.00');
    await userEvent.click(screen.getByRole('button', { name: '50%' }));
    expect((screen.getByLabelText('Spend (USD, fee included)') as HTMLInputElement).value).toBe('500.50');
    // Leaving USD mode empties the amount: $500.50 is not 500.5 BTC.
    await userEvent.click(screen.getByRole('button', { name: 'Sell' }));
    expect((screen.getByLabelText('Amount (BTC)') as HTMLInputElement).value).toBe('');
    await userEvent.click(screen.getByRole('button', { name: 'Buy' }));
    // A limit buy holds at its price: Max is the most the $1,001 buys at $100,000 under the cent rule (contract
    // tradeFigures): 0.01000004 BTC is worth $1,000.004, charged $1,000.00 + a $1.00 fee: all of the $1,001.
    await userEvent.selectOptions(screen.getByLabelText('Order type'), 'limit');
    await userEvent.type(screen.getByLabelText('Limit price (USD)'), '100000');
    await userEvent.click(screen.getByRole('button', { name: 'Max' }));
    expect((screen.getByLabelText('Amount (BTC)') as HTMLInputElement).value).toBe('0.01000004');
    expect(screen.getByTestId('order-total').textContent).toBe('$1,001.00');
    await userEvent.click(screen.getByRole('button', { name: 'Sell' }));
    await userEvent.click(screen.getByRole('button', { name: '25%' }));
    expect((screen.getByLabelText('Amount (BTC)') as HTMLInputElement).value).toBe('0.125');
  });

  it('previews and sizes Max with the fee rate the server lists for the pair, not an assumed one', async () => {
    const balances = { items: [{ asset: 'USD', available: '1005', locked: '0', total: '1005', valueUsd: '1005' }], totalUsd: '1005' };
    renderRoutes([{ path: '/', element: <OrderForm pair={{ ...pair, feeRate: '0.005' }} livePrice="100000" /> }], '/', (_m, path) =>
      path === '/api/wallet/balances' ? { status: 200, body: balances } : undefined,
    );
    expect(await screen.findByText(/Available: \$1,005/)).toBeTruthy();
    expect(screen.getByText('Fee (0.5%)')).toBeTruthy();
    await userEvent.type(screen.getByLabelText('Amount (BTC)'), '0.001');
    expect(screen.getByTestId('order-fee').textContent).toBe('$0.50');
    expect(screen.getByTestId('order-total').textContent).toBe('$100.50');
    await userEvent.selectOptions(screen.getByLabelText('Order type'), 'limit');
    await userEvent.type(screen.getByLabelText('Limit price (USD)'), '100000');
    await userEvent.click(screen.getByRole('button', { name: 'Max' }));
    // $1,005 at a 0.5 % fee buys $1,000 of BTC (0.01000004 BTC is worth $1,000.004, charged $1,000.00 + $5.00).
    expect((screen.getByLabelText('Amount (BTC)') as HTMLInputElement).value).toBe('0.01000004');
    expect(screen.getByTestId('order-total').textContent).toBe('$1,005.00');
  });

  it('a limit order good till a date sends GTD with the time as UTC; a stop offers only GTC and GTD', async () => {
    const balances = { items: [{ asset: 'USD', available: '1000', locked: '0', total: '1000', valueUsd: '1000' }], totalUsd: '1000' };
    const { calls } = renderRoutes([{ path: '/', element: <OrderForm pair={pair} livePrice="100000" /> }], '/', (method, path, body) => {
      if (path === '/api/wallet/balances') return { status: 200, body: balances };
      if (method === 'POST' && path === '/api/orders') return { status: 201, body: { ...QUOTE, ...(body as object), status: 'open' } };
      return undefined;
    });
    expect(await screen.findByText(/Available: \$1,000/)).toBeTruthy();
    // A market order has no time in force.
    expect(screen.queryByLabelText('Time in force')).toBeNull();
    await userEvent.selectOptions(screen.getByLabelText('Order type'), 'stop_loss');
    expect([...(screen.getByLabelText('Time in force') as HTMLSelectElement).options].map((o) => o.value)).toEqual(['GTC', 'GTD']);
    await userEvent.selectOptions(screen.getByLabelText('Order type'), 'limit');
    expect([...(screen.getByLabelText('Time in force') as HTMLSelectElement).options].map((o) => o.value)).toEqual(['GTC', 'IOC', 'FOK', 'GTD']);
    await userEvent.type(screen.getByLabelText('Limit price (USD)'), '90000');
    await userEvent.type(screen.getByLabelText('Amount (BTC)'), '0.001');
    await userEvent.selectOptions(screen.getByLabelText('Time in force'), 'GTD');
    const local = new Date(Date.now() + 2 * 86_400_000);
    const value = `${local.getFullYear()}-${String(local.getMonth() + 1).padStart(2, '0')}-${String(local.getDate()).padStart(2, '0')}T09:30`;
    await userEvent.type(screen.getByLabelText('Expires at'), value);
    await userEvent.click(screen.getByRole('button', { name: 'Buy BTC' }));
    await waitFor(() => expect(calls.some((c) => c.path === '/api/orders')).toBe(true));
    const sent = calls.find((c) => c.path === '/api/orders')?.body as Record<string, unknown>;
    expect(sent).toMatchObject({ type: 'limit', price: '90000', amount: '0.001', timeInForce: 'GTD' });
    expect(sent.expiresAt).toBe(new Date(value).toISOString());
  });

  it('a trigger the market already passed: shows the server’s warning and places it only when confirmed', async () => {
    const balances = { items: [{ asset: 'BTC', available: '1', locked: '0', total: '1', valueUsd: '100000' }], totalUsd: '100000' };
    const { calls } = renderRoutes([{ path: '/', element: <OrderForm pair={pair} livePrice="100000" /> }], '/', (method, path, body) => {
      if (path === '/api/wallet/balances') return { status: 200, body: balances };
      if (method === 'POST' && path === '/api/orders' && !(body as { confirmImmediate?: boolean }).confirmImmediate)
        return { status: 422, body: { error: { code: 'TRIGGER_WOULD_FIRE_NOW', message: 'It would fill at once.', requestId: 'r' } } };
      return undefined;
    });
    await userEvent.click(screen.getByRole('button', { name: 'Sell' }));
    await userEvent.selectOptions(screen.getByLabelText('Order type'), 'stop_loss');
    await userEvent.type(screen.getByLabelText('Trigger price (USD)'), '110000');
    await userEvent.type(screen.getByLabelText('Amount (BTC)'), '0.1');
    await userEvent.click(screen.getByRole('button', { name: 'Sell BTC' }));
    expect((await screen.findByTestId('fires-now')).textContent).toContain('It would fill at once.');
    await userEvent.click(screen.getByRole('button', { name: 'Place it anyway (fills now)' }));
    const posts = calls.filter((c) => c.path === '/api/orders');
    expect(posts.map((c) => (c.body as { confirmImmediate?: boolean }).confirmImmediate)).toEqual([undefined, true]);
    expect(posts[0]?.body).toMatchObject({ type: 'stop_loss', side: 'sell', triggerPrice: '110000', amount: '0.1', timeInForce: 'GTC' });
  });
});
