import { type apiRoutes, createTransferRequest, type RouteBody } from '@cryptovault/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useApi } from '../../shared/services.ts';
import { type FieldErrors, serverErrors, validate } from '../../lib/forms.ts';
import { formatAmount } from '../../lib/money.ts';
import { availableOf, useBalances } from '../../shared/balances.ts';
import { qk } from '../../shared/queryKeys.ts';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { Field, FormError, SelectField, SubmitButton } from '../../ui/Field.tsx';
import { QueryState } from '../../ui/states.tsx';
import { useToast } from '../../ui/Toasts.tsx';
import { useTransfers, walletApi } from './api.ts';

export function TransferPanel() {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const balances = useBalances();
  const transfers = useTransfers();
  const assets = (balances.data?.items ?? []).map((b) => b.asset);
  const [form, setForm] = useState({ recipientEmail: '', asset: '', amount: '', note: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  /** The transfer the user is asked to confirm (transfers are final). */
  const [confirming, setConfirming] = useState<RouteBody<typeof apiRoutes.wallet.createTransfer> | null>(null);
  const asset = form.asset || assets[0] || 'USD';
  const send = useMutation({
    mutationFn: walletApi(api).createTransfer,
    onSuccess: (t) => {
      setConfirming(null);
      toast.show('success', 'Transfer sent', `${formatAmount(t.amount, t.asset)} to ${t.counterpartyName || t.counterpartyEmail}`);
      setForm((f) => ({ ...f, amount: '', note: '' }));
      for (const key of [qk.transfers, qk.balances, qk.transactions, qk.portfolio]) void qc.invalidateQueries({ queryKey: key });
    },
    onError: (e) => {
      setConfirming(null);
      setErrors(serverErrors(e, { NOT_FOUND: 'recipientEmail', INSUFFICIENT_FUNDS: 'amount', MIN_AMOUNT: 'amount', LIMIT_EXCEEDED: 'amount' }));
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const v = validate(createTransferRequest, {
      recipientEmail: form.recipientEmail,
      asset,
      amount: form.amount.trim(),
      ...(form.note.trim() ? { note: form.note } : {}),
    });
    if (!v.ok) return setErrors(v.errors);
    setErrors({});
    setConfirming(v.data);
  }
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  return (
    <div className="grid grid-2">
      <section className="card" aria-labelledby="transfer-title">
        <h2 id="transfer-title">Send to another CryptoVault user</h2>
        <form className="form" onSubmit={submit} noValidate>
          <Field
            label="Recipient email"
            name="recipientEmail"
            type="email"
            value={form.recipientEmail}
            onChange={set('recipientEmail')}
            error={errors.recipientEmail}
          />
          <SelectField
            label="Asset"
            name="asset"
            value={asset}
            onChange={(v) => setForm((f) => ({ ...f, asset: v }))}
            options={(assets.length ? assets : [asset]).map((a) => ({ value: a, label: a }))}
          />
          <Field
            label="Amount"
            name="amount"
            inputMode="decimal"
            value={form.amount}
            onChange={set('amount')}
            error={errors.amount}
            hint={`Available: ${formatAmount(availableOf(balances.data, asset), asset)}. Transfers are instant and free.`}
          />
          <Field label="Note (optional)" name="note" maxLength={140} value={form.note} onChange={set('note')} error={errors.note} />
          <FormError message={errors._form} />
          <SubmitButton pending={send.isPending} label="Send" pendingLabel="Sending…" />
        </form>
        {confirming && (
          <ConfirmDialog
            title={`Send ${formatAmount(confirming.amount, confirming.asset)}?`}
            description="Transfers arrive at once and cannot be undone."
            rows={[
              { label: 'To', value: confirming.recipientEmail },
              { label: 'Amount', value: formatAmount(confirming.amount, confirming.asset) },
              { label: 'Fee', value: 'Free' },
              { label: 'Recipient receives', value: formatAmount(confirming.amount, confirming.asset), strong: true },
              ...(confirming.note ? [{ label: 'Note', value: confirming.note }] : []),
            ]}
            confirmLabel="Send"
            busy={send.isPending}
            onConfirm={() => {
              // The dialog closes at once: a step-up the server may ask for is a dialog of its own.
              send.mutate(confirming);
              setConfirming(null);
            }}
            onCancel={() => setConfirming(null)}
          />
        )}
      </section>
      <section className="card" aria-labelledby="transfers-title">
        <h2 id="transfers-title">Transfers</h2>
        <QueryState query={transfers} isEmpty={(d) => d.items.length === 0} empty="No transfers yet.">
          {(d) => (
            <ul className="stack" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
              {d.items.map((t) => (
                <li key={t.id} className="row-between">
                  <span>
                    {t.direction === 'in' ? 'From' : 'To'} <strong>{t.counterpartyName || t.counterpartyEmail}</strong>
                    {t.note && <span className="muted small"> · {t.note}</span>}
                  </span>
                  <span className={`num ${t.direction === 'in' ? 'up' : 'down'}`}>
                    {t.direction === 'in' ? '+' : '−'}
                    {formatAmount(t.amount, t.asset)}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </QueryState>
      </section>
    </div>
  );
}
