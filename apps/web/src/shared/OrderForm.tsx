import { amountForQuote, type CreateOrderBody, createOrderBody, type ListedPair, Money, previewTrade } from '@cryptovault/contract';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiError } from '../lib/errors.ts';
import { type FieldErrors, serverErrors, validate } from '../lib/forms.ts';
import { formatAmount, formatPrice, formatRate, formatUsd, formatUsdExact } from '../lib/money.ts';
import { Field, FormError, SelectField } from '../ui/Field.tsx';
import { orderToast } from './orderToast.ts';
import { useToast } from '../ui/Toasts.tsx';
import { availableOf, useBalances } from './balances.ts';
import { MarketOrderConfirm } from './MarketOrderConfirm.tsx';
import { usePlaceOrder } from './orders.ts';
import { qk } from './queryKeys.ts';

type Side = 'buy' | 'sell';
type Type = 'market' | 'limit' | 'stop_loss' | 'take_profit' | 'stop_limit' | 'trailing_stop' | 'oco';
type Tif = 'GTC' | 'IOC' | 'FOK' | 'GTD';

const TYPES: { value: Type; label: string }[] = [
  { value: 'market', label: 'Market' },
  { value: 'limit', label: 'Limit' },
  { value: 'stop_loss', label: 'Stop-loss' },
  { value: 'take_profit', label: 'Take-profit' },
  { value: 'stop_limit', label: 'Stop-limit' },
  { value: 'trailing_stop', label: 'Trailing stop' },
  { value: 'oco', label: 'OCO (take-profit + stop-loss)' },
];
const TIF_LABEL: Record<Tif, string> = {
  GTC: 'Good till canceled',
  IOC: 'Immediate or cancel',
  FOK: 'Fill or kill',
  GTD: 'Good till date',
};
/** Time-in-force choices per type: IOC/FOK only where an order can fill at once by its own price (limit). */
const tifsFor = (type: Type): Tif[] => (type === 'market' ? [] : type === 'limit' ? ['GTC', 'IOC', 'FOK', 'GTD'] : ['GTC', 'GTD']);
const PERCENTS = [25, 50, 75, 100] as const;

/** `datetime-local` value (local time) → ISO-8601 UTC, or undefined when empty or not a date. */
function isoFromLocal(v: string): string | undefined {
  const ms = Date.parse(v);
  return v && !Number.isNaN(ms) ? new Date(ms).toISOString() : undefined;
}
/** The platform's default rate, only for a trading-pairs answer cached (max-age 1 h) from before it listed `feeRate`. */
const FALLBACK_FEE_RATE = '0.001';

