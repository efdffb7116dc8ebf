import { useAssets } from '../../shared/market.ts';
import { QueryState } from '../../ui/states.tsx';
import { MarketTable } from './MarketTable.tsx';

export default function MarketsPage() {
  const assets = useAssets();
  return (
    <>
      <div className="page-head">
        <h1>Markets</h1>
        {assets.data && (
          <span className="small muted">
            {assets.data.source === 'simulated' ? 'Simulated market' : 'Prices from CoinCap'}
            {assets.data.stale && (
              <span className="badge badge-warn" style={{ marginLeft: 8 }}>
                prices delayed
              </span>
            )}
          </span>
        )}
      </div>
      <section className="card" aria-label="All assets">
        <QueryState query={assets} isEmpty={(d) => d.items.length === 0} empty="No prices yet; the feed is starting." loadingLabel="Loading prices">
          {(d) => <MarketTable assets={d.items} />}
        </QueryState>
      </section>
    </>
  );
}
