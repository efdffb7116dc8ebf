import { apiRoutes, completeWithdrawalRequest, NETWORKS, reasonRequest, resolveDepositRequest, withdrawalStatus } from '@cryptovault/contract';
import { Fragment, useState } from 'react';
import { formatAmount, formatUsd } from '../../lib/money.ts';
import { formatAgo, formatDateTime } from '../../lib/time.ts';
import { StatusBadge } from '../../ui/badges.tsx';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { Field, SelectField } from '../../ui/Field.tsx';
import { QueryState } from '../../ui/states.tsx';
import { AccountContext } from './AccountContext.tsx';
import { ActionDialog } from './ActionDialog.tsx';
import {
  type AdminDeposit,
  type AdminUser,
  type AdminWithdrawal,
  useAdminAction,
  useAdminUser,
  useDepositReview,
  useStats,
  useUsers,
  useWithdrawalQueue,
} from './api.ts';
import { useMayCall } from './roles.ts';
import { StatsCharts } from './StatsCharts.tsx';

export function OverviewPanel() {
  const stats = useStats();
  return (
    <div className="stack">
      <QueryState query={stats}>
        {(s) => (
          <div className="stats">
            {[
              ['Users', `${s.users.total} (${s.users.newLast24h} new today)`],
              ['Suspended', String(s.users.suspended)],
              ['Deposits pending', `${s.deposits.pending} · ${s.deposits.underReview} in review`],
              ['Credited 24h', formatUsd(s.deposits.creditedUsdLast24h)],
              ['Withdrawals to review', String(s.withdrawals.pendingReview)],
              ['Approved, to send', String(s.withdrawals.approved)],
              ['Transfers 24h', String(s.transfers.last24h)],
              ['Price feed', s.prices.stale ? 'STALE' : 'live'],
            ].map(([label, value]) => (
              <div key={label} className="card">
                <div className="stat-label">{label}</div>
                <div className="stat-value" style={{ fontSize: '1.15rem' }}>
                  {value}
                </div>
              </div>
            ))}
          </div>
        )}
      </QueryState>
      <StatsCharts />
    </div>
  );
}

function UserDetail({ id }: { id: string }) {
  const detail = useAdminUser(id);
  return (
    <QueryState query={detail}>
      {(u) => (
        <div className="stack small">
          <div className="row">
            <span>Active sessions: {u.activeSessions}</span>
            <span>Pending withdrawals: {u.pendingWithdrawals}</span>
            <span>Deposits: {u.deposits}</span>
            <span>Joined {new Date(u.createdAt).toLocaleDateString()}</span>
          </div>
          <div className="row">
            {u.balances.length === 0 ? (
              <span className="muted">No balances.</span>
            ) : (
              u.balances.map((b) => (
                <span key={b.asset} className="badge">
                  {formatAmount(b.total, b.asset)}
                  {/[1-9]/.test(b.locked) ? ` (${formatAmount(b.locked, b.asset, { withSymbol: false })} locked)` : ''}
                </span>
              ))
            )}
          </div>
        </div>
      )}
    </QueryState>
  );
}

type UserDialog = { kind: 'suspend' | 'unsuspend' | 'logout'; user: AdminUser };

