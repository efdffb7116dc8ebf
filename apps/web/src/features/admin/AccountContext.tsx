import type { accountContext } from '@cryptovault/contract';
import type { z } from 'zod';
import { formatAmount, formatUsd, isZero } from '../../lib/money.ts';
import { formatAccountAge } from '../../lib/time.ts';

export type AccountContextData = z.infer<typeof accountContext>;

/** Who a queue item's account is and what it has done, in one line of badges and one of history. */
export function AccountContext({ a }: { a: AccountContextData }) {
  const flags = [
    a.suspended && { label: 'suspended', bad: true },
    a.frozen && { label: 'frozen', bad: true },
    !a.emailVerified && { label: 'email not verified', bad: true },
    a.twoFactorEnabled ? { label: '2FA on', bad: false } : { label: 'no 2FA', bad: true },
  ].filter((f): f is { label: string; bad: boolean } => Boolean(f));
  return (
    <div className="account-context small" data-testid="account-context">
      <div>
        <strong>{a.name}</strong> <span className="muted break">{a.email}</span>
      </div>
      <div className="row muted" style={{ gap: '0.35rem 0.75rem' }}>
        <span>{formatAccountAge(a.createdAt)}</span>
        <span className="badge">KYC tier {a.tier}</span>
        {flags.map((f) => (
          <span key={f.label} className={`badge ${f.bad ? 'badge-bad' : 'badge-ok'}`}>
            {f.label}
          </span>
        ))}
      </div>
      <div className="row muted" style={{ gap: '0.35rem 0.75rem' }}>
        <span>
          Holds {formatAmount(a.balance.available, a.balance.asset)}
          {!isZero(a.balance.locked) && ` + ${formatAmount(a.balance.locked, a.balance.asset, { withSymbol: false })} locked`}
        </span>
        <span>
          {a.deposits.count} deposit{a.deposits.count === 1 ? '' : 's'} ({formatUsd(a.deposits.creditedUsd)})
        </span>
        <span>
          {a.withdrawals.completed30d} withdrawal{a.withdrawals.completed30d === 1 ? '' : 's'} in 30 days ({formatUsd(a.withdrawals.completedUsd30d)})
        </span>
        {a.withdrawals.rejected > 0 && <span className="down">{a.withdrawals.rejected} rejected before</span>}
        <span>
          {a.trades} trade{a.trades === 1 ? '' : 's'}
        </span>
      </div>
    </div>
  );
}
