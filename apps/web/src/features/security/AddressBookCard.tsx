import { createWithdrawalAddressRequest, type WithdrawalAddress } from '@cryptovault/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useApi } from '../../shared/services.ts';
import { describeError } from '../../lib/errors.ts';
import { type FieldErrors, serverErrors, validate } from '../../lib/forms.ts';
import { qk } from '../../shared/queryKeys.ts';
import { Field, FormError, SubmitButton } from '../../ui/Field.tsx';
import { QueryState } from '../../ui/states.tsx';
import { useToast } from '../../ui/Toasts.tsx';
import { addressState, securityApi, useAddressBook, when } from './api.ts';

/** The add form, also used in the withdraw flow (prefilled with the asset and address being typed there). */
export function AddAddressForm({
  initial,
  onAdded,
}: {
  initial?: { asset?: string; address?: string; network?: string };
  onAdded?: (a: WithdrawalAddress) => void;
}) {
  const api = securityApi(useApi());
  const qc = useQueryClient();
  const toast = useToast();
  const [form, setForm] = useState({ asset: initial?.asset ?? 'BTC', address: initial?.address ?? '', network: initial?.network ?? '', label: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const add = useMutation({
    mutationFn: api.addAddress,
    onSuccess: (a) => {
      toast.show('success', 'Address added', `Open the link we emailed you to confirm it. It becomes usable from ${when(a.usableAt)}.`);
      setForm((f) => ({ ...f, address: '', label: '' }));
      void qc.invalidateQueries({ queryKey: qk.addressBook });
      onAdded?.(a);
    },
    onError: (e) => setErrors(serverErrors(e, { CONFLICT: 'address', LIMIT_EXCEEDED: '_form', ACCOUNT_FROZEN: '_form' })),
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    const body = {
      asset: form.asset.trim(),
      address: form.address.trim(),
      label: form.label.trim(),
      ...(form.network.trim() ? { network: form.network.trim() } : {}),
    };
    const v = validate(createWithdrawalAddressRequest, body);
    if (!v.ok) return setErrors(v.errors);
    setErrors({});
    add.mutate(v.data);
  }
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));
  return (
    <form className="form" onSubmit={submit} noValidate aria-label="Add a withdrawal address">
      <Field label="Asset" name="book-asset" value={form.asset} onChange={set('asset')} error={errors.asset} />
      <Field label="Address" name="book-address" autoComplete="off" spellCheck={false} value={form.address} onChange={set('address')} error={errors.address} />
      <Field label="Network (optional)" name="book-network" value={form.network} onChange={set('network')} error={errors.network} />
      <Field label="Label" name="book-label" value={form.label} onChange={set('label')} error={errors.label} hint="For you, e.g. “Ledger cold wallet”." />
      <FormError message={errors._form} />
      <SubmitButton pending={add.isPending} label="Add address" pendingLabel="Adding…" />
    </form>
  );
}

/**
 * The withdrawal address book: entries with their state (waiting for the emailed confirmation, waiting out the
 * cooling-off period until a given time, active), add and remove (both ask for a step-up), and "address book only".
 */
export function AddressBookCard() {
  const api = securityApi(useApi());
  const qc = useQueryClient();
  const toast = useToast();
  const book = useAddressBook();
  const refresh = () => void qc.invalidateQueries({ queryKey: qk.addressBook });
  const remove = useMutation({
    mutationFn: (id: string) => api.removeAddress(id),
    onSuccess: () => {
      toast.show('success', 'Address removed');
      refresh();
    },
    onError: (e) => toast.show('error', 'Could not remove the address', describeError(e)),
  });
  const mode = useMutation({
    mutationFn: (enabled: boolean) => api.setBookOnly(enabled),
    onSuccess: (s) => {
      toast.show('success', s.offAt ? `"Address book only" ends ${when(s.offAt)}` : s.enabled ? '"Address book only" is on' : '"Address book only" is off');
      refresh();
    },
    onError: (e) => toast.show('error', 'Could not change the mode', describeError(e)),
  });
  return (
    <section className="card" aria-labelledby="address-book-title">
      <h2 id="address-book-title">Withdrawal address book</h2>
      <QueryState query={book}>
        {(d) => (
          <div className="stack">
            <p className="small muted">
              A new address can receive withdrawals once you confirm the link we email you and {d.coolingOffHours} hours have passed since you added it.
            </p>
            <div className="row-between" data-testid="address-book-only">
              <span>
                <strong>Address book only</strong> {d.addressBookOnly.enabled ? <span className="badge badge-ok">on</span> : <span className="badge">off</span>}
                {d.addressBookOnly.offAt && (
                  <div className="small muted">Switching off {when(d.addressBookOnly.offAt)}; until then withdrawals go only to the addresses below.</div>
                )}
              </span>
              {d.addressBookOnly.requested ? (
                <button type="button" className="btn btn-sm" disabled={mode.isPending} onClick={() => mode.mutate(false)}>
                  Switch off (after {d.coolingOffHours} h)
                </button>
              ) : (
                <button type="button" className="btn btn-primary btn-sm" disabled={mode.isPending} onClick={() => mode.mutate(true)}>
                  {d.addressBookOnly.offAt ? 'Keep it on' : 'Turn on'}
                </button>
              )}
            </div>
            {d.items.length === 0 ? (
              <p className="muted">No saved addresses yet.</p>
            ) : (
              <ul className="stack" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
                {d.items.map((a) => (
                  <li key={a.id} className="row-between" data-testid={`address-${a.id}`}>
                    <span>
                      <strong>{a.label}</strong>{' '}
                      <span className="muted small">
                        {a.asset} · {a.network}
                      </span>
                      <div className="small break">{a.address}</div>
                      <div className={`small ${a.usable ? 'up' : 'muted'}`} data-testid="address-state">
                        {addressState(a)}
                      </div>
                    </span>
                    <button type="button" className="btn btn-danger btn-sm" disabled={remove.isPending} onClick={() => remove.mutate(a.id)}>
                      Remove
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <details>
              <summary>Add an address</summary>
              <AddAddressForm />
            </details>
          </div>
        )}
      </QueryState>
    </section>
  );
}
