import type { Order } from '@cryptovault/contract';
import { describeError } from '../../lib/errors.ts';
import { formatAmount, formatPrice, formatUsd } from '../../lib/money.ts';
import { humanize, StatusBadge } from '../../ui/badges.tsx';
import { useToast } from '../../ui/Toasts.tsx';
import { useCancelOrder } from './api.ts';

export function OrdersTable({ orders, cancellable, label }: { orders: Order[]; cancellable?: boolean; label: string }) {
  const cancel = useCancelOrder();
  const toast = useToast();
  return (
    <div className="table-wrap">
      <table className="table" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Pair</th>
            <th scope="col">Side / type</th>
            <th scope="col" className="right">
              Amount
            </th>
            <th scope="col" className="right hide-sm">
              Price
            </th>
            <th scope="col" className="right hide-sm">
              Fee
            </th>
            <th scope="col">Status</th>
            <th scope="col" className="hide-sm">
              Created
            </th>
            {cancellable && (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {orders.map((o) => {
            const base = o.symbol.split('/')[0] ?? o.symbol;
            const shownPrice = o.average ?? o.price ?? o.triggerPrice;
            return (
              <tr key={o.id} data-testid={`order-${o.id}`}>
                <td>{o.symbol}</td>
                <td>
                  <span className={o.side === 'buy' ? 'up' : 'down'}>{o.side}</span> <span className="muted">{humanize(o.type)}</span>
                </td>
                <td className="right num">{formatAmount(o.status === 'closed' ? o.filled : o.amount, base, { withSymbol: false })}</td>
                <td className="right num hide-sm">
                  {formatPrice(shownPrice)}
                  {!o.average && o.triggerPrice && <span className="muted small"> trigger</span>}
                </td>
                <td className="right num hide-sm">{o.status === 'closed' ? formatUsd(o.fee.cost) : '—'}</td>
                <td>
                  <StatusBadge status={o.status} />
                  {o.imported && (
                    <>
                      {' '}
                      <span className="badge badge-info" title={`Imported from the previous system, read-only. Status there: ${o.originalStatus ?? 'unknown'}`}>
                        Imported
                      </span>
                    </>
                  )}
                </td>
                <td className="hide-sm small muted">{new Date(o.createdAt).toLocaleString()}</td>
                {cancellable && (
                  <td className="right">
                    <button
                      type="button"
                      className="btn btn-danger btn-sm"
                      disabled={cancel.isPending}
                      aria-label={`Cancel ${o.side} ${o.symbol} order`}
                      onClick={() =>
                        cancel.mutate(o.id, {
                          onSuccess: () => toast.show('success', 'Order canceled', 'Locked funds were released.'),
                          onError: (e) => toast.show('error', 'Could not cancel', describeError(e)),
                        })
                      }
                    >
                      Cancel
                    </button>
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
