import { apiRoutes, NETWORKS, type Withdrawal } from '@cryptovault/contract';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { formatAmount, formatUsd } from '../../lib/money.ts';
import { useFallbackInterval } from '../../shared/market.ts';
import { qk } from '../../shared/queryKeys.ts';
import { useApi } from '../../shared/services.ts';
import { StatusBadge } from '../../ui/badges.tsx';
import { QueryState } from '../../ui/states.tsx';
import { TxLink } from '../../ui/TxLink.tsx';
import { DetailRows } from './DetailRows.tsx';

/** What the withdrawal did to the balance, in words that fit its status: held, taken, or given back. */
function balanceRow(status: Withdrawal['status']): string {
  if (status === 'pending_review' || status === 'approved') return 'Held from your balance';
  if (status === 'rejected' || status === 'canceled') return 'Released back to your balance';
  return 'Taken from your balance';
}

/** One withdrawal, where a history row leads: what was sent, the fee, where, its review and its transaction. */
export default function WithdrawalPage() {
  const { id = '' } = useParams();
  const api = useApi();
  // The realtime bridge invalidates qk.withdrawals on each change; polling only while the socket is down.
  const refetchInterval = useFallbackInterval();
  const withdrawal = useQuery({
    queryKey: [...qk.withdrawals, 'one', id],
    queryFn: () => api.call(apiRoutes.wallet.withdrawal, { params: { id } }),
    refetchInterval,
  });
  return (
    <>
      <div className="page-head">
        <h1>Withdrawal</h1>
        <Link to="/transactions">Back to history</Link>
      </div>
      <section className="card" aria-label="Withdrawal details">
        <QueryState query={withdrawal}>
          {(w) => (
            <>
              <div className="row-between">
                <strong className="num" data-testid="withdrawal-amount">
                  {formatAmount(w.amount, w.asset)}
                </strong>
                <StatusBadge status={w.status} />
              </div>
              <DetailRows
                testId="withdrawal-details"
                rows={[
                  ['Network fee', formatAmount(w.fee, w.asset)],
                  [balanceRow(w.status), formatAmount(w.total, w.asset)],
                  ['Value when requested', formatUsd(w.amountUsd)],
                  ['Network', NETWORKS[w.network]?.name ?? w.network],
                  ['To address', w.address],
                  ['Approvals', w.requiredApprovals > 0 ? `${w.approvals} of ${w.requiredApprovals}` : null],
                  ['Transaction', w.txHash ? <TxLink key="tx" network={w.network} hash={w.txHash} /> : null],
                  ['Reason', w.rejectReason],
                  ['Requested', new Date(w.createdAt).toLocaleString()],
                  ['Last change', new Date(w.updatedAt).toLocaleString()],
                ]}
              />
            </>
          )}
        </QueryState>
      </section>
    </>
  );
}
