import { formatAmount, formatUsd } from '../../lib/money.ts';
import { useBalances } from '../../shared/balances.ts';
import { AssetIcon } from '../../ui/badges.tsx';
import { QueryState } from '../../ui/states.tsx';

export function BalancesPanel() {
  const balances = useBalances();
  return (
    <section className="card" aria-labelledby="balances-title">
      <div className="row-between">
        <h2 id="balances-title">Balances</h2>
        {balances.data && (
          <span>
            Total{' '}
            <strong className="num" data-testid="wallet-total">
              {formatUsd(balances.data.totalUsd)}
            </strong>
          </span>
        )}
      </div>
      <QueryState query={balances} isEmpty={(d) => d.items.length === 0} empty="No balances yet. Make a deposit to start trading.">
        {(d) => (
          <div className="table-wrap">
            <table className="table" aria-label="Balances">
              <thead>
                <tr>
                  <th scope="col">Asset</th>
                  <th scope="col" className="right">
                    Available
                  </th>
                  <th scope="col" className="right hide-sm">
                    Locked
                  </th>
                  <th scope="col" className="right">
                    Total
                  </th>
                  <th scope="col" className="right">
                    Value
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((b) => (
                  <tr key={b.asset} data-testid={`balance-${b.asset}`}>
                    <td>
                      <span className="asset-cell">
                        <AssetIcon symbol={b.asset} />
                        <strong>{b.asset}</strong>
                      </span>
                    </td>
                    <td className="right num" data-testid={`available-${b.asset}`}>
                      {formatAmount(b.available, b.asset, { withSymbol: false })}
                    </td>
                    <td className="right num hide-sm">{formatAmount(b.locked, b.asset, { withSymbol: false })}</td>
                    <td className="right num">{formatAmount(b.total, b.asset, { withSymbol: false })}</td>
                    <td className="right num">{formatUsd(b.valueUsd)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
    </section>
  );
}
