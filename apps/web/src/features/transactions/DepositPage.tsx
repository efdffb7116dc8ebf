import { apiRoutes } from '@cryptovault/contract';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { formatAmount, formatUsd } from '../../lib/money.ts';
import { qk } from '../../shared/queryKeys.ts';
import { useApi } from '../../shared/services.ts';
import { StatusBadge } from '../../ui/badges.tsx';
import { QueryState } from '../../ui/states.tsx';

/** One deposit, where a history row leads. */
export default function DepositPage() {
  const { id = '' } = useParams();
  const api = useApi();
  const deposit = useQuery({ queryKey: [...qk.deposits, 'one', id], queryFn: () => api.call(apiRoutes.wallet.deposit, { params: { id } }) });
  return (
    <>
      <div className="page-head">
        <h1>Deposit</h1>
        <Link to="/transactions">Back to history</Link>
      </div>
      <section className="card">
        <QueryState query={deposit}>
          {(d) => {
            const rows: [string, ReactNode][] = [
              ['Status', <StatusBadge key="s" status={d.status} />],
              ['Amount', formatUsd(d.amountUsd)],
              ['Credited', d.creditedUsd ? formatUsd(d.creditedUsd) : '—'],
              ['Paid with', d.payCurrency.toUpperCase()],
              ['Received', d.actuallyPaid ? formatAmount(d.actuallyPaid, d.payCurrency) : '—'],
              ['Created', new Date(d.createdAt).toLocaleString()],
              ['Last change', new Date(d.updatedAt).toLocaleString()],
              ['Payment id', d.providerPaymentId],
            ];
            return (
              <dl className="details" data-testid="deposit-details">
                {rows.map(([k, v]) => (
                  <div key={k} className="row-between" style={{ padding: '0.4rem 0', borderBottom: '1px solid var(--border)' }}>
                    <dt className="muted">{k}</dt>
                    <dd className="num break" style={{ margin: 0 }}>
                      {v}
                    </dd>
                  </div>
                ))}
              </dl>
            );
          }}
        </QueryState>
      </section>
    </>
  );
}
