// @vitest-environment happy-dom
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClientToServerEvents, Order, ServerToClientEvents } from '@cryptovault/contract';
import { cleanup, screen } from '@testing-library/react';
import { Server } from 'socket.io';
import { useEffect } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { createRealtime, type Realtime } from '../lib/socket.ts';
import { useLivePrice } from '../shared/market.ts';
import { orderToast } from '../shared/orderToast.ts';
import { useToast } from '../ui/Toasts.tsx';
import { renderRoutes } from '../test/render.tsx';
import { RealtimeBridge } from './RealtimeBridge.tsx';

const closers: (() => void)[] = [];
afterEach(() => {
  cleanup();
  for (const close of closers.splice(0)) close();
});

/** A real Socket.IO server typed by the contract, as the API's is: what it emits is what the bridge receives. */
async function stand() {
  const http = createServer();
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(http, { transports: ['websocket'] });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  closers.push(() => {
    io.close();
    http.closeAllConnections();
  });
  return { io, url };
}

function connected(realtime: Realtime): Promise<void> {
  return new Promise((resolve) => {
    const off = realtime.onStatus((s) => {
      if (s === 'connected') {
        off();
        resolve();
      }
    });
  });
}

function LivePrice({ assetId }: { assetId: string }) {
  return <output aria-label={`${assetId} price`}>{useLivePrice(assetId) ?? 'none'}</output>;
}

/** What OrderForm does with the HTTP answer of a market order. */
function FormAnswer({ order: o }: { order: Order }) {
  const toast = useToast();
  useEffect(() => {
    const t = orderToast(o);
    if (t) toast.show(t.kind, t.title, t.body, t.key);
  }, [toast, o]);
  return null;
}

const order: Order = {
  id: 'o-1',
  clientOrderId: null,
  symbol: 'BTC/USD',
  side: 'buy',
  type: 'market',
  status: 'closed',
  price: null,
  triggerPrice: null,
  amount: '0.01',
  quoteAmount: null,
  filled: '0.01',
  remaining: '0',
  average: '50000',
  cost: '500',
  fee: { currency: 'USD', cost: '0.5', rate: '0.001' },
  timeInForce: 'GTC',
  expiresAt: null,
  trailAmount: null,
  trailPercent: null,
  linkedOrderId: null,
  replacesOrderId: null,
  rejectReason: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('RealtimeBridge', () => {
  it('turns typed socket events into live prices and toasts', async () => {
    const { io, url } = await stand();
    const realtime = createRealtime({ url, path: '/socket.io/', pageOrigin: url });
    closers.push(() => realtime.close());
    const up = connected(realtime);
    const element = (
      <>
        <RealtimeBridge />
        <LivePrice assetId="bitcoin" />
      </>
    );
    renderRoutes([{ path: '/', element }], '/', () => undefined, realtime);
    await up;

    io.emit('prices', { ts: Date.now(), prices: { bitcoin: '50123.45' } });
    io.emit('order:update', order);
    io.emit('order:update', { ...order, id: 'o-2', status: 'rejected', rejectReason: 'Insufficient funds' });
    io.emit('announcement', {
      id: 'a-1',
      title: 'Maintenance',
      message: 'Tonight 02:00 UTC',
      level: 'warning',
      createdBy: null,
      createdAt: '2026-01-01T00:00:00.000Z',
    });

    expect(await screen.findByText(/^Order filled: bought/)).toBeTruthy();
    expect(await screen.findByText('Insufficient funds')).toBeTruthy();
    expect(await screen.findByText('Tonight 02:00 UTC')).toBeTruthy();
    expect((await screen.findByText('50123.45')).getAttribute('aria-label')).toBe('bitcoin price');
  });

  it('makes exactly one toast per order event, whether the form answer, the socket or both report it', async () => {
    const { io, url } = await stand();
    const realtime = createRealtime({ url, path: '/socket.io/', pageOrigin: url });
    closers.push(() => realtime.close());
    const up = connected(realtime);
    const filled: Order = { ...order, id: 'o-9', amount: '0.02', filled: '0.02' };
    const element = (
      <>
        <RealtimeBridge />
        <FormAnswer order={filled} />
      </>
    );
    renderRoutes([{ path: '/', element }], '/', () => undefined, realtime);
    await up;
    expect(await screen.findByText('Order filled: bought 0.02 BTC')).toBeTruthy();
    // The socket reports the same fill (twice, as a reconnect may), and the notification it stored.
    io.emit('order:update', filled);
    io.emit('order:update', filled);
    io.emit('notification', {
      id: 'n-1',
      type: 'order_filled',
      title: 'Order filled: bought 0.02 BTC',
      body: 'Bought 0.02 BTC at $50,000.00 for $1,000.00, fee $1.00.',
      data: { orderId: 'o-9' },
      readAt: null,
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    // A different event of another order still toasts: once it is on screen, everything before it was handled.
    io.emit('order:update', { ...order, id: 'o-10', status: 'expired' });
    expect(await screen.findByText('Order expired')).toBeTruthy();
    expect(screen.getAllByText(/bought 0\.02 BTC/i)).toHaveLength(1);
    expect(screen.getAllByRole('status')).toHaveLength(2);
    // A stop-limit whose trigger was reached rests as a limit: one toast for the trigger, however often reported;
    // a plain open order (the placing, which the form toasts) none.
    const rested: Order = {
      ...order,
      id: 'o-11',
      type: 'stop_limit',
      status: 'open',
      price: '49500',
      remaining: '0.02',
      triggeredAt: '2026-01-01T00:00:01.000Z',
      updatedAt: '2026-01-01T00:00:01.000Z',
    };
    io.emit('order:update', { ...rested, id: 'o-12', triggeredAt: null });
    io.emit('order:update', rested);
    io.emit('order:update', rested);
    // A later change of a triggered order (a partial fill, an amend's replacement) announces nothing again.
    io.emit('order:update', { ...rested, id: 'o-13', updatedAt: '2026-01-01T00:05:00.000Z' });
    expect(await screen.findByText('Stop-limit order triggered')).toBeTruthy();
    expect(screen.getByText('Your buy of 0.02 BTC now waits at its limit price of $49,500.00')).toBeTruthy();
    expect(screen.getAllByRole('status')).toHaveLength(3);
  });
});
