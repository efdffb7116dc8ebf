import { type ReactNode, useEffect, useId, useRef } from 'react';
import { FormError } from './Field.tsx';
import { ModalLayer } from './ModalLayer.tsx';

export interface ConfirmRow {
  label: string;
  value: ReactNode;
  /** Shown bold (the total, the amount received). */
  strong?: boolean;
  testId?: string;
}

/**
 * The one confirmation step of the app (issue 20): market orders, transfers, withdrawals and deletions show what
 * will happen, in the figures the server will use, and act only on Confirm. Escape and Cancel close it without
 * acting; while `busy` both buttons are disabled so a second click cannot act twice. `rows` are the figures,
 * `children` anything else (a slippage setting, a warning).
 */
export function ConfirmDialog({
  title,
  description,
  rows = [],
  children,
  confirmLabel = 'Confirm',
  cancelLabel = 'Cancel',
  tone = 'primary',
  busy = false,
  confirmDisabled = false,
  error,
  focusConfirm = true,
  onConfirm,
  onCancel,
}: {
  title: string;
  description?: ReactNode;
  rows?: ConfirmRow[];
  children?: ReactNode;
  confirmLabel?: string;
  cancelLabel?: string;
  tone?: 'primary' | 'danger' | 'buy' | 'sell';
  busy?: boolean;
  /** The figures are not there yet (loading a quote), or are no longer valid. */
  confirmDisabled?: boolean;
  error?: string | undefined;
  /** Focus Confirm on open (a dialog with fields to fill focuses its first field instead). */
  focusConfirm?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const titleId = useId();
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (focusConfirm) confirmRef.current?.focus();
  }, [focusConfirm]);
  const toneClass = { primary: 'btn-primary', danger: 'btn-danger', buy: 'btn-buy', sell: 'btn-sell' }[tone];
  return (
    <ModalLayer>
      <div
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        onKeyDown={(e) => {
          if (e.key !== 'Escape') return;
          // The dialog's Escape only: the phone order sheet under it listens for Escape on the window.
          e.stopPropagation();
          if (!busy) onCancel();
        }}
      >
        <h2 id={titleId}>{title}</h2>
        {description && <p className="muted small">{description}</p>}
        {rows.length > 0 && (
          <dl className="stack small" style={{ margin: '0 0 0.75rem' }}>
            {rows.map((r) => (
              <div className="row-between" key={r.label}>
                <dt className={r.strong ? undefined : 'muted'}>{r.strong ? <strong>{r.label}</strong> : r.label}</dt>
                <dd className="num" style={{ margin: 0 }} data-testid={r.testId}>
                  {r.strong ? <strong>{r.value}</strong> : r.value}
                </dd>
              </div>
            ))}
          </dl>
        )}
        {children}
        <FormError message={error} />
        <div className="row" style={{ marginTop: '0.75rem' }}>
          <button ref={confirmRef} type="button" className={`btn ${toneClass}`} onClick={onConfirm} disabled={busy || confirmDisabled}>
            {busy ? 'Working…' : confirmLabel}
          </button>
          <button type="button" className="btn btn-ghost" onClick={onCancel} disabled={busy}>
            {cancelLabel}
          </button>
        </div>
      </div>
    </ModalLayer>
  );
}
