// @vitest-environment happy-dom
import type { Order } from '@cryptovault/contract';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { renderRoutes } from '../../test/render.tsx';
import { OrdersTable } from './OrdersTable.tsx';

afterEach(cleanup);

const order = (over: Partial<Order>): Order => ({
  id: '00000000-0000-4000-8000-000000000001',
  clientOrderId: null,
  symbol: 'BTC/USD',
  side: 'buy',
  type: 'limit',
  status: 'closed',
  price: '50000',
  triggerPrice: null,
  amount: '0.1',
  quoteAmount: null,
  filled: '0.1',
  remaining: '0',
  average: '50000',
  cost: '5000',
  fee: { currency: 'USD', cost: '5', rate: '0.001' },
  timeInForce: 'GTC',
  expiresAt: null,
  trailAmount: null,
  trailPercent: null,
  linkedOrderId: null,
  replacesOrderId: null,
  rejectReason: null,
  createdAt: '2025-03-01T10:00:00.000Z',
  updatedAt: '2025-03-01T10:00:00.000Z',
  ...over,
});

describe('OrdersTable', () => {
  it('marks orders imported from the original system, with their original status, and only those', () => {
    const imported = order({
      id: '00000000-0000-4000-8000-000000000002',
      status: 'canceled',
      filled: '0',
      imported: true,
      originalStatus: 'pending',
      originalType: 'stop_limit',
    });
    renderRoutes([{ path: '/', element: <OrdersTable orders={[order({}), imported]} label="Order history" /> }], '/', () => undefined);
    const badge = within(screen.getByTestId(`order-${imported.id}`)).getByText('Imported');
    expect(badge.getAttribute('title')).toContain('Status there: pending');
    expect(within(screen.getByTestId(`order-${order({}).id}`)).queryByText('Imported')).toBeNull();
  });

  it('Edit sends only what changed (cancel-and-replace on the server); a triggered stop-limit offers no trigger to edit', async () => {
    const open = order({ id: '00000000-0000-4000-8000-000000000003', status: 'open', filled: '0', remaining: '0.1', average: null, cost: '0' });
    const triggered = order({
      id: '00000000-0000-4000-8000-000000000004',
      type: 'stop_limit',
      status: 'open',
      triggerPrice: '49000',
      price: '49500',
      triggeredAt: '2025-03-01T10:05:00.000Z',
      filled: '0',
      average: null,
      cost: '0',
    });
    const { calls } = renderRoutes(
      [{ path: '/', element: <OrdersTable orders={[open, triggered]} cancellable label="Open orders" /> }],
      '/',
      (method, _path, body) =>
        method === 'PATCH'
          ? { status: 200, body: { ...open, id: '00000000-0000-4000-8000-000000000005', ...(body as object), replacesOrderId: open.id } }
          : undefined,
    );
    const [editOpen, editTriggered] = screen.getAllByRole('button', { name: 'Edit buy BTC/USD order' });
    await userEvent.click(editTriggered!);
    const triggeredForm = screen.getByRole('form', { name: 'Amend order' });
    expect(within(triggeredForm).queryByLabelText('Trigger price (USD)')).toBeNull();
    expect(within(triggeredForm).getByLabelText('Limit price (USD)')).toBeTruthy();
    await userEvent.click(within(triggeredForm).getByRole('button', { name: 'Close' }));

    await userEvent.click(editOpen!);
    const form = screen.getByRole('form', { name: 'Amend order' });
    const price = within(form).getByLabelText('Limit price (USD)');
    await userEvent.clear(price);
    await userEvent.type(price, '48000');
    await userEvent.click(within(form).getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(screen.queryByRole('form', { name: 'Amend order' })).toBeNull());
    expect(calls.filter((c) => c.method === 'PATCH').map((c) => [c.path, c.body])).toEqual([[`/api/orders/${open.id}`, { price: '48000' }]]);
  });
});
