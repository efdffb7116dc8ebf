import { useSearchParams } from 'react-router';
import { BalancesPanel } from './BalancesPanel.tsx';
import { DepositPanel } from './DepositPanel.tsx';
import { TransferPanel } from './TransferPanel.tsx';
import { WithdrawPanel } from './WithdrawPanel.tsx';

const TABS = [
  { id: 'balances', label: 'Balances' },
  { id: 'deposit', label: 'Deposit' },
  { id: 'withdraw', label: 'Withdraw' },
  { id: 'transfer', label: 'Transfer' },
] as const;

export default function WalletPage() {
  const [params, setParams] = useSearchParams();
  const tab = TABS.find((t) => t.id === params.get('tab'))?.id ?? 'balances';
  return (
    <>
      <div className="page-head">
        <h1>Wallet</h1>
      </div>
      <div className="tabs" role="tablist" aria-label="Wallet sections">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            onClick={() => setParams({ tab: t.id }, { replace: true })}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'balances' && <BalancesPanel />}
        {tab === 'deposit' && (
          <div className="stack" style={{ gap: '1rem' }}>
            <BalancesPanel />
            <DepositPanel />
          </div>
        )}
        {tab === 'withdraw' && <WithdrawPanel />}
        {tab === 'transfer' && <TransferPanel />}
      </div>
    </>
  );
}
