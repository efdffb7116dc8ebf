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

/** How close the order's last change is to its trigger for that change to be the trigger itself. */
const TRIGGER_UPDATE_MS = 2_000;

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
      // A stop-limit whose trigger was reached now rests as a limit order: that is its event, not the placing. Only
      // the update that triggered it (written at the trigger's time) says so: a later partial fill, an amend or the
      // first update after a reload does not announce the trigger again.
      if (o.triggeredAt) {
        if (Math.abs(Date.parse(o.updatedAt) - Date.parse(o.triggeredAt)) > TRIGGER_UPDATE_MS) return null;
        return {
          kind: 'info',
          title: `${humanize(o.type).replace(/^./, (c) => c.toUpperCase())} order triggered`,
          body: `Your ${o.side} of ${formatAmount(o.remaining, base)} now waits at its limit price of ${formatPrice(o.price)}`,
          key: `order:${o.id}:triggered`,
        };
      }
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
