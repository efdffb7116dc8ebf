import { amendOrderBody, type Order } from '@cryptovault/contract';
import { type FormEvent, Fragment, useState } from 'react';
import { describeError } from '../../lib/errors.ts';
import { type FieldErrors, serverErrors, validate } from '../../lib/forms.ts';
import { formatAmount, formatPrice, formatUsd } from '../../lib/money.ts';
import { humanize, StatusBadge } from '../../ui/badges.tsx';
import { useToast } from '../../ui/Toasts.tsx';
import { Field, FormError } from '../../ui/Field.tsx';
import { useAmendOrder, useCancelOrder } from './api.ts';

export function OrdersTable({ orders, cancellable, label }: { orders: Order[]; cancellable?: boolean; label: string }) {
  const cancel = useCancelOrder();
  const toast = useToast();
  const [editing, setEditing] = useState<string | null>(null);
  const columns = cancellable ? 8 : 7;
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
              <Fragment key={o.id}>
                <tr data-testid={`order-${o.id}`}>
                  <td>{o.symbol}</td>
                  <td>
                    <span className={o.side === 'buy' ? 'up' : 'down'}>{o.side}</span> <span className="muted">{humanize(o.type)}</span>
                    {o.linkedOrderId && (
                      <>
                        {' '}
                        <span className="badge badge-info" title="One of two linked orders: when one fills, the other is canceled">
                          OCO
                        </span>
                      </>
                    )}
                    {(o.trailPercent || o.trailAmount || o.expiresAt) && (
                      <div className="small muted">
                        {o.trailPercent ? `trails ${o.trailPercent}%` : o.trailAmount ? `trails ${formatUsd(o.trailAmount)}` : ''}
                        {(o.trailPercent || o.trailAmount) && o.expiresAt ? ' · ' : ''}
                        {o.expiresAt && `until ${new Date(o.expiresAt).toLocaleString()}`}
                      </div>
                    )}
                  </td>
                  <td className="right num">{formatAmount(o.status === 'closed' ? o.filled : o.amount, base, { withSymbol: false })}</td>
                  <td className="right num hide-sm">
                    {o.type === 'stop_limit' && !o.average ? (
                      <>
                        {formatPrice(o.triggerPrice)}
                        <span className="muted small"> trigger</span>
                        <br />
                        {formatPrice(o.price)}
                        <span className="muted small"> limit</span>
                      </>
                    ) : (
                      <>
                        {formatPrice(shownPrice)}
                        {!o.average && o.triggerPrice && <span className="muted small"> trigger</span>}
                      </>
                    )}
                  </td>
                  <td className="right num hide-sm">{o.status === 'closed' ? formatUsd(o.fee.cost) : '—'}</td>
                  <td>
                    <StatusBadge status={o.status} />
                    {o.imported && (
                      <>
                        {' '}
                        <span
                          className="badge badge-info"
                          title={`Imported from the previous system, read-only. Status there: ${o.originalStatus ?? 'unknown'}`}
                        >
                          Imported
                        </span>
                      </>
                    )}
                  </td>
                  <td className="hide-sm small muted">{new Date(o.createdAt).toLocaleString()}</td>
                  {cancellable && (
                    <td className="right">
                      {amendable(o) && (
                        <button
                          type="button"
                          className="btn btn-ghost btn-sm"
                          aria-expanded={editing === o.id}
                          aria-label={`Edit ${o.side} ${o.symbol} order`}
                          onClick={() => setEditing(editing === o.id ? null : o.id)}
                        >
                          Edit
                        </button>
                      )}{' '}
                      <button
                        type="button"
                        className="btn btn-danger btn-sm"
                        disabled={cancel.isPending}
                        aria-label={`Cancel ${o.side} ${o.symbol} order`}
                        onClick={() =>
                          cancel.mutate(o.id, {
                            // Keyed like the socket's order:update for the same cancel: one toast.
                            onSuccess: () => toast.show('success', 'Order canceled', 'Locked funds were released.', `order:${o.id}:canceled`),
                            onError: (e) => toast.show('error', 'Could not cancel', describeError(e)),
                          })
                        }
                      >
                        Cancel
                      </button>
                    </td>
                  )}
                </tr>
                {cancellable && editing === o.id && (
                  <tr>
                    <td colSpan={columns}>
                      <AmendForm order={o} onDone={() => setEditing(null)} />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** OCO legs are canceled and placed again as a pair; a trailing stop's level moves by itself (its amount can change). */
const amendable = (o: Order): boolean => o.status === 'open' && !o.linkedOrderId && !o.imported;

/** Amend an open order: new amount, limit price or trigger price (the server cancels and replaces it in one step). */
function AmendForm({ order, onDone }: { order: Order; onDone: () => void }) {
  const amend = useAmendOrder();
  const toast = useToast();
  const base = order.symbol.split('/')[0] ?? order.symbol;
  const hasLimit = order.type === 'limit' || order.type === 'stop_limit';
  // A stop-limit that has triggered rests as a limit order: its trigger is history, not something to edit.
  const hasTrigger = order.type === 'stop_loss' || order.type === 'take_profit' || (order.type === 'stop_limit' && !order.triggeredAt);
  const [amount, setAmount] = useState(order.amount);
  const [price, setPrice] = useState(order.price ?? '');
  const [trigger, setTrigger] = useState(order.triggerPrice ?? '');
  const [errors, setErrors] = useState<FieldErrors>({});

  function submit(e: FormEvent) {
    e.preventDefault();
    const changed = (next: string, was: string | null) => (next.trim() && next.trim() !== was ? next.trim() : undefined);
    const body = {
      amount: changed(amount, order.amount),
      ...(hasLimit ? { price: changed(price, order.price) } : {}),
      ...(hasTrigger ? { triggerPrice: changed(trigger, order.triggerPrice) } : {}),
    };
    const v = validate(amendOrderBody, Object.fromEntries(Object.entries(body).filter(([, x]) => x !== undefined)));
    if (!v.ok) return setErrors(v.errors);
    setErrors({});
    amend.mutate(
      { id: order.id, body: v.data },
      {
        onSuccess: () => {
          toast.show('success', 'Order amended', 'The hold was adjusted to the new order.');
          onDone();
        },
        onError: (err) => setErrors(serverErrors(err, { INSUFFICIENT_FUNDS: 'amount', MIN_AMOUNT: 'amount', TRIGGER_WOULD_FIRE_NOW: '_form' })),
      },
    );
  }

  return (
    <form className="row" style={{ flexWrap: 'wrap', gap: '0.75rem', alignItems: 'flex-end' }} onSubmit={submit} aria-label="Amend order" noValidate>
      <Field label={`Amount (${base})`} inputMode="decimal" name="amount" value={amount} onChange={(e) => setAmount(e.target.value)} error={errors.amount} />
      {hasTrigger && (
        <Field
          label="Trigger price (USD)"
          inputMode="decimal"
          name="triggerPrice"
          value={trigger}
          onChange={(e) => setTrigger(e.target.value)}
          error={errors.triggerPrice}
        />
      )}
      {hasLimit && (
        <Field label="Limit price (USD)" inputMode="decimal" name="price" value={price} onChange={(e) => setPrice(e.target.value)} error={errors.price} />
      )}
      <button type="submit" className="btn btn-sm" disabled={amend.isPending}>
        {amend.isPending ? 'Saving…' : 'Save changes'}
      </button>
      <button type="button" className="btn btn-ghost btn-sm" onClick={onDone}>
        Close
      </button>
      <FormError message={errors._form} />
    </form>
  );
}