/** `pair` as the API lists it: its `feeRate` is the rate the server charges, so the preview and Max use it. */
export function OrderForm({ pair, livePrice }: { pair: ListedPair; livePrice: string | undefined }) {
  const feeRate = pair.feeRate ?? FALLBACK_FEE_RATE;
  const qc = useQueryClient();
  const toast = useToast();
  const balances = useBalances();
  const [side, setSide] = useState<Side>('buy');
  const [type, setType] = useState<Type>('market');
  const [spendMode, setSpendMode] = useState(false);
  const [amount, setAmount] = useState('');
  const [price, setPrice] = useState('');
  const [trigger, setTrigger] = useState('');
  const [trailMode, setTrailMode] = useState<'amount' | 'percent'>('percent');
  const [trail, setTrail] = useState('');
  const [takeProfit, setTakeProfit] = useState('');
  const [stopLoss, setStopLoss] = useState('');
  const [tif, setTif] = useState<Tif>('GTC');
  const [expires, setExpires] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  /** The server's TRIGGER_WOULD_FIRE_NOW message: the order would fill at once; the user may confirm it. */
  const [firesNow, setFiresNow] = useState<string | null>(null);
  /** A market order waiting for its confirmation step (a firm quote: MarketOrderConfirm). */
  const [confirming, setConfirming] = useState<CreateOrderBody | null>(null);

  const useSpend = type === 'market' && side === 'buy' && spendMode;
  // The amount field holds dollars while spending USD and coins otherwise: leaving USD mode (Sell, another order
  // type, the box unticked) empties it, so "5000.00" dollars is never read as 5,000 coins.
  const wasSpend = useRef(useSpend);
  useEffect(() => {
    if (wasSpend.current && !useSpend) setAmount('');
    wasSpend.current = useSpend;
  }, [useSpend]);
  const tifs = tifsFor(type);
  const timeInForce = tifs.includes(tif) ? tif : 'GTC';
  // The price each unit may cost at worst (what a resting buy holds for): the preview and the % buttons use it.
  const refPrice =
    type === 'market' || type === 'trailing_stop'
      ? livePrice
      : type === 'limit' || type === 'stop_limit'
        ? price
        : type === 'oco'
          ? ocoWorst(takeProfit, stopLoss)
          : trigger;
  // The fee and rounding rules of settlement itself (contract tradeFee): the preview shows what the fill at this price charges.
  const preview = previewTrade({ side, ...(useSpend ? { quoteAmount: amount } : { amount }), price: refPrice, feeRate, amountPrecision: pair.amountPrecision });
  const available = side === 'buy' ? availableOf(balances.data, 'USD') : availableOf(balances.data, pair.base);

  /** Fills the amount with `percent` of the available balance of the asset spent (a buy's fee included). */
  function fillPercent(percent: number) {
    const avail = new Money(available || '0');
    const share = avail.times(percent).div(100);
    if (side === 'sell') return setAmount(share.toDecimalPlaces(pair.amountPrecision, Money.ROUND_DOWN).toFixed());
    // A market buy spends a share of the dollars (fee included) rather than an amount sized at the price shown: the
    // quote is taken a moment later, and a coin amount sized at an older, lower price could then cost more than
    // the balance.
    if (type === 'market') {
      setSpendMode(true);
      setErrors({});
      return setAmount(share.toDecimalPlaces(2, Money.ROUND_DOWN).toFixed(2));
    }
    const p = refPrice?.trim();
    if (!p || !/^\d+(\.\d+)?$/.test(p) || new Money(p).isZero()) {
      setErrors({ amount: 'Enter the price first: the amount you can buy depends on it.' });
      return;
    }
    setErrors({});
    setAmount(amountForQuote(share, p, feeRate, pair.amountPrecision).toFixed());
  }

  const place = usePlaceOrder({
    onSuccess: (o) => {
      setConfirming(null);
      setAmount('');
      setErrors({});
      setFiresNow(null);
      for (const key of [qk.orders, qk.balances, qk.portfolio, qk.transactions]) void qc.invalidateQueries({ queryKey: key });
      // The same toast (and key) as the socket's order:update: one toast per event, whichever comes first.
      const t = orderToast(o);
      if (t) toast.show(t.kind, t.title, t.body, t.key);
    },
    onError: (err) => {
      if (err instanceof ApiError && err.code === 'TRIGGER_WOULD_FIRE_NOW') {
        setErrors({});
        setFiresNow(err.message);
        return;
      }
      setFiresNow(null);
      setErrors(serverErrors(err, { INSUFFICIENT_FUNDS: 'amount', MIN_AMOUNT: 'amount', LIMIT_EXCEEDED: 'amount' }));
    },
  });

  function submit(e: FormEvent, confirmImmediate = false) {
    e.preventDefault();
    if (!confirmImmediate) setFiresNow(null);
    const body = {
      symbol: pair.symbol,
      side,
      type,
      ...(useSpend ? { quoteAmount: amount.trim() } : { amount: amount.trim() }),
      ...(type === 'limit' || type === 'stop_limit' ? { price: price.trim() } : {}),
      ...(type === 'stop_loss' || type === 'take_profit' || type === 'stop_limit' ? { triggerPrice: trigger.trim() } : {}),
      ...(type === 'trailing_stop' ? (trailMode === 'amount' ? { trailAmount: trail.trim() } : { trailPercent: trail.trim() }) : {}),
      ...(type === 'oco' ? { takeProfitPrice: takeProfit.trim(), stopLossPrice: stopLoss.trim() } : {}),
      ...(type !== 'market' ? { timeInForce } : {}),
      ...(type !== 'market' && timeInForce === 'GTD' ? { expiresAt: isoFromLocal(expires) } : {}),
      ...(confirmImmediate ? { confirmImmediate: true } : {}),
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
    if (v.data.type === 'market') {
      place.reset();
      setConfirming(v.data);
    } else place.mutate(v.data);
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
      <SelectField
        label="Order type"
        value={type}
        onChange={(v) => {
          setType(v as Type);
          setFiresNow(null);
        }}
        options={TYPES}
      />
      {(type === 'stop_loss' || type === 'take_profit' || type === 'stop_limit') && (
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
              : type === 'take_profit'
                ? 'Fills at the market once the price reaches this level (to lock in a gain).'
                : 'Once the price reaches this level, a limit order at your limit price is placed.'
          }
        />
      )}
      {(type === 'limit' || type === 'stop_limit') && (
        <Field label="Limit price (USD)" inputMode="decimal" name="price" value={price} onChange={(e) => setPrice(e.target.value)} error={errors.price} />
      )}
      {type === 'trailing_stop' && (
        <>
          <SelectField
            label="Trail by"
            name="trailMode"
            value={trailMode}
            onChange={(v) => setTrailMode(v as 'amount' | 'percent')}
            options={[
              { value: 'percent', label: 'Percent' },
              { value: 'amount', label: 'Amount (USD)' },
            ]}
          />
          <Field
            label={trailMode === 'percent' ? 'Trail (%)' : 'Trail (USD)'}
            inputMode="decimal"
            name="trail"
            value={trail}
            onChange={(e) => setTrail(e.target.value)}
            error={trailMode === 'percent' ? errors.trailPercent : (errors.trailAmount ?? errors.trailPercent)}
            hint={
              side === 'sell'
                ? 'Sells at the market once the price falls this far below its highest point since you placed the order.'
                : 'Buys at the market once the price rises this far above its lowest point since you placed the order.'
            }
          />
        </>
      )}
      {type === 'oco' && (
        <>
          <Field
            label="Take-profit price (USD)"
            inputMode="decimal"
            name="takeProfitPrice"
            value={takeProfit}
            onChange={(e) => setTakeProfit(e.target.value)}
            error={errors.takeProfitPrice}
          />
          <Field
            label="Stop-loss price (USD)"
            inputMode="decimal"
            name="stopLossPrice"
            value={stopLoss}
            onChange={(e) => setStopLoss(e.target.value)}
            error={errors.stopLossPrice}
            hint="Two linked orders: when one fills, the other is canceled. Funds are held once for the pair."
          />
        </>
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
      <fieldset className="segmented" aria-label="Share of the available balance" style={{ display: 'grid', gridTemplateColumns: 'repeat(4, 1fr)' }}>
        {PERCENTS.map((p) => (
          <button key={p} type="button" onClick={() => fillPercent(p)}>
            {p === 100 ? 'Max' : `${p}%`}
          </button>
        ))}
      </fieldset>
      {tifs.length > 0 && (
        <SelectField
          label="Time in force"
          name="timeInForce"
          value={timeInForce}
          onChange={(v) => setTif(v as Tif)}
          options={tifs.map((v) => ({ value: v, label: `${TIF_LABEL[v]} (${v})` }))}
          error={errors.timeInForce}
        />
      )}
      {tifs.length > 0 && timeInForce === 'GTD' && (
        <Field
          label="Expires at"
          type="datetime-local"
          name="expiresAt"
          value={expires}
          onChange={(e) => setExpires(e.target.value)}
          error={errors.expiresAt}
        />
      )}
      {type === 'market' && side === 'buy' && (
        <label className="checkbox small">
          <input
            type="checkbox"
            checked={spendMode}
            onChange={(e) => {
              // A coin amount typed before is not a dollar amount.
              if (e.target.checked) setAmount('');
              setSpendMode(e.target.checked);
            }}
          />{' '}
          Enter a USD amount to spend instead
        </label>
      )}
      <dl className="stack small" style={{ margin: 0 }} aria-label="Order preview">
        <div className="row-between">
          <dt className="muted">
            {type === 'market' || type === 'trailing_stop' ? 'Market price' : type === 'limit' || type === 'stop_limit' ? 'Limit price' : 'Trigger price'}
          </dt>
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
      {type === 'market' && <p className="hint">Before a market order is placed you confirm a firm quote: the fill matches it to the cent.</p>}
      {firesNow && (
        <div className="alert alert-warn stack" role="alert" data-testid="fires-now">
          <span>{firesNow}</span>
          <button type="button" className="btn btn-sm" onClick={(e) => submit(e, true)} disabled={place.isPending}>
            Place it anyway (fills now)
          </button>
        </div>
      )}
      <FormError message={errors._form} />
      <button type="submit" className={`btn btn-block ${side === 'buy' ? 'btn-buy' : 'btn-sell'}`} disabled={place.isPending}>
        {place.isPending ? 'Placing…' : `${side === 'buy' ? 'Buy' : 'Sell'} ${pair.base}`}
      </button>
      {confirming && (
        <MarketOrderConfirm
          pair={pair}
          order={confirming}
          placing={place.isPending}
          placeError={place.error}
          onConfirm={(order) => place.mutate(order)}
          onCancel={() => setConfirming(null)}
        />
      )}
    </form>
  );
}

/** An OCO's worst price per unit: the higher of its two prices (a buy holds for it). */
function ocoWorst(takeProfit: string, stopLoss: string): string {
  const ok = (v: string) => /^\d+(\.\d+)?$/.test(v.trim());
  if (!ok(takeProfit)) return stopLoss;
  if (!ok(stopLoss)) return takeProfit;
  return Money.max(takeProfit.trim(), stopLoss.trim()).toFixed();
}
