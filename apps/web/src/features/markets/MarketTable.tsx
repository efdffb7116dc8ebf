import type { Asset } from '@cryptovault/contract';
import { useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { compareDecimal, formatCompactUsd, formatPercent, formatPrice, isNegative } from '../../lib/money.ts';
import { useAssetSubscription, useLivePriceVersion } from '../../shared/market.ts';
import { useServices } from '../../shared/services.ts';
import { AssetIcon } from '../../ui/badges.tsx';
import { Sparkline } from '../../ui/Sparkline.tsx';
import { useHistory } from './api.ts';
import { useWatchlist, WatchStar } from './watchlist.tsx';

type SortKey = 'rank' | 'name' | 'price' | 'change' | 'marketCap';

function RowSparkline({ asset }: { asset: Asset }) {
  const h = useHistory(asset.id, 'h1', 86_400_000);
  const live = useServices().prices.get(asset.id);
  const points = (h.data?.items ?? []).map((p) => p.priceUsd);
  if (live) points.push(live);
  return <Sparkline points={points} label={`${asset.name} over the last 24 hours`} />;
}

/**
 * The live market table: search, sort, sparklines, prices from the socket over the REST snapshot, a star per asset
 * and (with the controls) an All / Watchlist filter kept in the URL (`?list=watchlist`).
 */
export function MarketTable({ assets, limit, showControls = true }: { assets: Asset[]; limit?: number; showControls?: boolean }) {
  const [query, setQuery] = useState('');
  const [params, setParams] = useSearchParams();
  const watchOnly = showControls && params.get('list') === 'watchlist';
  const watch = useWatchlist();
  const setWatchOnly = (on: boolean) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        if (on) next.set('list', 'watchlist');
        else next.delete('list');
        return next;
      },
      { replace: true },
    );
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: 'rank', dir: 1 });
  const navigate = useNavigate();
  const { prices } = useServices();
  useLivePriceVersion();
  useAssetSubscription(useMemo(() => assets.map((a) => a.id), [assets]));

  const rows = assets
    .map((a) => ({ ...a, priceUsd: prices.get(a.id) ?? a.priceUsd }))
    .filter((a) => !watchOnly || watch.ids.has(a.id))
    .filter((a) => {
      const q = query.trim().toLowerCase();
      return !q || a.name.toLowerCase().includes(q) || a.symbol.toLowerCase().includes(q);
    })
    .sort((a, b) => {
      const by: Record<SortKey, number> = {
        rank: a.rank - b.rank,
        name: a.name.localeCompare(b.name),
        price: compareDecimal(a.priceUsd, b.priceUsd),
        change: compareDecimal(a.changePercent24Hr, b.changePercent24Hr),
        marketCap: compareDecimal(a.marketCapUsd, b.marketCapUsd),
      };
      return by[sort.key] * sort.dir;
    })
    .slice(0, limit);

  const header = (key: SortKey, label: string, className = '') => {
    const active = sort.key === key;
    return (
      <th className={className} aria-sort={active ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'} scope="col">
        <button
          type="button"
          className="sort-btn"
          onClick={() => setSort((s) => ({ key, dir: s.key === key ? (s.dir === 1 ? -1 : 1) : key === 'rank' || key === 'name' ? 1 : -1 }))}
        >
          {label}
          {active ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}
        </button>
      </th>
    );
  };

  return (
    <div className="stack">
      {showControls && (
        <div className="row">
          <fieldset className="segmented">
            <legend className="visually-hidden">Show</legend>
            <button type="button" aria-pressed={!watchOnly} onClick={() => setWatchOnly(false)}>
              All assets
            </button>
            <button type="button" aria-pressed={watchOnly} onClick={() => setWatchOnly(true)} data-testid="filter-watchlist">
              Watchlist{watch.signedIn && watch.ids.size > 0 ? ` (${watch.ids.size})` : ''}
            </button>
          </fieldset>
          <label className="visually-hidden" htmlFor="market-search">
            Search assets
          </label>
          <input
            id="market-search"
            className="input"
            type="search"
            placeholder="Search by name or symbol"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            style={{ maxWidth: 320 }}
          />
        </div>
      )}
      <div className="table-wrap">
        <table className="table market-table" aria-label="Markets">
          <thead>
            <tr>
              <th scope="col" className="star-col">
                <span className="visually-hidden">Watchlist</span>
              </th>
              {header('rank', '#', 'hide-sm')}
              {header('name', 'Asset')}
              {header('price', 'Price', 'right')}
              {header('change', '24h', 'right')}
              {header('marketCap', 'Market cap', 'right hide-sm')}
              <th className="right hide-sm" scope="col">
                Last 24h
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <tr key={a.id} className="clickable" onClick={() => navigate(`/markets/${a.id}`)} data-testid={`market-row-${a.symbol}`}>
                <td className="star-col">
                  <WatchStar assetId={a.id} symbol={a.symbol} name={a.name} starred={watch.ids.has(a.id)} signedIn={watch.signedIn} />
                </td>
                <td className="hide-sm muted">{a.rank}</td>
                <td>
                  <a
                    href={`/markets/${a.id}`}
                    className="asset-cell"
                    style={{ color: 'inherit', textDecoration: 'none' }}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(`/markets/${a.id}`);
                    }}
                  >
                    <AssetIcon symbol={a.symbol} />
                    <span>
                      <strong>{a.name}</strong> <span className="muted small">{a.symbol}</span>
                    </span>
                  </a>
                </td>
                <td className="right num" data-testid={`price-${a.symbol}`}>
                  {formatPrice(a.priceUsd)}
                </td>
                <td className={`right num ${isNegative(a.changePercent24Hr) ? 'down' : 'up'}`}>{formatPercent(a.changePercent24Hr)}</td>
                <td className="right num hide-sm">{formatCompactUsd(a.marketCapUsd)}</td>
                <td className="right hide-sm">
                  <RowSparkline asset={a} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.length === 0 && <EmptyRows watchOnly={watchOnly} signedIn={watch.signedIn} pending={watch.isPending} query={query} />}
    </div>
  );
}

function EmptyRows({ watchOnly, signedIn, pending, query }: { watchOnly: boolean; signedIn: boolean; pending: boolean; query: string }) {
  if (watchOnly && !signedIn)
    return (
      <p className="empty">
        <Link to="/login?next=%2Fmarkets%3Flist%3Dwatchlist">Sign in</Link> to keep a watchlist of the assets you follow.
      </p>
    );
  if (watchOnly && pending) return <p className="empty">Loading your watchlist…</p>;
  if (watchOnly && !query.trim()) return <p className="empty">Your watchlist is empty: star an asset (☆) to follow it here.</p>;
  return <p className="empty">No asset matches “{query}”.</p>;
}
