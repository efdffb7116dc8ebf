import { apiRoutes } from '@cryptovault/contract';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { formatAmount, formatUsd } from '../../lib/money.ts';
import { qk } from '../../shared/queryKeys.ts';
import { useApi } from '../../shared/services.ts';
import { QueryState } from '../../ui/states.tsx';
import { DetailRows } from './DetailRows.tsx';

/** One transfer sent or received, where a history row leads: who, what, when, and the note. */
export default function TransferPage() {
  const { id = '' } = useParams();
  const api = useApi();
  const transfer = useQuery({ queryKey: [...qk.transfers, 'one', id], queryFn: () => api.call(apiRoutes.wallet.transfer, { params: { id } }) });
  return (
    <>
      <div className="page-head">
        <h1>Transfer</h1>
        <Link to="/transactions">Back to history</Link>
      </div>
      <section className="card" aria-label="Transfer details">
        <QueryState query={transfer}>
          {(t) => {
            const who = t.counterpartyName ? `${t.counterpartyName} (${t.counterpartyEmail})` : t.counterpartyEmail || 'A CryptoVault account';
            return (
              <>
                <strong className={`num ${t.direction === 'in' ? 'up' : ''}`} data-testid="transfer-amount">
                  {t.direction === 'in' ? '+' : '-'}
                  {t.asset === 'USD' ? formatUsd(t.amount) : formatAmount(t.amount, t.asset)}
                </strong>
                <DetailRows
                  testId="transfer-details"
                  rows={[
                    [t.direction === 'in' ? 'From' : 'To', who],
                    ['Fee', 'None (transfers between CryptoVault accounts are free)'],
                    ['Note', t.note],
                    ['Date', new Date(t.createdAt).toLocaleString()],
                  ]}
                />
              </>
            );
          }}
        </QueryState>
      </section>
    </>
  );
}
