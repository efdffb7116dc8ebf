import { withdrawalStatus } from '@cryptovault/contract';
import { Fragment, useState } from 'react';
import { formatAmount, formatUsd } from '../../lib/money.ts';
import { StatusBadge } from '../../ui/badges.tsx';
import { Field, SelectField } from '../../ui/Field.tsx';
import { QueryState } from '../../ui/states.tsx';
import { type AdminWithdrawal, useAdminAction, useAdminUser, useDepositReview, useStats, useUsers, useWithdrawalQueue } from './api.ts';

export function OverviewPanel() {
  const stats = useStats();
  return (
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

export function UsersPanel() {
  const [q, setQ] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const users = useUsers(q);
  const act = useAdminAction('Done');
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
                        <div className="small muted">{u.email}</div>
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
                          {u.suspended ? (
                            <button type="button" className="btn btn-sm" onClick={() => act.mutate((admin) => admin.unsuspendUser(u.id))}>
                              Unsuspend
                            </button>
                          ) : (
                            <button
                              type="button"
                              className="btn btn-danger btn-sm"
                              onClick={() => {
                                const reason = window.prompt(`Why suspend ${u.email}?`);
                                if (reason) act.mutate((admin) => admin.suspendUser(u.id, { reason }));
                              }}
                            >
                              Suspend
                            </button>
                          )}
                          <button type="button" className="btn btn-sm" onClick={() => act.mutate((admin) => admin.forceLogout(u.id))}>
                            Force logout
                          </button>
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
    </div>
  );
}

export function WithdrawalsPanel() {
  const [status, setStatus] = useState<AdminWithdrawal['status']>('pending_review');
  const queue = useWithdrawalQueue(status);
  const act = useAdminAction('Withdrawal updated');
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
          <div className="table-wrap">
            <table className="table" aria-label="Withdrawal queue">
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col" className="right">
                    Amount
                  </th>
                  <th scope="col" className="hide-sm">
                    Address
                  </th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((w) => (
                  <tr key={w.id} data-testid={`admin-withdrawal-${w.id}`}>
                    <td className="small">{w.userEmail}</td>
                    <td className="right num">
                      {formatAmount(w.amount, w.asset)}
                      <div className="small muted">{formatUsd(w.amountUsd)}</div>
                    </td>
                    <td className="hide-sm small break">{w.address}</td>
                    <td>
                      <StatusBadge status={w.status} />
                      {w.requiredApprovals > 1 && (
                        <div className="small muted">
                          {w.approvals}/{w.requiredApprovals} approvals
                        </div>
                      )}
                    </td>
                    <td className="right">
                      <span className="row" style={{ justifyContent: 'flex-end' }}>
                        {w.status === 'pending_review' && (
                          <>
                            <button type="button" className="btn btn-primary btn-sm" onClick={() => act.mutate((admin) => admin.approveWithdrawal(w.id))}>
                              Approve
                            </button>
                            <button
                              type="button"
                              className="btn btn-danger btn-sm"
                              onClick={() => {
                                const reason = window.prompt('Reason for rejecting (the user sees it)');
                                if (reason) act.mutate((admin) => admin.rejectWithdrawal(w.id, { reason }));
                              }}
                            >
                              Reject
                            </button>
                          </>
                        )}
                        {w.status === 'approved' && (
                          <button
                            type="button"
                            className="btn btn-sm"
                            onClick={() => {
                              const txHash = window.prompt('Transaction hash of the payout');
                              if (txHash) act.mutate((admin) => admin.completeWithdrawal(w.id, { txHash }));
                            }}
                          >
                            Mark completed
                          </button>
                        )}
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
    </div>
  );
}

export function DepositsPanel() {
  const deposits = useDepositReview();
  const act = useAdminAction('Deposit resolved');
  return (
    <QueryState query={deposits} isEmpty={(d) => d.items.length === 0} empty="No deposits are waiting for review.">
      {(d) => (
        <ul className="stack" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
          {d.items.map((x) => (
            <li key={x.id} className="card row-between">
              <span>
                <strong>{x.userEmail}</strong> · {formatUsd(x.amountUsd)} via {x.payCurrency.toUpperCase()} · paid {formatAmount(x.actuallyPaid, x.payCurrency)}{' '}
                <StatusBadge status={x.status} />
                {x.reviewReason && (
                  <span className="muted" style={{ display: 'block' }}>
                    {x.reviewReason}
                  </span>
                )}
              </span>
              <button
                type="button"
                className="btn btn-sm"
                onClick={() => {
                  const note = window.prompt('Resolution note');
                  if (!note) return;
                  const creditUsd = window.prompt('USD to credit (leave empty to close without credit)') || undefined;
                  act.mutate((admin) => admin.resolveDeposit(x.id, { note, ...(creditUsd ? { creditUsd } : {}) }));
                }}
              >
                Resolve
              </button>
            </li>
          ))}
        </ul>
      )}
    </QueryState>
  );
}
