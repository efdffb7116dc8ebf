const TONE: Record<string, string> = {
  open: 'badge-info',
  closed: 'badge-ok',
  filled: 'badge-ok',
  finished: 'badge-ok',
  completed: 'badge-ok',
  approved: 'badge-info',
  confirmed: 'badge-info',
  confirming: 'badge-warn',
  sending: 'badge-warn',
  waiting: 'badge-warn',
  pending_review: 'badge-warn',
  partially_paid: 'badge-warn',
  canceled: '',
  expired: '',
  rejected: 'badge-bad',
  failed: 'badge-bad',
  refunded: 'badge-bad',
};

const LABEL: Record<string, string> = {
  closed: 'filled',
  pending_review: 'pending review',
  partially_paid: 'partially paid',
  stop_loss: 'stop-loss',
  take_profit: 'take-profit',
};

export const humanize = (s: string): string => LABEL[s] ?? s.replace(/_/g, ' ');

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge ${TONE[status] ?? ''}`}>{humanize(status)}</span>;
}

export function AssetIcon({ symbol }: { symbol: string }) {
  return (
    <span className="asset-icon" aria-hidden="true">
      {symbol.slice(0, 4)}
    </span>
  );
}
