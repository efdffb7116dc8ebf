import { useEffect, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { formatPrice } from '../../lib/money.ts';
import { useAssetSubscription, useAssets, useLivePrice, useTradingPairs } from '../../shared/market.ts';
import { OrderForm } from '../../shared/OrderForm.tsx';
import { SelectField } from '../../ui/Field.tsx';
import { Loading, QueryState } from '../../ui/states.tsx';
import { PriceCandles } from '../markets/PriceCandles.tsx';
import { useOrders } from './api.ts';
import { OrdersTable } from './OrdersTable.tsx';

/**
 * Desktop: the chart and open orders on the left, the order form beside them (all visible together). Phone: the
 * chart, then orders; a bar fixed at the bottom opens the order form as a bottom sheet in one tap.
 */
export default function TradePage() {
  const pairs = useTradingPairs();
  const assets = useAssets();
  const [params, setParams] = useSearchParams();
  const symbol = params.get('symbol') ?? 'BTC/USD';
  const pair = pairs.data?.find((p) => p.symbol === symbol) ?? pairs.data?.[0];
  const asset = assets.data?.items.find((a) => a.id === pair?.assetId);
  const live = useLivePrice(pair?.assetId);
  const price = live ?? asset?.priceUsd;
  useAssetSubscription(useMemo(() => (pair ? [pair.assetId] : []), [pair]));
  const open = useOrders('open');
  const closed = useOrders('closed');
  const [sheet, setSheet] = useState(false);

  useEffect(() => {
    if (!sheet) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setSheet(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [sheet]);

  return (
    <>
      <div className="page-head">
        <h1>Trade</h1>
      </div>
      <div className="trade-layout">
        <section className="card trade-chart" aria-label="Price chart">
          {pair ? (
            <PriceCandles assetId={pair.assetId} name={asset?.name ?? pair.base} live={price} height={340} title={pair.symbol} />
          ) : (
            <Loading label="Loading chart" />
          )}
        </section>
        <section className={`card trade-form${sheet ? ' is-open' : ''}`} aria-label="New order" data-testid="order-panel">
          <div className="row-between sheet-head">
            <h2 style={{ margin: 0 }}>New order</h2>
            <button type="button" className="btn sheet-close" onClick={() => setSheet(false)}>
              Close
            </button>
          </div>
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
              <OrderForm key={pair.symbol} pair={pair} livePrice={price} />
            </div>
          ) : (
            <p className="muted">No markets are available.</p>
          )}
        </section>
        {sheet && <button type="button" className="sheet-backdrop" aria-label="Close the order form" onClick={() => setSheet(false)} />}
        <div className="trade-orders stack" style={{ gap: '1rem' }}>
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
          <section className="card row-between" aria-labelledby="recurring-link">
            <div>
              <h2 id="recurring-link" style={{ margin: 0 }}>
                Recurring buys
              </h2>
              <p className="muted small" style={{ margin: 0 }}>
                Buy a fixed USD amount every day, week or month.
              </p>
            </div>
            <Link to="/recurring-buys" className="btn btn-sm">
              Manage
            </Link>
          </section>
        </div>
      </div>
      {pair && !sheet && (
        <div className="trade-bar" data-testid="trade-bar">
          <div>
            <div className="muted">{pair.symbol}</div>
            <strong className="num">{formatPrice(price)}</strong>
          </div>
          <button type="button" className="btn btn-buy" onClick={() => setSheet(true)}>
            Buy / Sell {pair.base}
          </button>
        </div>
      )}
    </>
  );
}
