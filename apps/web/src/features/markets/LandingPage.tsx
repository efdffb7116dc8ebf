import { Link } from 'react-router';
import { useAuth } from '../../shared/auth.ts';
import { useAssets } from '../../shared/market.ts';
import { QueryState } from '../../ui/states.tsx';
import { MarketTable } from './MarketTable.tsx';

export default function LandingPage() {
  const { user } = useAuth();
  const assets = useAssets();
  return (
    <>
      <section className="hero">
        <div>
          <h1>Trade crypto at live prices, with every cent accounted for.</h1>
          <p>
            Deposit with crypto, buy and sell at the market or with limit and stop orders, set price alerts, send funds to friends and withdraw — protected by
            two-factor authentication and a double-entry ledger.
          </p>
          <div className="row">
            {user ? (
              <Link className="btn btn-primary" to="/dashboard">
                Go to your dashboard
              </Link>
            ) : (
              <>
                <Link className="btn btn-primary" to="/signup">
                  Create a free account
                </Link>
                <Link className="btn" to="/login">
                  Log in
                </Link>
              </>
            )}
            <Link className="btn btn-ghost" to="/markets">
              See all markets →
            </Link>
          </div>
        </div>
      </section>
      <section className="card" aria-labelledby="top-markets">
        <h2 id="top-markets">Top markets</h2>
        <QueryState query={assets} isEmpty={(d) => d.items.length === 0} empty="No prices yet." loadingLabel="Loading prices">
          {(d) => <MarketTable assets={d.items} limit={8} showControls={false} />}
        </QueryState>
      </section>
    </>
  );
}
