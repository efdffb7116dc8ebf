import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { formatAmount, formatPrice, formatUsd } from '../lib/money.ts';
import { orderToast } from '../shared/orderToast.ts';
import { PRIVATE_KEYS, qk } from '../shared/queryKeys.ts';
import { humanize } from '../ui/badges.tsx';
import { useToast } from '../ui/Toasts.tsx';
import { useAuth } from '../shared/auth.ts';
import { useServices } from '../shared/services.ts';

/**
 * Turns socket events into cache updates and toasts, so screens change without a reload. Each handler's payload
 * type comes from the contract's `ClientEventMap` (through `realtime.on`), the same map the server emits by.
 */
export function RealtimeBridge() {
  const { realtime, prices } = useServices();
  const qc = useQueryClient();
  const toast = useToast();
  const { user } = useAuth();
  const userId = user?.id;
  const wasConnected = useRef(false);

  useEffect(() => {
    realtime.connect();
  }, [realtime]);

  useEffect(() => {
    const invalidate = (...keys: (readonly string[])[]) => {
      for (const queryKey of keys) void qc.invalidateQueries({ queryKey });
    };
    const offs = [
      realtime.on('prices', (p) => prices.apply(p)),
      realtime.on('order:update', (o) => {
        invalidate(qk.orders, qk.portfolio, qk.transactions, qk.balances);
        // Placing an order toasts from the form's answer; this one (same key) only when that did not. An open order
        // with a trigger reached (a stop-limit now resting) is news of its own.
        const t = o.status === 'open' && !o.triggeredAt ? null : orderToast(o);
        if (t) toast.show(t.kind, t.title, t.body, t.key);
      }),
      realtime.on('balance:update', () => invalidate(qk.balances, qk.portfolio)),
      realtime.on('deposit:update', (d) => {
        invalidate(qk.deposits, qk.balances, qk.portfolio, qk.transactions);
        if (d.status === 'finished')
          toast.show(
            'success',
            'Deposit credited',
            d.creditAsset !== 'USD' && d.creditedAmount ? formatAmount(d.creditedAmount, d.creditAsset) : formatUsd(d.creditedUsd ?? d.amountUsd),
          );
        else toast.show('info', `Deposit ${humanize(d.status)}`);
      }),
      realtime.on('withdrawal:update', (w) => {
        invalidate(qk.withdrawals, qk.balances, qk.transactions);
        toast.show(w.status === 'rejected' ? 'error' : 'info', `Withdrawal ${humanize(w.status)}`, formatAmount(w.amount, w.asset));
      }),
      // Stored notifications refresh the bell and the page; their event already had its toast (order:update, ...).
      realtime.on('notification', () => invalidate(qk.notifications)),
      realtime.on('alert:triggered', (a) => {
        invalidate(qk.alerts);
        toast.show('info', `${a.symbol} is ${a.condition} ${formatPrice(a.targetPrice)}`, `Now ${formatPrice(a.priceUsd)}`);
      }),
      realtime.on('announcement', (a) => toast.show('info', a.title, a.message)),
      realtime.onStatus((s) => {
        // Events sent while we were away are lost: catch up once reconnected.
        if (s === 'connected' && wasConnected.current) for (const key of PRIVATE_KEYS) void qc.invalidateQueries({ queryKey: key });
        if (s === 'connected') wasConnected.current = true;
      }),
    ];
    return () => {
      for (const off of offs) off();
    };
  }, [realtime, prices, qc, toast]);

  // Signing in or out changes which private room the socket should be in.
  const previous = useRef(userId);
  useEffect(() => {
    if (previous.current !== userId) realtime.reconnect();
    previous.current = userId;
  }, [realtime, userId]);

  return null;
}
