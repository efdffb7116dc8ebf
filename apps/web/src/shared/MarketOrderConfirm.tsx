import { apiRoutes, type CreateOrderBody, DEFAULT_MAX_SLIPPAGE_BPS, type Quote, type TradingPair } from '@cryptovault/contract';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ApiError, describeError } from '../lib/errors.ts';
import { formatAmount, formatPrice, formatRate, formatUsd } from '../lib/money.ts';
import { ConfirmDialog } from '../ui/ConfirmDialog.tsx';
import { SelectField } from '../ui/Field.tsx';
import { useApi } from './services.ts';

/** Slippage bounds a user can pick (basis points): how far the price may move from the quote before the order is refused. */
export const SLIPPAGE_CHOICES = [10, 25, 50, 100, 200] as const;
/** Errors after which the quote is no good: the dialog offers a new one. */
const STALE_QUOTE = new Set(['PRICE_MOVED', 'QUOTE_EXPIRED', 'QUOTE_USED', 'NOT_FOUND']);

/** Asks the server for a firm quote of a market order (POST /api/quotes). */
export function useQuote() {
  const api = useApi();
  return useMutation({
    mutationFn: (body: { symbol: string; side: 'buy' | 'sell'; amount?: string; quoteAmount?: string; maxSlippageBps?: number }) =>
      api.call(apiRoutes.orders.quote, { body }),
  });
}

function secondsLeft(q: Quote | undefined, now: number): number {
  return q ? Math.max(0, Math.ceil((Date.parse(q.expiresAt) - now) / 1000)) : 0;
}

/**
 * The confirmation step of a market order: fetches a firm quote for `order` and shows exactly what the order will
 * do (amount, price, fee, total, in the server's figures), with the slippage bound; Confirm calls `onConfirm` with
 * the order carrying the quote id. When the quote expires, or the order is refused because the price moved, the
 * dialog offers a new quote. `placing` / `placeError` come from the form's order mutation.
 */
export function MarketOrderConfirm({
  pair,
  order,
  placing,
  placeError,
  onConfirm,
  onCancel,
}: {
  pair: TradingPair;
  order: CreateOrderBody;
  placing: boolean;
  placeError: Error | null;
  onConfirm: (order: CreateOrderBody) => void;
  onCancel: () => void;
}) {
  const quote = useQuote();
  const [bps, setBps] = useState<number>(DEFAULT_MAX_SLIPPAGE_BPS);
  const [now, setNow] = useState(() => Date.now());
  // The order's error that a new quote answered (it no longer applies once the user has new figures).
  const [answered, setAnswered] = useState<Error | null>(null);
  const orderError = placeError === answered ? null : placeError;
  const requote = () => {
    setAnswered(placeError);
    quote.mutate({
      symbol: order.symbol,
      side: order.side,
      ...(order.quoteAmount !== undefined ? { quoteAmount: order.quoteAmount } : { amount: order.amount! }),
      maxSlippageBps: bps,
    });
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: one quote when the dialog opens; later ones on request
  useEffect(requote, []);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  const q = quote.data;
  const left = secondsLeft(q, now);
  const expired = q !== undefined && left === 0;
  const stale = expired || (orderError instanceof ApiError && STALE_QUOTE.has(orderError.code));
  const error = quote.error ? describeError(quote.error) : orderError ? describeError(orderError) : expired ? 'This quote has expired.' : undefined;
  const buy = order.side === 'buy';

  return (
    <ConfirmDialog
      title={`Confirm ${buy ? 'buy' : 'sell'} ${pair.base}`}
      description={
        q
          ? `A firm quote: the order fills at exactly these figures if the price stays within your slippage bound. Valid for ${left} s.`
          : quote.isError
            ? 'No quote for this order: nothing was placed.'
            : 'Getting a quote at the current price…'
      }
      rows={
        q
          ? [
              { label: 'Amount', value: formatAmount(q.amount, pair.base), testId: 'quote-amount' },
              { label: 'Price', value: formatPrice(q.price), testId: 'quote-price' },
              { label: `Fee (${formatRate(q.fee.rate)})`, value: formatUsd(q.fee.cost), testId: 'quote-fee' },
              { label: buy ? 'Total' : 'You receive', value: formatUsd(q.total), strong: true, testId: 'quote-total' },
            ]
          : []
      }
      confirmLabel={stale ? 'Get a new quote' : `${buy ? 'Buy' : 'Sell'} ${formatAmount(q?.amount ?? order.amount ?? '0', pair.base)}`}
      tone={stale ? 'primary' : buy ? 'buy' : 'sell'}
      busy={placing || quote.isPending}
      confirmDisabled={!q && !stale}
      error={error}
      onConfirm={() => {
        if (stale || !q) requote();
        else onConfirm({ ...order, quoteId: q.id, maxSlippageBps: bps });
      }}
      onCancel={onCancel}
    >
      <SelectField
        label="Max. slippage"
        value={String(bps)}
        onChange={(v) => setBps(Number(v))}
        options={SLIPPAGE_CHOICES.map((b) => ({ value: String(b), label: formatRate(String(b / 10_000)) }))}
      />
      <p className="hint">
        If the price moves further than this from the quote before your order reaches the server, the order is refused and nothing is traded.
      </p>
    </ConfirmDialog>
  );
}
