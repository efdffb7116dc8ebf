import { OPERATOR_ROLE_LABELS, OPERATOR_ROLES, type OperatorRole } from '@cryptovault/contract';
import { useState } from 'react';
import { describeError } from '../../lib/errors.ts';
import { useAuth } from '../../shared/auth.ts';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { Field } from '../../ui/Field.tsx';
import { QueryState } from '../../ui/states.tsx';
import { useToast } from '../../ui/Toasts.tsx';
import { type OperatorAccount, useOperators, useOperatorsAction } from './operatorsApi.ts';

const ROLE_HINTS: Record<OperatorRole, string> = {
  support: 'read users, force logout, announcements',
  compliance: 'KYC, freeze, suspend, audit log',
  finance: 'deposits, withdrawals, adjustments, reconciliation',
  superadmin: 'grants roles; may do everything',
};

const same = (a: readonly OperatorRole[], b: readonly OperatorRole[]) => a.length === b.length && a.every((r) => b.includes(r));

/** One account: its roles as toggles, saved through a dialog that asks for the reason (and the API for a step-up). */
function AccountRow({ account, onSave }: { account: OperatorAccount; onSave: (a: OperatorAccount, roles: OperatorRole[]) => void }) {
  const [draft, setDraft] = useState<OperatorRole[]>(account.roles);
  const changed = !same(draft, account.roles);
  return (
    <tr data-testid={`operator-${account.id}`}>
      <td>
        <strong>{account.name}</strong>
        <div className="small muted break">{account.email}</div>
        {!account.twoFactorEnabled && <div className="small warn">No two-factor authentication yet</div>}
        {(account.suspended || account.frozen) && <div className="small down">{account.suspended ? 'Suspended' : 'Frozen'}</div>}
      </td>
      <td>
        <fieldset className="role-toggles">
          <legend className="visually-hidden">Roles of {account.email}</legend>
          {OPERATOR_ROLES.map((r) => (
            <label key={r} className="role-toggle" title={ROLE_HINTS[r]}>
              <input
                type="checkbox"
                checked={draft.includes(r)}
                onChange={(e) => setDraft((d) => (e.target.checked ? OPERATOR_ROLES.filter((x) => x === r || d.includes(x)) : d.filter((x) => x !== r)))}
              />{' '}
              {OPERATOR_ROLE_LABELS[r]}
            </label>
          ))}
        </fieldset>
      </td>
      <td className="right">
        <span className="row" style={{ justifyContent: 'flex-end' }}>
          {changed && (
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => setDraft(account.roles)}>
              Undo
            </button>
          )}
          <button type="button" className="btn btn-primary btn-sm" disabled={!changed} onClick={() => onSave(account, draft)}>
            Save roles
          </button>
        </span>
      </td>
    </tr>
  );
}

/** Superadmin page: find an account, toggle its operator roles, confirm with a reason (step-up when the session needs one). */
export function RolesPanel() {
  const { user, refreshUser } = useAuth();
  const [q, setQ] = useState('');
  const operators = useOperators(q.trim());
  const act = useOperatorsAction();
  const toast = useToast();
  const [pending, setPending] = useState<{ account: OperatorAccount; roles: OperatorRole[] } | null>(null);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | undefined>();
  const label = (roles: readonly OperatorRole[]) => (roles.length ? roles.map((r) => OPERATOR_ROLE_LABELS[r]).join(', ') : 'none (an ordinary user)');

  function confirm() {
    if (!pending) return;
    if (reason.trim().length < 3) return setError('Give a reason of at least 3 characters: it goes to the audit log.');
    setError(undefined);
    act.mutate((ops) => ops.setRoles(pending.account.id, { roles: pending.roles, reason: reason.trim() }), {
      onSuccess: () => {
        toast.show('success', `Roles of ${pending.account.email} saved`);
        if (pending.account.id === user?.id) void refreshUser();
        setPending(null);
        setReason('');
      },
      onError: (e) => setError(describeError(e)),
    });
  }

  return (
    <div className="stack">
      <p className="muted small">
        Operators with their roles. Search to find any account by email, name or id and make it an operator. Each change is audited and applies at the
        operator's next request; the last superadmin cannot lose the role.
      </p>
      <Field label="Find an account" type="search" placeholder="email, name or id" value={q} onChange={(e) => setQ(e.target.value)} />
      <QueryState query={operators} isEmpty={(d) => d.items.length === 0} empty={q ? 'No account matches.' : 'No operators yet.'}>
        {(d) => (
          <div className="table-wrap">
            <table className="table" aria-label="Operators and roles">
              <thead>
                <tr>
                  <th scope="col">Account</th>
                  <th scope="col">Roles</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((a) => (
                  <AccountRow key={`${a.id}:${a.roles.join()}`} account={a} onSave={(account, roles) => setPending({ account, roles })} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
      {pending && (
        <ConfirmDialog
          title={`Change the roles of ${pending.account.name}?`}
          description={
            pending.account.twoFactorEnabled
              ? undefined
              : 'This account has no two-factor authentication: operator pages stay closed to it until it turns it on.'
          }
          rows={[
            { label: 'Account', value: pending.account.email },
            { label: 'Roles now', value: label(pending.account.roles) },
            { label: 'Roles after', value: label(pending.roles), strong: true },
          ]}
          confirmLabel="Save roles"
          busy={act.isPending}
          error={error}
          onConfirm={confirm}
          onCancel={() => {
            setPending(null);
            setError(undefined);
          }}
        >
          <div className="field">
            <label htmlFor="role-change-reason">Reason (audited)</label>
            <textarea id="role-change-reason" className="input" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
        </ConfirmDialog>
      )}
    </div>
  );
}
