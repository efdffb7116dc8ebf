import type { Deposit, DepositStage } from '@cryptovault/contract';
import { formatAmount, formatUsd } from '../../lib/money.ts';
import { StatusBadge } from '../../ui/badges.tsx';

/**
 * A deposit's stage as the wallet's deposit card and the deposit page (`/deposits/:id`) show it: the title, the
 * steps, and what arrived and what the balance received, in the asset credited.
 */

const STEPS: { stage: DepositStage; label: string }[] = [
  { stage: 'waiting', label: 'Waiting for payment' },
  { stage: 'confirming', label: 'Confirming' },
  { stage: 'credited', label: 'Credited' },
];

const TITLES: Record<DepositStage, string> = {
  waiting: 'Waiting for your payment',
  confirming: 'Payment received, confirming',
  credited: 'Deposit credited',
  review: 'Deposit under review',
  expired: 'Deposit expired',
  failed: 'Deposit failed',
};

/**
 * What the balance receives, in words: what was credited once it was ("$500.00", "0.0155 BTC"); before, "$500.00"
 * or, for a deposit credited in its coin, "The BTC received (about $500.00)".
 */
export function creditWords(d: Deposit): string {
  if (d.creditedAmount !== null) return d.creditAsset === 'USD' ? formatUsd(d.creditedAmount) : formatAmount(d.creditedAmount, d.creditAsset);
  if (d.creditAsset === 'USD') return formatUsd(d.creditedUsd ?? d.amountUsd);
  return `The ${d.creditAsset} received (about ${formatUsd(d.amountUsd)})`;
}

/** The stage's title and the provider's status. */
export function DepositHeading({ d, stage }: { d: Deposit; stage: DepositStage }) {
  return (
    <div className="row-between">
      <h2 style={{ margin: 0 }} data-testid="deposit-stage" data-stage={stage}>
        {TITLES[stage]}
      </h2>
      <span data-testid="deposit-status">
        <StatusBadge status={d.status} />
      </span>
    </div>
  );
}

/** Waiting → confirming → credited; nothing for the stages off that path (review, expired, failed). */
export function DepositSteps({ stage }: { stage: DepositStage }) {
  const at = STEPS.findIndex((s) => s.stage === stage);
  if (at < 0) return null;
  return (
    <ol className="deposit-steps small" aria-label="Deposit progress">
      {STEPS.map((s, i) => (
        <li key={s.stage} className={i < at ? 'done' : i === at ? 'current' : undefined} aria-current={i === at ? 'step' : undefined}>
          {s.label}
        </li>
      ))}
    </ol>
  );
}

/** What arrived, what the balance received (or will), and what the stage means for the person. */
export function DepositOutcome({ d, stage }: { d: Deposit; stage: DepositStage }) {
  return (
    <dl className="stack small" style={{ margin: '1rem 0 0' }}>
      {d.actuallyPaid && (
        <div>
          <dt className="label">Received</dt>
          <dd className="num" style={{ margin: 0 }} data-testid="deposit-received">
            {formatAmount(d.actuallyPaid, d.payCurrency)}
          </dd>
        </div>
      )}
      <div>
        <dt className="label">{stage === 'credited' ? 'Credited to your balance' : 'To be credited'}</dt>
        <dd className="num" style={{ margin: 0 }} data-testid="deposit-credited">
          {creditWords(d)}
        </dd>
      </div>
      {stage === 'waiting' && <p className="hint">No payment has arrived yet.</p>}
      {stage === 'confirming' && <p className="hint">The network is confirming the payment; nothing more to send.</p>}
      {stage === 'expired' && <p className="hint">No payment arrived in time. Start a new deposit to get a fresh address; do not send to this one.</p>}
      {stage === 'review' && <p className="hint">The payment did not arrive as expected; our team is reviewing it and will contact you.</p>}
      {stage === 'failed' && <p className="hint">The payment provider reports this payment as {d.status}. Start a new deposit to try again.</p>}
    </dl>
  );
}
