// @vitest-environment happy-dom
import type { Order } from '@cryptovault/contract';
import { cleanup, screen, within } from '@testing-library/react';
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
});
