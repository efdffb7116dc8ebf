import { Link } from 'react-router';
import { formatAmount, formatRate, formatUsd } from '../../lib/money.ts';
import { QueryState } from '../../ui/states.tsx';
import { useFeeSchedule } from './api.ts';
import { LegalNav } from './LegalPage.tsx';

/** `/fees`: generated from GET /api/legal/fees, which reads the settings that charge the fees. */
export default function FeesPage() {
  const fees = useFeeSchedule();
  return (
    <article className="legal-page">
      <LegalNav current="fees" />
      <h1>Fees</h1>
      <QueryState query={fees}>
        {(f) => (
          <div className="stack">
            <section>
              <h2>Trading</h2>
              <p>
                Every buy and sell is charged <strong data-testid="fee-rate">{formatRate(f.trading.rate)}</strong> of its value, in US dollars. The value
                (amount × price) is rounded to the cent, and the fee is rounded up to the next cent. On a buy the fee is added to what you pay; on a sell it is
                taken from what you receive. There is no other trading charge.
              </p>
              <div className="table-wrap">
                <table className="table" data-testid="fee-examples">
                  <caption className="muted small">Examples</caption>
                  <thead>
                    <tr>
                      <th scope="col">Trade</th>
                      <th scope="col" className="right">
                        Value
                      </th>
                      <th scope="col" className="right">
                        Fee
                      </th>
                      <th scope="col" className="right">
                        {'You pay / receive'}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {f.trading.examples.map((e) => (
                      <tr key={`${e.side}-${e.value}`}>
                        <td>{e.side === 'buy' ? 'Buy' : 'Sell'}</td>
                        <td className="right num">{formatUsd(e.value)}</td>
                        <td className="right num">{formatUsd(e.fee)}</td>
                        <td className="right num">
                          {formatUsd(e.total)} <span className="muted small">{e.side === 'buy' ? 'paid' : 'received'}</span>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
            <section>
              <h2>Deposits</h2>
              <p>
                {/[1-9]/.test(f.depositFee) ? `Each deposit is charged ${formatUsd(f.depositFee)}.` : 'CryptoVault charges nothing for deposits.'} The network
                you pay from may charge its own fee.
              </p>
            </section>
            <section>
              <h2>Withdrawals</h2>
              <p>Each withdrawal pays a network fee in the asset withdrawn, added to the amount you send and shown before you confirm.</p>
              <div className="table-wrap">
                <table className="table" data-testid="withdrawal-fees">
                  <thead>
                    <tr>
                      <th scope="col">Asset</th>
                      <th scope="col" className="right">
                        Network fee
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {f.withdrawals.map((w) => (
                      <tr key={w.asset}>
                        <td>
                          {w.name} <span className="muted">{w.asset}</span>
                        </td>
                        <td className="right num">{formatAmount(w.fee, w.asset)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
            <p className="muted small">
              These figures come from the same settings that compute every charge. See also the <Link to="/legal/terms">Terms of Service</Link> and the{' '}
              <Link to="/legal/risk">Risk Disclosure</Link>.
            </p>
          </div>
        )}
      </QueryState>
    </article>
  );
}
