import { type AdjustmentStatus, adjustmentStatus, proposeAdjustmentRequest } from '@cryptovault/contract';
import { type FormEvent, useState } from 'react';
import { describeError } from '../../lib/errors.ts';
import { type FieldErrors, serverErrors, validate } from '../../lib/forms.ts';
import { formatAmount } from '../../lib/money.ts';
import { useAuth } from '../../shared/auth.ts';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { Field, FormError, SelectField } from '../../ui/Field.tsx';
import { QueryState } from '../../ui/states.tsx';
import { useToast } from '../../ui/Toasts.tsx';
import { type AdminUser, useAdminUser, useUsers } from './api.ts';
import { type Adjustment, useAdjustments, useOperatorsAction } from './operatorsApi.ts';

const when = (iso: string) => new Date(iso).toLocaleString();
const signed = (a: Adjustment | { amount: string; asset: string }) => formatAmount(a.amount, a.asset, { signed: true });

/** The chosen user's balances: context for the maker. */
function UserBalances({ id }: { id: string }) {
  const detail = useAdminUser(id);
  return (
    <QueryState query={detail}>
      {(u) => (
        <div className="row small">
          {u.balances.length === 0 ? (
            <span className="muted">No balances yet.</span>
          ) : (
            u.balances.map((b) => (
              <span key={b.asset} className="badge">
                {formatAmount(b.available, b.asset)} available
              </span>
            ))
          )}
        </div>
      )}
    </QueryState>
  );
}

