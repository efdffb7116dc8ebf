import { apiRoutes, depositNetworkFor, depositStage } from '@cryptovault/contract';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { formatUsd } from '../../lib/money.ts';
import { useFallbackInterval } from '../../shared/market.ts';
import { qk } from '../../shared/queryKeys.ts';
import { useApi } from '../../shared/services.ts';
import { QueryState } from '../../ui/states.tsx';
import { TxLink } from '../../ui/TxLink.tsx';
import { DetailRows } from './DetailRows.tsx';
import { payCurrencyLabel } from '../wallet/api.ts';
import { DepositHeading, DepositOutcome, DepositSteps } from '../wallet/DepositProgress.tsx';

/**
 * One deposit, where a history row leads: its stage as the wallet's deposit card shows it (the same title, steps,
 * and what arrived and was credited, in the asset credited: "0.0155 BTC" for a deposit credited in its coin), then
 * its details.
 */
export default function DepositPage() {
  const { id = '' } = useParams();
  const api = useApi();
  // The realtime bridge invalidates qk.deposits on each change; polling only while the socket is down.
  const refetchInterval = useFallbackInterval();
  const deposit = useQuery({
    queryKey: [...qk.deposits, 'one', id],
    queryFn: () => api.call(apiRoutes.wallet.deposit, { params: { id } }),
    refetchInterval,
  });
  return (
    <>
      <div className="page-head">
        <h1>Deposit</h1>
        <Link to="/transactions">Back to history</Link>
      </div>
      <section className="card" aria-label="Deposit details">
        <QueryState query={deposit}>
          {(d) => {
            const stage = depositStage(d);
            const rows: [string, ReactNode][] = [
              ['Amount', formatUsd(d.amountUsd)],
              ['Paid with', payCurrencyLabel(d.payCurrency)],
              ['Credited in', d.creditAsset === 'USD' ? 'US dollars (USD)' : d.creditAsset],
              ['Deposit fee', 'None (CryptoVault charges no fee on deposits)'],
              ...(d.txHash ? [['Transaction', <TxLink key="tx" network={depositNetworkFor(d.payCurrency)} hash={d.txHash} />] as [string, ReactNode]] : []),
              ['Created', new Date(d.createdAt).toLocaleString()],
              ['Last change', new Date(d.updatedAt).toLocaleString()],
              ['Payment id', d.providerPaymentId],
            ];
            return (
              <>
                <DepositHeading d={d} stage={stage} />
                <DepositSteps stage={stage} />
                <DepositOutcome d={d} stage={stage} />
                <DetailRows rows={rows} testId="deposit-details" />
              </>
            );
          }}
        </QueryState>
      </section>
    </>
  );
}
