import { createWithdrawalRequest } from '@cryptovault/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { useAuth } from '../../shared/auth.ts';
import { useApi } from '../../shared/services.ts';
import { describeError } from '../../lib/errors.ts';
import { type FieldErrors, serverErrors, validate } from '../../lib/forms.ts';
import { formatAmount } from '../../lib/money.ts';
import { availableOf, useBalances } from '../../shared/balances.ts';
import { qk } from '../../shared/queryKeys.ts';
import { StatusBadge } from '../../ui/badges.tsx';
import { Field, FormError, SelectField, SubmitButton } from '../../ui/Field.tsx';
import { QueryState } from '../../ui/states.tsx';
import { useToast } from '../../ui/Toasts.tsx';
import { AddAddressForm } from '../security/AddressBookCard.tsx';
import { addressState, useAddressBook } from '../security/api.ts';
import { useWithdrawals, walletApi } from './api.ts';

export function WithdrawPanel() {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const { user } = useAuth();
  const balances = useBalances();
  const withdrawals = useWithdrawals();
  const assets = (balances.data?.items ?? []).map((b) => b.asset);
  const [form, setForm] = useState({ asset: '', amount: '', address: '', network: '', addressId: '' });
  const [adding, setAdding] = useState(false);
  const book = useAddressBook();
  const [errors, setErrors] = useState<FieldErrors>({});
  const asset = form.asset || assets[0] || 'BTC';
  // Book entries for this asset; only usable ones can be chosen, the others show when they will be.
  const entries = (book.data?.items ?? []).filter((a) => a.asset === asset);
  const bookOnly = book.data?.addressBookOnly.enabled ?? false;
  const chosen = entries.find((a) => a.id === form.addressId && a.usable);
  const refresh = () => {
    for (const key of [qk.withdrawals, qk.balances, qk.transactions]) void qc.invalidateQueries({ queryKey: key });
  };
  const create = useMutation({
    mutationFn: walletApi(api).createWithdrawal,
    onSuccess: (w) => {
      setForm((f) => ({ ...f, amount: '' }));
      toast.show('success', 'Withdrawal requested', `${formatAmount(w.amount, w.asset)} is waiting for review.`);
      refresh();
    },
    onError: (e) =>
      setErrors(
        serverErrors(e, {
          INSUFFICIENT_FUNDS: 'amount',
          MIN_AMOUNT: 'amount',
          LIMIT_EXCEEDED: 'amount',
          ADDRESS_BOOK_ONLY: 'address',
          INVALID_STATE: 'addressId',
        }),
      ),
  });
  const cancel = useMutation({
    mutationFn: walletApi(api).cancelWithdrawal,
    onSuccess: () => {
      toast.show('success', 'Withdrawal canceled', 'The locked amount is available again.');
      refresh();
    },
    onError: (e) => toast.show('error', 'Could not cancel', describeError(e)),
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const body = chosen
      ? { asset, amount: form.amount.trim(), addressId: chosen.id }
      : {
          asset,
          amount: form.amount.trim(),
          address: form.address.trim(),
          ...(form.network.trim() ? { network: form.network.trim() } : {}),
        };
    const v = validate(createWithdrawalRequest, body);
    if (!v.ok) return setErrors(v.errors);
    setErrors({});
    create.mutate(v.data);
  }
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  return (
    <div className="grid grid-2">
      <section className="card" aria-labelledby="withdraw-title">
        <h2 id="withdraw-title">Withdraw</h2>
        {!user?.twoFactorEnabled && (
          <p className="alert alert-info small">
            Tip: <Link to="/security">turn on two-factor authentication</Link> — once on, withdrawals and transfers are confirmed with a code.
          </p>
        )}
        <form className="form" onSubmit={submit} noValidate>
          <SelectField
            label="Asset"
            name="asset"
            value={asset}
            onChange={(v) => setForm((f) => ({ ...f, asset: v }))}
            options={(assets.length ? assets : [asset]).map((a) => ({ value: a, label: a }))}
            error={errors.asset}
          />
          <Field
            label="Amount"
            name="amount"
            inputMode="decimal"
            value={form.amount}
            onChange={set('amount')}
            error={errors.amount}
            hint={`Available: ${formatAmount(availableOf(balances.data, asset), asset)}. A network fee is added and locked with it.`}
          />
          <SelectField
            label="Send to"
            name="addressId"
            value={chosen?.id ?? ''}
            onChange={(v) => setForm((f) => ({ ...f, addressId: v }))}
            options={[
              { value: '', label: bookOnly ? 'An address typed below (must be in your address book)' : 'An address typed below' },
              ...entries.filter((a) => a.usable).map((a) => ({ value: a.id, label: `${a.label} · ${a.address.slice(0, 12)}…` })),
            ]}
            error={errors.addressId}
          />
          {entries.some((a) => !a.usable) && (
            <ul className="small muted" data-testid="pending-addresses">
              {entries
                .filter((a) => !a.usable)
                .map((a) => (
                  <li key={a.id}>
                    {a.label}: {addressState(a)}
                  </li>
                ))}
            </ul>
          )}
          {bookOnly && <p className="small muted">“Address book only” is on: withdrawals go only to confirmed addresses of your address book.</p>}
          {!chosen && (
            <>
              <Field
                label="Destination address"
                name="address"
                autoComplete="off"
                spellCheck={false}
                value={form.address}
                onChange={set('address')}
                error={errors.address}
              />
              <Field label="Network (optional)" name="network" value={form.network} onChange={set('network')} error={errors.network} />
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => setAdding((a) => !a)}>
                {adding ? 'Close' : 'Save an address to the address book'}
              </button>
            </>
          )}
          <FormError message={errors._form} />
          <SubmitButton pending={create.isPending} label="Request withdrawal" pendingLabel="Requesting…" />
        </form>
        {adding && !chosen && (
          <div className="card" style={{ marginTop: '1rem' }}>
            <AddAddressForm
              key={`${asset}:${form.address}`}
              initial={{ asset, address: form.address.trim(), network: form.network.trim() }}
              onAdded={() => setAdding(false)}
            />
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="withdrawals-title">
        <h2 id="withdrawals-title">Withdrawals</h2>
        <QueryState query={withdrawals} isEmpty={(d) => d.items.length === 0} empty="No withdrawals yet.">
          {(d) => (
            <ul className="stack" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
              {d.items.map((w) => (
                <li key={w.id} className="row-between" data-testid={`withdrawal-${w.id}`}>
                  <span>
                    <strong className="num">{formatAmount(w.amount, w.asset)}</strong>
                    <span className="muted small break"> to {w.address.slice(0, 10)}…</span>
                    {w.txHash && <span className="muted small break"> · tx {w.txHash.slice(0, 12)}…</span>}
                    {w.rejectReason && <span className="small down"> · {w.rejectReason}</span>}
                  </span>
                  <span className="row">
                    <span data-testid="withdrawal-status">
                      <StatusBadge status={w.status} />
                    </span>
                    {w.status === 'pending_review' && (
                      <button type="button" className="btn btn-danger btn-sm" disabled={cancel.isPending} onClick={() => cancel.mutate(w.id)}>
                        Cancel
                      </button>
                    )}
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
