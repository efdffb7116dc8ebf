import { lazy, Suspense, useState } from 'react';
import { Link } from 'react-router';
import { useAuth } from '../../shared/auth.ts';
import { formatAmount, formatPrice, formatUsd, isNegative } from '../../lib/money.ts';
import { availableOf, useBalances } from '../../shared/balances.ts';
import { AssetIcon } from '../../ui/badges.tsx';
import type { ChartRangeId } from '../../ui/chart-common.ts';
import { RangeButtons } from '../../ui/RangeButtons.tsx';
import { ErrorState, Loading, QueryState } from '../../ui/states.tsx';
import { AllocationChart } from './AllocationChart.tsx';
import { usePortfolio, usePortfolioHistory } from './api.ts';
import { GainsPnlCard, TaxReportCard } from './GainsSection.tsx';

const TimeChart = lazy(() => import('../../ui/TimeChart.tsx'));
/** The shared chart ranges (1D/1W/1M/1Y) as the portfolio history API names them. */
const PORTFOLIO_RANGE = { '1D': '1d', '1W': '7d', '1M': '30d', '1Y': '1y' } as const satisfies Record<ChartRangeId, string>;

export default function DashboardPage() {
  const { user } = useAuth();
  const portfolio = usePortfolio();
  const balances = useBalances();
  const [range, setRange] = useState<ChartRangeId>('1W');
  const history = usePortfolioHistory(PORTFOLIO_RANGE[range]);

  return (
    <>
      <div className="page-head">
        <h1>Hello{user?.name ? `, ${user.name.split(' ')[0]}` : ''}</h1>
        <div className="row">
          <Link className="btn btn-primary" to="/wallet?tab=deposit">
            Deposit
          </Link>
          <Link className="btn" to="/trade">
            Trade
          </Link>
        </div>
      </div>
      <QueryState query={portfolio} loadingLabel="Loading your portfolio">
        {(p) => (
          <div className="stack" style={{ gap: '1rem' }}>
            <section className="card stats" aria-label="Summary">
              <div>
                <div className="stat-label">Total value</div>
                <div className="stat-value" data-testid="total-value">
                  {formatUsd(p.totalUsd)}
                </div>
              </div>
              <div>
                <div className="stat-label">24h change</div>
                <div className={`stat-value ${isNegative(p.change24hUsd) ? 'down' : 'up'}`}>{formatUsd(p.change24hUsd, { signed: true })}</div>
              </div>
              <div>
                <div className="stat-label">Cash available</div>
                <div className="stat-value" data-testid="cash-available">
                  {balances.data ? formatUsd(availableOf(balances.data, 'USD')) : '—'}
                </div>
              </div>
            </section>
            <div className="grid grid-main-side">
              <section className="card" aria-label="Portfolio history">
                <div className="row-between" style={{ marginBottom: '0.75rem' }}>
                  <h2 style={{ margin: 0 }}>Portfolio value</h2>
                  <RangeButtons value={range} onChange={setRange} label="History range" />
                </div>
                {history.error ? (
                  <ErrorState error={history.error} onRetry={() => void history.refetch()} />
                ) : history.isPending ? (
                  <Loading label="Loading history" />
                ) : (
                  <Suspense fallback={<Loading label="Loading chart" />}>
                    <TimeChart
                      height={260}
                      label={`Portfolio value over ${range}`}
                      points={(history.data?.items ?? []).map((i) => ({ time: Date.parse(i.time), value: i.valueUsd }))}
                    />
                  </Suspense>
                )}
              </section>
              <section className="card" aria-label="Allocation">
                <h2>Allocation</h2>
                {p.holdings.length === 0 ? (
                  <p className="muted">Nothing yet. Deposit funds to get started.</p>
                ) : (
                  <AllocationChart slices={p.holdings.map((h) => ({ label: h.asset, fraction: h.allocation }))} />
                )}
              </section>
            </div>
            <section className="card" aria-labelledby="holdings-title">
              <h2 id="holdings-title">Holdings</h2>
              {p.holdings.length === 0 ? (
                <div className="empty">
                  <p>You have no holdings yet.</p>
                  <Link className="btn btn-primary" to="/wallet?tab=deposit">
                    Make a deposit
                  </Link>
                </div>
              ) : (
                <div className="table-wrap">
                  <table className="table" data-testid="holdings">
                    <thead>
                      <tr>
                        <th scope="col">Asset</th>
                        <th scope="col" className="right">
                          Amount
                        </th>
                        <th scope="col" className="right hide-sm">
                          Price
                        </th>
                        <th scope="col" className="right">
                          Value
                        </th>
                        <th scope="col" className="right hide-sm">
                          Avg. cost
                        </th>
                        <th scope="col" className="right">
                          P&amp;L
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {p.holdings.map((h) => (
                        <tr key={h.asset} data-testid={`holding-${h.asset}`}>
                          <td>
                            <span className="asset-cell">
                              <AssetIcon symbol={h.asset} />
                              <strong>{h.asset}</strong>
                            </span>
                          </td>
                          <td className="right num">{formatAmount(h.amount, h.asset, { withSymbol: false })}</td>
                          <td className="right num hide-sm">{h.asset === 'USD' ? '—' : formatPrice(h.priceUsd)}</td>
                          <td className="right num">{formatUsd(h.valueUsd)}</td>
                          <td className="right num hide-sm">{h.averageCostUsd ? formatPrice(h.averageCostUsd) : '—'}</td>
                          <td className={`right num ${isNegative(h.unrealizedPnlUsd) ? 'down' : h.unrealizedPnlUsd ? 'up' : ''}`}>
                            {h.unrealizedPnlUsd ? formatUsd(h.unrealizedPnlUsd, { signed: true }) : '—'}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </section>
            <div className="grid grid-main-side">
              <GainsPnlCard />
              <TaxReportCard />
            </div>
          </div>
        )}
      </QueryState>
    </>
  );
}
