import type { Order } from '@cryptovault/contract';
import { formatAmount, formatPrice, formatUsdExact } from '../lib/money.ts';
import { humanize } from '../ui/badges.tsx';
import type { ToastKind } from '../ui/Toasts.tsx';

export interface OrderToast {
  kind: ToastKind;
  title: string;
  body: string | undefined;
  /** One toast per order and status, whichever path (the HTTP answer, the socket) reports it first. */
  key: string;
}

/** The one toast of an order's state, the same words from the order form and the realtime bridge. */
export function orderToast(o: Order): OrderToast | null {
  const base = o.symbol.split('/')[0] ?? '';
  const key = `order:${o.id}:${o.status}`;
  switch (o.status) {
    case 'closed':
      return {
        kind: 'success',
        title: `Order filled: ${o.side === 'buy' ? 'bought' : 'sold'} ${formatAmount(o.filled, base)}`,
        body: `at ${formatPrice(o.average)} · fee ${formatUsdExact(o.fee.cost)}`,
        key,
      };
    case 'open':
      return { kind: 'success', title: `${humanize(o.type)} order placed`, body: `${o.side} ${formatAmount(o.amount, base)}`, key };
    case 'rejected':
      return { kind: 'error', title: 'Order rejected', body: o.rejectReason ?? `${o.side} ${o.symbol}`, key };
    case 'canceled':
      // The words of the cancel button's own toast (OrdersTable), which carries the same key.
      return { kind: 'success', title: 'Order canceled', body: 'Locked funds were released.', key };
    default:
      return { kind: 'info', title: `Order ${humanize(o.status)}`, body: `${o.side} ${formatAmount(o.amount, base)} ${o.symbol}`, key };
  }
}
