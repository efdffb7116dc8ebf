import { apiRoutes } from '@cryptovault/contract';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { formatAmount, formatPrice, formatUsdExact } from '../../lib/money.ts';
import { qk } from '../../shared/queryKeys.ts';
import { useApi } from '../../shared/services.ts';
import { humanize, StatusBadge } from '../../ui/badges.tsx';
import { QueryState } from '../../ui/states.tsx';
import { DetailRows } from './DetailRows.tsx';

/** One order, where a history row or a notification about it leads. */
export default function OrderPage() {
  const { id = '' } = useParams();
  const api = useApi();
  const order = useQuery({ queryKey: [...qk.orders, 'one', id], queryFn: () => api.call(apiRoutes.orders.get, { params: { id } }) });
  return (
    <>
      <div className="page-head">
        <h1>Order</h1>
        <Link to="/transactions">Back to history</Link>
      </div>
      <section className="card">
        <QueryState query={order}>
          {(o) => {
            const [base = '', quote = 'USD'] = o.symbol.split('/');
            const rows: [string, ReactNode][] = [
              ['Pair', o.symbol],
              ['Side', humanize(o.side)],
              ['Type', humanize(o.type)],
              ['Status', <StatusBadge key="s" status={o.status} />],
              ['Amount', formatAmount(o.amount, base)],
              ['Filled', formatAmount(o.filled, base)],
              ...(o.price ? ([['Limit price', formatPrice(o.price)]] as [string, string][]) : []),
              ...(o.triggerPrice ? ([['Trigger price', formatPrice(o.triggerPrice)]] as [string, string][]) : []),
              ['Average price', o.average ? formatPrice(o.average) : '—'],
              ['Value', quote === 'USD' ? formatUsdExact(o.cost) : formatAmount(o.cost, quote)],
              ['Fee', quote === 'USD' ? formatUsdExact(o.fee.cost) : formatAmount(o.fee.cost, quote)],
              ['Placed', new Date(o.createdAt).toLocaleString()],
              ['Last change', new Date(o.updatedAt).toLocaleString()],
              ...(o.rejectReason ? ([['Reason', o.rejectReason]] as [string, string][]) : []),
            ];
            return <DetailRows rows={rows} testId="order-details" />;
          }}
        </QueryState>
      </section>
    </>
  );
}
