import { useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { useAuth } from '../../shared/auth.ts';
import { formatCompactUsd, formatPercent, formatPrice, isNegative } from '../../lib/money.ts';
import { useAssetSubscription, useLivePrice, useTradingPairs } from '../../shared/market.ts';
import { OrderForm } from '../../shared/OrderForm.tsx';
import { AssetIcon } from '../../ui/badges.tsx';
import { ErrorState, Loading } from '../../ui/states.tsx';
import { useAsset } from './api.ts';
import { PriceCandles } from './PriceCandles.tsx';
import { AssetStar } from './watchlist.tsx';

export default function AssetPage() {
  const { id = '' } = useParams();
  const asset = useAsset(id);
  const assetId = asset.data?.id ?? id;
  const live = useLivePrice(assetId);
  const pairs = useTradingPairs();
  const { user } = useAuth();
  useAssetSubscription(useMemo(() => [assetId], [assetId]));

  if (asset.isPending) return <Loading label="Loading asset" />;
  if (asset.error || !asset.data) return <ErrorState error={asset.error} onRetry={() => void asset.refetch()} />;
  const a = asset.data;
  const price = live ?? a.priceUsd;
  const pair = pairs.data?.find((p) => p.assetId === a.id);

  return (
    <>
      <div className="page-head">
        <div className="row">
          <AssetIcon symbol={a.symbol} size={40} />
          <div>
            <h1>
              {a.name} <span className="muted">{a.symbol}</span>
            </h1>
          </div>
          <AssetStar assetId={a.id} symbol={a.symbol} name={a.name} />
        </div>
        <div className="right">
          <div className="stat-value num" data-testid="asset-price" aria-live="polite">
            {formatPrice(price)}
          </div>
          <div className={`num ${isNegative(a.changePercent24Hr) ? 'down' : 'up'}`}>{formatPercent(a.changePercent24Hr)} (24h)</div>
        </div>
      </div>
      <div className="grid grid-main-side">
        <section className="card" aria-label="Price chart">
          <PriceCandles assetId={a.id} name={a.name} live={live ?? undefined} />
          <div className="stats" style={{ marginTop: '1rem' }}>
            <div>
              <div className="stat-label">Market cap</div>
              <div className="num">{formatCompactUsd(a.marketCapUsd)}</div>
            </div>
            <div>
              <div className="stat-label">Volume 24h</div>
              <div className="num">{formatCompactUsd(a.volumeUsd24Hr)}</div>
            </div>
            <div>
              <div className="stat-label">VWAP 24h</div>
              <div className="num">{formatPrice(a.vwap24Hr)}</div>
            </div>
            <div>
              <div className="stat-label">Rank</div>
              <div className="num">#{a.rank}</div>
            </div>
          </div>
        </section>
        <section className="card" aria-label={`Trade ${a.symbol}`}>
          <h2>Trade {a.symbol}</h2>
          {!user ? (
            <p>
              <Link to={`/login?next=/markets/${a.id}`}>Log in</Link> or <Link to="/signup">sign up</Link> to trade {a.name}.
            </p>
          ) : pair ? (
            <OrderForm pair={pair} livePrice={price} />
          ) : pairs.isPending ? (
            <Loading />
          ) : (
            <p className="muted">{a.symbol} is not tradable yet.</p>
          )}
        </section>
      </div>
    </>
  );
}
