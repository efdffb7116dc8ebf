import { createOrderBody, previewTrade, type TradingPair } from '@cryptovault/contract';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { type FieldErrors, serverErrors, validate } from '../lib/forms.ts';
import { formatAmount, formatPrice, formatRate, formatUsd, formatUsdExact } from '../lib/money.ts';
import { humanize } from '../ui/badges.tsx';
import { Field, FormError, SelectField } from '../ui/Field.tsx';
import { useToast } from '../ui/Toasts.tsx';
import { availableOf, useBalances } from './balances.ts';
import { usePlaceOrder } from './orders.ts';
import { qk } from './queryKeys.ts';

type Side = 'buy' | 'sell';
type Type = 'market' | 'limit' | 'stop_loss' | 'take_profit';

const TYPES: { value: Type; label: string }[] = [
  { value: 'market', label: 'Market' },
  { value: 'limit', label: 'Limit' },
  { value: 'stop_loss', label: 'Stop-loss' },
  { value: 'take_profit', label: 'Take-profit' },
];
/** The platform's default; the real rate of each fill comes back on the order. */
export const DEFAULT_FEE_RATE = '0.001';

export function OrderForm({ pair, livePrice, feeRate = DEFAULT_FEE_RATE }: { pair: TradingPair; livePrice: string | undefined; feeRate?: string }) {
  const qc = useQueryClient();
  const toast = useToast();
  const balances = useBalances();
  const [side, setSide] = useState<Side>('buy');
  const [type, setType] = useState<Type>('market');
  const [spendMode, setSpendMode] = useState(false);
  const [amount, setAmount] = useState('');
  const [price, setPrice] = useState('');
  const [trigger, setTrigger] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});

  const useSpend = type === 'market' && side === 'buy' && spendMode;
  const refPrice = type === 'market' ? livePrice : type === 'limit' ? price : trigger;
  // The fee and rounding rules of settlement itself (contract tradeFee): the preview shows what the fill at this price charges.
  const preview = previewTrade({ side, ...(useSpend ? { quoteAmount: amount } : { amount }), price: refPrice, feeRate, amountPrecision: pair.amountPrecision });
  const available = side === 'buy' ? availableOf(balances.data, 'USD') : availableOf(balances.data, pair.base);

  const place = usePlaceOrder({
    onSuccess: (o) => {
      setAmount('');
      setErrors({});
      for (const key of [qk.orders, qk.balances, qk.portfolio, qk.transactions]) void qc.invalidateQueries({ queryKey: key });
      if (o.status === 'closed')
        toast.show(
          'success',
          `${o.side === 'buy' ? 'Bought' : 'Sold'} ${formatAmount(o.filled, pair.base)}`,
          `at ${formatPrice(o.average)} · fee ${formatUsdExact(o.fee.cost)}`,
        );
      else if (o.status === 'open') toast.show('success', `${humanize(o.type)} order placed`, `${o.side} ${formatAmount(o.amount, pair.base)}`);
      else toast.show('error', `Order ${humanize(o.status)}`, o.rejectReason ?? undefined);
    },
    onError: (err) => setErrors(serverErrors(err, { INSUFFICIENT_FUNDS: 'amount', MIN_AMOUNT: 'amount', LIMIT_EXCEEDED: 'amount' })),
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const body = {
      symbol: pair.symbol,
      side,
      type,
      ...(useSpend ? { quoteAmount: amount.trim() } : { amount: amount.trim() }),
      ...(type === 'limit' ? { price: price.trim() } : {}),
      ...(type === 'stop_loss' || type === 'take_profit' ? { triggerPrice: trigger.trim() } : {}),
    };
    const v = validate(createOrderBody, body);
    if (!amount.trim()) {
      setErrors({ amount: 'Enter an amount' });
      return;
    }
    if (!v.ok) {
      setErrors(v.errors.quoteAmount ? { ...v.errors, amount: v.errors.quoteAmount } : v.errors);
      return;
    }
    setErrors({});
    place.mutate(v.data);
  }

  return (
    <form className="form" onSubmit={submit} aria-label={`Order form for ${pair.symbol}`} noValidate>
      <fieldset className="side-tabs">
        <legend className="visually-hidden">Side</legend>
        <button type="button" className="buy" aria-pressed={side === 'buy'} onClick={() => setSide('buy')}>
          Buy
        </button>
        <button type="button" className="sell" aria-pressed={side === 'sell'} onClick={() => setSide('sell')}>
          Sell
        </button>
      </fieldset>
      <SelectField label="Order type" value={type} onChange={(v) => setType(v as Type)} options={TYPES} />
      {type === 'limit' && (
        <Field label="Limit price (USD)" inputMode="decimal" name="price" value={price} onChange={(e) => setPrice(e.target.value)} error={errors.price} />
      )}
      {(type === 'stop_loss' || type === 'take_profit') && (
        <Field
          label="Trigger price (USD)"
          inputMode="decimal"
          name="triggerPrice"
          value={trigger}
          onChange={(e) => setTrigger(e.target.value)}
          error={errors.triggerPrice}
          hint={
            type === 'stop_loss'
              ? 'Fills at the market once the price reaches this level (to limit a loss).'
              : 'Fills at the market once the price reaches this level (to lock in a gain).'
          }
        />
      )}
      <Field
        label={useSpend ? 'Spend (USD, fee included)' : `Amount (${pair.base})`}
        inputMode="decimal"
        name="amount"
        autoComplete="off"
        value={amount}
        onChange={(e) => setAmount(e.target.value)}
        error={errors.amount}
        hint={`Available: ${side === 'buy' ? formatUsd(available) : formatAmount(available, pair.base)} · min ${formatAmount(pair.minAmount, pair.base)}`}
      />
      {type === 'market' && side === 'buy' && (
        <label className="checkbox small">
          <input type="checkbox" checked={spendMode} onChange={(e) => setSpendMode(e.target.checked)} /> Enter a USD amount to spend instead
        </label>
      )}
      <dl className="stack small" style={{ margin: 0 }} aria-label="Order preview">
        <div className="row-between">
          <dt className="muted">{type === 'market' ? 'Market price' : type === 'limit' ? 'Limit price' : 'Trigger price'}</dt>
          <dd className="num" style={{ margin: 0 }}>
            {formatPrice(refPrice)}
          </dd>
        </div>
        {useSpend && (
          <div className="row-between">
            <dt className="muted">You get about</dt>
            <dd className="num" style={{ margin: 0 }}>
              {preview ? formatAmount(preview.amount, pair.base) : '—'}
            </dd>
          </div>
        )}
        <div className="row-between">
          <dt className="muted">Cost</dt>
          <dd className="num" style={{ margin: 0 }}>
            {preview ? formatUsdExact(preview.cost) : '—'}
          </dd>
        </div>
        <div className="row-between">
          <dt className="muted">Fee ({formatRate(feeRate)})</dt>
          <dd className="num" style={{ margin: 0 }} data-testid="order-fee">
            {preview ? formatUsdExact(preview.fee) : '—'}
          </dd>
        </div>
        <div className="row-between">
          <dt>
            <strong>{side === 'buy' ? 'Total' : 'You receive'}</strong>
          </dt>
          <dd className="num" style={{ margin: 0 }} data-testid="order-total">
            <strong>{preview ? formatUsdExact(preview.total) : '—'}</strong>
          </dd>
        </div>
      </dl>
      {type === 'market' && <p className="hint">Market orders fill at the server’s current price, which may differ slightly from the one shown.</p>}
      <FormError message={errors._form} />
      <button type="submit" className={`btn btn-block ${side === 'buy' ? 'btn-buy' : 'btn-sell'}`} disabled={place.isPending}>
        {place.isPending ? 'Placing…' : `${side === 'buy' ? 'Buy' : 'Sell'} ${pair.base}`}
      </button>
    </form>
  );
}
