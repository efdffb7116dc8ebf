import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { formatPrice } from '../../lib/money.ts';
import { useAssetSubscription, useAssets, useLivePrice, useTradingPairs } from '../../shared/market.ts';
import { DEFAULT_FEE_RATE, OrderForm } from '../../shared/OrderForm.tsx';
import { SelectField } from '../../ui/Field.tsx';
import { Loading, QueryState } from '../../ui/states.tsx';
import { useOrders } from './api.ts';
import { OrdersTable } from './OrdersTable.tsx';

export default function TradePage() {
  const pairs = useTradingPairs();
  const assets = useAssets();
  const [params, setParams] = useSearchParams();
  const symbol = params.get('symbol') ?? 'BTC/USD';
  const pair = pairs.data?.find((p) => p.symbol === symbol) ?? pairs.data?.[0];
  const live = useLivePrice(pair?.assetId);
  const price = live ?? assets.data?.items.find((a) => a.id === pair?.assetId)?.priceUsd;
  useAssetSubscription(useMemo(() => (pair ? [pair.assetId] : []), [pair]));
  const open = useOrders('open');
  const closed = useOrders('closed');
  const feeRate = closed.data?.items[0]?.fee.rate ?? DEFAULT_FEE_RATE;

  return (
    <>
      <div className="page-head">
        <h1>Trade</h1>
      </div>
      <div className="grid grid-main-side">
        <div className="stack" style={{ gap: '1rem' }}>
          <section className="card" aria-labelledby="open-orders">
            <h2 id="open-orders">Open orders</h2>
            <QueryState query={open} isEmpty={(d) => d.items.length === 0} empty="No open orders. Limit and stop orders wait here until they fill.">
              {(d) => <OrdersTable orders={d.items} cancellable label="Open orders" />}
            </QueryState>
          </section>
          <section className="card" aria-labelledby="order-history">
            <h2 id="order-history">Order history</h2>
            <QueryState query={closed} isEmpty={(d) => d.items.length === 0} empty="No filled orders yet.">
              {(d) => <OrdersTable orders={d.items} label="Order history" />}
            </QueryState>
          </section>
        </div>
        <section className="card" aria-label="New order">
          {pairs.isPending ? (
            <Loading />
          ) : pair ? (
            <div className="stack">
              <SelectField
                label="Market"
                name="symbol"
                value={pair.symbol}
                onChange={(v) => setParams({ symbol: v })}
                options={(pairs.data ?? []).map((p) => ({ value: p.symbol, label: p.symbol }))}
              />
              <div className="row-between">
                <span className="muted">Last price</span>
                <strong className="num" data-testid="trade-price" aria-live="polite">
                  {formatPrice(price)}
                </strong>
              </div>
              <OrderForm key={pair.symbol} pair={pair} livePrice={price} feeRate={feeRate} />
            </div>
          ) : (
            <p className="muted">No markets are available.</p>
          )}
        </section>
      </div>
    </>
  );
}