/** Maker: find the user, then asset, signed amount, reason and evidence; a confirmation shows what will be proposed. */
function ProposeForm() {
  const [q, setQ] = useState('');
  const [user, setUser] = useState<AdminUser | null>(null);
  const users = useUsers(q.trim());
  const [form, setForm] = useState({ asset: 'USD', amount: '', reason: '', evidence: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [confirming, setConfirming] = useState<typeof form | null>(null);
  const act = useOperatorsAction();
  const toast = useToast();

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!user) return setErrors({ userId: 'Choose the user first.' });
    const values = { ...form, asset: form.asset.trim().toUpperCase(), userId: user.id };
    const v = validate(proposeAdjustmentRequest, values);
    if (!v.ok) return setErrors(v.errors);
    setErrors({});
    setConfirming(values);
  }
  function propose() {
    if (!user || !confirming) return;
    act.mutate((ops) => ops.propose({ ...confirming, userId: user.id }), {
      onSuccess: () => {
        toast.show('success', 'Adjustment proposed: another finance operator must approve it');
        setConfirming(null);
        setForm({ asset: 'USD', amount: '', reason: '', evidence: '' });
      },
      onError: (err) => {
        setConfirming(null);
        setErrors(serverErrors(err, { INSUFFICIENT_FUNDS: 'amount' }));
      },
    });
  }

  return (
    <form className="form card" onSubmit={submit} noValidate aria-label="Propose an adjustment">
      <h2 className="h3">Propose an adjustment</h2>
      {user ? (
        <div className="stack small">
          <div className="row-between">
            <span>
              <strong>{user.name}</strong> · {user.email}
            </span>
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => setUser(null)}>
              Change user
            </button>
          </div>
          <UserBalances id={user.id} />
        </div>
      ) : (
        <>
          <Field label="User" type="search" placeholder="email or name" value={q} onChange={(e) => setQ(e.target.value)} error={errors.userId} />
          {q.trim().length >= 2 && (
            <QueryState query={users} isEmpty={(d) => d.items.length === 0} empty="No user matches.">
              {(d) => (
                <ul className="stack" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
                  {d.items.slice(0, 6).map((u) => (
                    <li key={u.id}>
                      <button type="button" className="btn btn-ghost btn-sm" onClick={() => setUser(u)}>
                        {u.name} · {u.email}
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </QueryState>
          )}
        </>
      )}
      <div className="row">
        <Field
          label="Asset"
          value={form.asset}
          onChange={(e) => setForm((f) => ({ ...f, asset: e.target.value }))}
          error={errors.asset}
          style={{ maxWidth: 120 }}
        />
        <Field
          label="Amount"
          inputMode="decimal"
          placeholder="25.00 or -25.00"
          hint="Positive credits, negative debits"
          value={form.amount}
          onChange={(e) => setForm((f) => ({ ...f, amount: e.target.value }))}
          error={errors.amount}
        />
      </div>
      <Field label="Reason" value={form.reason} onChange={(e) => setForm((f) => ({ ...f, reason: e.target.value }))} error={errors.reason} />
      <Field
        label="Evidence"
        placeholder="ticket, transaction hash, statement reference"
        value={form.evidence}
        onChange={(e) => setForm((f) => ({ ...f, evidence: e.target.value }))}
        error={errors.evidence}
      />
      <FormError message={errors._form} />
      <button className="btn btn-primary" type="submit" disabled={act.isPending}>
        Propose…
      </button>
      {confirming && user && (
        <ConfirmDialog
          title={`Propose ${signed(confirming)} for ${user.name}?`}
          description="Nothing moves until a different finance operator approves it."
          rows={[
            { label: 'User', value: user.email },
            { label: 'Amount', value: signed(confirming), strong: true },
            { label: 'Reason', value: confirming.reason },
            { label: 'Evidence', value: confirming.evidence },
          ]}
          confirmLabel="Propose"
          busy={act.isPending}
          onConfirm={propose}
          onCancel={() => setConfirming(null)}
        />
      )}
    </form>
  );
}

type Decision = { kind: 'approve' | 'reject'; adjustment: Adjustment };

/** Checker: the queue with its context; approve or reject (with a reason) through dialogs. Own proposals wait for someone else. */
function Queue() {
  const { user } = useAuth();
  const [status, setStatus] = useState<AdjustmentStatus | 'any'>('pending');
  const list = useAdjustments(status);
  const act = useOperatorsAction();
  const toast = useToast();
  const [deciding, setDeciding] = useState<Decision | null>(null);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | undefined>();

  function close() {
    setDeciding(null);
    setReason('');
    setError(undefined);
  }
  function decide() {
    if (!deciding) return;
    const { kind, adjustment: a } = deciding;
    if (kind === 'reject' && reason.trim().length < 3) return setError('Give a reason of at least 3 characters.');
    act.mutate((ops) => (kind === 'approve' ? ops.approve(a.id) : ops.reject(a.id, { reason: reason.trim() })), {
      onSuccess: () => {
        toast.show('success', kind === 'approve' ? `Posted: ${signed(a)} for ${a.userEmail}` : 'Adjustment rejected');
        close();
      },
      onError: (e) => setError(describeError(e)),
    });
  }

  return (
    <div className="stack">
      <SelectField
        label="Show"
        value={status}
        onChange={(v) => setStatus(v === 'any' ? 'any' : adjustmentStatus.parse(v))}
        options={[
          { value: 'pending', label: 'Waiting for approval' },
          { value: 'posted', label: 'Posted' },
          { value: 'rejected', label: 'Rejected' },
          { value: 'any', label: 'All' },
        ]}
      />
      <QueryState query={list} isEmpty={(d) => d.items.length === 0} empty={status === 'pending' ? 'No adjustment is waiting for approval.' : 'None.'}>
        {(d) => (
          <div className="table-wrap">
            <table className="table" aria-label="Adjustments">
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col" className="right">
                    Amount
                  </th>
                  <th scope="col" className="hide-sm">
                    Reason and evidence
                  </th>
                  <th scope="col">Proposed</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((a) => {
                  const mine = a.proposedBy === user?.id;
                  return (
                    <tr key={a.id} data-testid={`adjustment-${a.id}`}>
                      <td>
                        <strong>{a.userName}</strong>
                        <div className="small muted break">{a.userEmail}</div>
                        <div className="small muted">Available: {formatAmount(a.userAvailable, a.asset)}</div>
                      </td>
                      <td className={`right num ${a.amount.startsWith('-') ? 'down' : 'up'}`}>{signed(a)}</td>
                      <td className="hide-sm small">
                        {a.reason}
                        <div className="muted break">{a.evidence}</div>
                        {a.rejectReason && <div className="down">Rejected: {a.rejectReason}</div>}
                      </td>
                      <td className="small">
                        {a.proposedByEmail ?? 'operator'}
                        <div className="muted">{when(a.proposedAt)}</div>
                      </td>
                      <td className="right">
                        {a.status === 'pending' ? (
                          mine ? (
                            <span className="small muted">Waiting for another finance operator</span>
                          ) : (
                            <span className="row" style={{ justifyContent: 'flex-end' }}>
                              <button type="button" className="btn btn-primary btn-sm" onClick={() => setDeciding({ kind: 'approve', adjustment: a })}>
                                Approve
                              </button>
                              <button type="button" className="btn btn-danger btn-sm" onClick={() => setDeciding({ kind: 'reject', adjustment: a })}>
                                Reject
                              </button>
                            </span>
                          )
                        ) : (
                          <span className="small">
                            <span className={`badge ${a.status === 'posted' ? 'badge-ok' : 'badge-bad'}`}>{a.status}</span>
                            <div className="muted">
                              {a.decidedByEmail ?? ''} {a.decidedAt ? when(a.decidedAt) : ''}
                            </div>
                          </span>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
      {deciding && (
        <ConfirmDialog
          title={
            deciding.kind === 'approve'
              ? `Approve ${signed(deciding.adjustment)} for ${deciding.adjustment.userName}?`
              : `Reject ${signed(deciding.adjustment)} for ${deciding.adjustment.userName}?`
          }
          description={deciding.kind === 'approve' ? 'It posts to the ledger at once and cannot be undone (a correction is a new adjustment).' : undefined}
          rows={[
            { label: 'User', value: deciding.adjustment.userEmail },
            { label: 'Available now', value: formatAmount(deciding.adjustment.userAvailable, deciding.adjustment.asset) },
            { label: 'Amount', value: signed(deciding.adjustment), strong: true },
            { label: 'Proposed by', value: `${deciding.adjustment.proposedByEmail ?? 'operator'}, ${when(deciding.adjustment.proposedAt)}` },
            { label: 'Reason', value: deciding.adjustment.reason },
            { label: 'Evidence', value: deciding.adjustment.evidence },
          ]}
          confirmLabel={deciding.kind === 'approve' ? 'Approve and post' : 'Reject'}
          tone={deciding.kind === 'approve' ? 'primary' : 'danger'}
          busy={act.isPending}
          error={error}
          onConfirm={decide}
          onCancel={close}
        >
          {deciding.kind === 'reject' && (
            <div className="field">
              <label htmlFor="adjustment-reject-reason">Reason for rejecting</label>
              <textarea id="adjustment-reject-reason" className="input" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
            </div>
          )}
        </ConfirmDialog>
      )}
    </div>
  );
}

/** Finance: maker-checker balance adjustments. */
export function AdjustmentsPanel() {
  return (
    <div className="stack">
      <ProposeForm />
      <Queue />
    </div>
  );
}