export function UsersPanel() {
  const [q, setQ] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const [dialog, setDialog] = useState<UserDialog | null>(null);
  const users = useUsers(q);
  const act = useAdminAction('Done');
  const may = useMayCall();
  const close = () => setDialog(null);
  return (
    <div className="stack">
      <Field label="Search users" type="search" placeholder="email or name" value={q} onChange={(e) => setQ(e.target.value)} />
      <QueryState query={users} isEmpty={(d) => d.items.length === 0} empty="No users match.">
        {(d) => (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col" className="hide-sm">
                    Role
                  </th>
                  <th scope="col">State</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((u) => (
                  <Fragment key={u.id}>
                    <tr>
                      <td>
                        <button type="button" className="sort-btn" aria-expanded={open === u.id} onClick={() => setOpen((o) => (o === u.id ? null : u.id))}>
                          <strong>{u.name}</strong>
                        </button>
                        <div className="small muted break">{u.email}</div>
                      </td>
                      <td className="hide-sm">
                        {u.role}
                        {u.twoFactorEnabled ? ' · 2FA' : ''}
                      </td>
                      <td>
                        {u.suspended ? (
                          <span className="badge badge-bad">suspended</span>
                        ) : u.emailVerified ? (
                          <span className="badge badge-ok">active</span>
                        ) : (
                          <span className="badge">unverified</span>
                        )}
                      </td>
                      <td className="right">
                        <span className="row" style={{ justifyContent: 'flex-end' }}>
                          {!may(apiRoutes.admin.suspendUser) ? null : u.suspended ? (
                            <button type="button" className="btn btn-sm" onClick={() => setDialog({ kind: 'unsuspend', user: u })}>
                              Unsuspend
                            </button>
                          ) : (
                            <button type="button" className="btn btn-danger btn-sm" onClick={() => setDialog({ kind: 'suspend', user: u })}>
                              Suspend
                            </button>
                          )}
                          {may(apiRoutes.admin.forceLogout) && (
                            <button type="button" className="btn btn-sm" onClick={() => setDialog({ kind: 'logout', user: u })}>
                              Force logout
                            </button>
                          )}
                        </span>
                      </td>
                    </tr>
                    {open === u.id && (
                      <tr>
                        <td colSpan={4}>
                          <UserDetail id={u.id} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
      {dialog?.kind === 'suspend' && (
        <ActionDialog
          title={`Suspend ${dialog.user.name}?`}
          description="Sign-in is refused and every session ends now. The reason is kept in the audit log."
          rows={[{ label: 'Account', value: dialog.user.email }]}
          fields={[{ name: 'reason', label: 'Reason', multiline: true, placeholder: 'What you found, and where' }]}
          schema={reasonRequest}
          confirmLabel="Suspend account"
          tone="danger"
          onSubmit={(body) => act.mutateAsync((admin) => admin.suspendUser(dialog.user.id, body))}
          onClose={close}
        />
      )}
      {dialog?.kind === 'unsuspend' && (
        <ConfirmDialog
          title={`Lift the suspension of ${dialog.user.name}?`}
          description="They can sign in again at once."
          rows={[{ label: 'Account', value: dialog.user.email }]}
          confirmLabel="Unsuspend"
          busy={act.isPending}
          onConfirm={() => act.mutate((admin) => admin.unsuspendUser(dialog.user.id), { onSuccess: close })}
          onCancel={close}
        />
      )}
      {dialog?.kind === 'logout' && (
        <ConfirmDialog
          title={`Sign ${dialog.user.name} out everywhere?`}
          description="Every session of this account ends now; they can sign in again."
          rows={[{ label: 'Account', value: dialog.user.email }]}
          confirmLabel="Force logout"
          tone="danger"
          busy={act.isPending}
          onConfirm={() => act.mutate((admin) => admin.forceLogout(dialog.user.id), { onSuccess: close })}
          onCancel={close}
        />
      )}
    </div>
  );
}

/** When a queue item was asked for: "12 min ago", the full time on hover. */
function Requested({ at }: { at: string }) {
  return (
    <time dateTime={at} title={formatDateTime(at)}>
      requested {formatAgo(at)}
    </time>
  );
}

const networkName = (n: string) => NETWORKS[n]?.name ?? n;

function withdrawalRows(w: AdminWithdrawal) {
  return [
    { label: 'Amount', value: formatAmount(w.amount, w.asset) },
    { label: 'Network fee', value: formatAmount(w.fee, w.asset) },
    { label: 'Leaves the platform', value: formatAmount(w.total, w.asset), strong: true },
    { label: 'Value at request', value: formatUsd(w.amountUsd) },
    { label: 'Network', value: networkName(w.network) },
    { label: 'To address', value: <span className="break">{w.address}</span> },
  ];
}

type WithdrawalDialog = { kind: 'approve' | 'reject' | 'complete'; w: AdminWithdrawal };

export function WithdrawalsPanel() {
  const [status, setStatus] = useState<AdminWithdrawal['status']>('pending_review');
  const [dialog, setDialog] = useState<WithdrawalDialog | null>(null);
  const queue = useWithdrawalQueue(status);
  const act = useAdminAction('Withdrawal updated');
  const close = () => setDialog(null);
  return (
    <div className="stack">
      <SelectField
        label="Show"
        value={status}
        onChange={(v) => setStatus(withdrawalStatus.parse(v))}
        options={(['pending_review', 'approved', 'completed', 'rejected', 'canceled'] as const).map((s) => ({ value: s, label: s.replace('_', ' ') }))}
      />
      <QueryState query={queue} isEmpty={(d) => d.items.length === 0} empty="The queue is empty.">
        {(d) => (
          <ul className="queue-list" aria-label="Withdrawal queue">
            {d.items.map((w) => (
              <li key={w.id} className="card queue-item" data-testid={`admin-withdrawal-${w.id}`}>
                <div className="queue-item-head">
                  <div>
                    <strong className="num queue-amount">{formatAmount(w.amount, w.asset)}</strong>{' '}
                    <span className="muted small">
                      {formatUsd(w.amountUsd)} · {networkName(w.network)}
                    </span>
                    <div className="small muted break">to {w.address}</div>
                  </div>
                  <div className="queue-item-status small">
                    <StatusBadge status={w.status} />
                    <div className="muted">
                      <Requested at={w.createdAt} />
                    </div>
                    {w.requiredApprovals > 1 && (
                      <div className="muted">
                        {w.approvals}/{w.requiredApprovals} approvals
                      </div>
                    )}
                  </div>
                </div>
                <AccountContext a={w.account} />
                {w.rejectReason && <p className="small muted">Rejected: {w.rejectReason}</p>}
                {(w.status === 'pending_review' || w.status === 'approved') && (
                  <div className="row queue-actions">
                    {w.status === 'pending_review' && (
                      <>
                        <button type="button" className="btn btn-primary btn-sm" onClick={() => setDialog({ kind: 'approve', w })}>
                          Approve
                        </button>
                        <button type="button" className="btn btn-danger btn-sm" onClick={() => setDialog({ kind: 'reject', w })}>
                          Reject
                        </button>
                      </>
                    )}
                    {w.status === 'approved' && (
                      <button type="button" className="btn btn-sm" onClick={() => setDialog({ kind: 'complete', w })}>
                        Mark sent
                      </button>
                    )}
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </QueryState>
      {dialog?.kind === 'approve' && (
        <ConfirmDialog
          title="Approve this withdrawal?"
          description={
            dialog.w.requiredApprovals > 1
              ? `It needs ${dialog.w.requiredApprovals} approvals from different operators; this is approval ${dialog.w.approvals + 1}.`
              : 'Once approved it waits to be sent; the funds stay locked until then.'
          }
          rows={withdrawalRows(dialog.w)}
          confirmLabel="Approve"
          busy={act.isPending}
          onConfirm={() => act.mutate((admin) => admin.approveWithdrawal(dialog.w.id), { onSuccess: close })}
          onCancel={close}
        >
          <AccountContext a={dialog.w.account} />
        </ConfirmDialog>
      )}
      {dialog?.kind === 'reject' && (
        <ActionDialog
          title="Reject this withdrawal?"
          description="What was locked goes back to the account's available balance. The user sees the reason."
          rows={withdrawalRows(dialog.w).slice(0, 3)}
          fields={[
            { name: 'reason', label: 'Reason (the user sees it)', multiline: true, placeholder: 'e.g. The address belongs to a service we cannot send to' },
          ]}
          schema={reasonRequest}
          confirmLabel="Reject withdrawal"
          tone="danger"
          onSubmit={(body) => act.mutateAsync((admin) => admin.rejectWithdrawal(dialog.w.id, body))}
          onClose={close}
        />
      )}
      {dialog?.kind === 'complete' && (
        <ActionDialog
          title="Mark this withdrawal sent"
          description="Give the transaction hash of the payout: the user gets a link to it in a block explorer."
          rows={withdrawalRows(dialog.w)}
          fields={[{ name: 'txHash', label: 'Transaction hash', placeholder: '64 hexadecimal characters', hint: `On ${networkName(dialog.w.network)}` }]}
          schema={completeWithdrawalRequest}
          confirmLabel="Mark sent"
          onSubmit={(body) => act.mutateAsync((admin) => admin.completeWithdrawal(dialog.w.id, body))}
          onClose={close}
        />
      )}
    </div>
  );
}

export function DepositsPanel() {
  const deposits = useDepositReview();
  const [resolving, setResolving] = useState<AdminDeposit | null>(null);
  const act = useAdminAction('Deposit resolved');
  return (
    <>
      <QueryState query={deposits} isEmpty={(d) => d.items.length === 0} empty="No deposits are waiting for review.">
        {(d) => (
          <ul className="queue-list" aria-label="Deposits under review">
            {d.items.map((x) => (
              <li key={x.id} className="card queue-item" data-testid={`admin-deposit-${x.id}`}>
                <div className="queue-item-head">
                  <div>
                    <strong className="num queue-amount">{formatUsd(x.amountUsd)}</strong>{' '}
                    <span className="muted small">
                      via {x.payCurrency.toUpperCase()} · paid {x.actuallyPaid ? formatAmount(x.actuallyPaid, x.payCurrency.toUpperCase()) : 'nothing yet'}
                    </span>
                    {x.reviewReason && <div className="small">{x.reviewReason}</div>}
                  </div>
                  <div className="queue-item-status small">
                    <StatusBadge status={x.status} />
                    <div className="muted">
                      <Requested at={x.createdAt} />
                    </div>
                  </div>
                </div>
                <AccountContext a={x.account} />
                <div className="row queue-actions">
                  <button type="button" className="btn btn-sm" onClick={() => setResolving(x)}>
                    Resolve
                  </button>
                </div>
              </li>
            ))}
          </ul>
        )}
      </QueryState>
      {resolving && (
        <ActionDialog
          title="Resolve this deposit review"
          description="Credit what you established arrived (at most the deposit's amount), or leave the amount empty to close the review without crediting."
          rows={[
            { label: 'Deposit', value: formatUsd(resolving.amountUsd) },
            { label: 'Paid', value: resolving.actuallyPaid ? formatAmount(resolving.actuallyPaid, resolving.payCurrency.toUpperCase()) : 'nothing yet' },
            { label: 'Why in review', value: resolving.reviewReason ?? '—' },
          ]}
          context={<AccountContext a={resolving.account} />}
          fields={[
            { name: 'note', label: 'Resolution note', multiline: true, placeholder: 'What you checked, e.g. the transaction on chain' },
            { name: 'creditUsd', label: 'USD to credit (optional)', inputMode: 'decimal', placeholder: '0.00' },
          ]}
          schema={resolveDepositRequest}
          confirmLabel="Resolve"
          onSubmit={(body) => act.mutateAsync((admin) => admin.resolveDeposit(resolving.id, body))}
          onClose={() => setResolving(null)}
        />
      )}
    </>
  );
}
