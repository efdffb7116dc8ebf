import type { Announcement, Notification, Order } from '@cryptovault/contract';

// Complete payloads of the socket contract (ClientEventMap) for tests that publish through the typed port.

export const sampleOrder = (o: Partial<Order> = {}): Order => ({
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
  ...o,
});

export const sampleNotification = (n: Partial<Notification> = {}): Notification => ({
  id: 'n-1',
  type: 'announcement',
  title: 'Hello',
  body: 'A test notification',
  data: {},
  readAt: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  ...n,
});

export const sampleAnnouncement = (a: Partial<Announcement> = {}): Announcement => ({
  id: 'a-1',
  title: 'Maintenance',
  message: 'maintenance at 2am',
  level: 'info',
  createdBy: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  ...a,
});
