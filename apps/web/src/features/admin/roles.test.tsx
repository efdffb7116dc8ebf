// @vitest-environment happy-dom
import { cleanup, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { renderRoutes } from '../../test/render.tsx';
import AdminPage from './AdminPage.tsx';

afterEach(cleanup);

const operator = (operatorRoles: string[]) => ({
  id: 'op1',
  email: 'ops@example.com',
  name: 'Ops',
  role: 'admin',
  operatorRoles,
  emailVerified: true,
  twoFactorEnabled: true,
  frozen: false,
  createdAt: '2026-01-01T00:00:00Z',
});
const empty = { items: [], nextCursor: null };
const adjustment = (proposedBy: string) => ({
  id: '00000000-0000-4000-8000-0000000000a1',
  userId: 'u1',
  userEmail: 'ada@example.com',
  userName: 'Ada',
  asset: 'USD',
  amount: '-25.5',
  reason: 'double credit',
  evidence: 'ticket 4411',
  status: 'pending',
  proposedBy,
  proposedByEmail: 'maker@example.com',
  proposedAt: '2026-12-04T10:00:00Z',
  decidedBy: null,
  decidedByEmail: null,
  decidedAt: null,
  rejectReason: null,
  entryId: null,
  userAvailable: '100',
});

function open(roles: string[], path = '/admin', proposedBy = 'someone-else') {
  return renderRoutes([{ path: '/admin/*', element: <AdminPage /> }], path, (method, p) => {
    if (p === '/api/auth/session') return { status: 200, body: { authenticated: true, user: operator(roles), canRefresh: false } };
    if (p === '/api/admin/adjustments' && method === 'GET') return { status: 200, body: { items: [adjustment(proposedBy)], nextCursor: null } };
    if (p === '/api/admin/users' || p === '/api/admin/withdrawals') return { status: 200, body: empty };
    return undefined;
  });
}

const sections = async () => {
  await screen.findByRole('link', { name: 'Overview' });
  return within(await screen.findByRole('navigation', { name: 'Admin sections' }))
    .getAllByRole('link')
    .map((l) => l.textContent);
};

describe('the admin console shows only what the roles allow', () => {
  it('support: overview, users, tickets, announcements and their own Telegram link; no money or role pages', async () => {
    open(['support']);
    expect(await sections()).toEqual(['Overview', 'Users', 'Support', 'Announcement', 'Telegram']);
  });

  it('finance: the money pages; superadmin: every page', async () => {
    open(['finance']);
    expect(await sections()).toEqual(['Overview', 'Users', 'Withdrawals', 'Deposits', 'Adjustments', 'Reconciliation', 'Telegram']);
    cleanup();
    open(['superadmin']);
    expect(await sections()).toEqual([
      'Overview',
      'Users',
      'Withdrawals',
      'Deposits',
      'KYC',
      'Adjustments',
      'Support',
      'Reconciliation',
      'Audit log',
      'Announcement',
      'Legal documents',
      'Telegram',
      'Roles',
    ]);
  });

  it('an adjustment proposed by someone else can be approved through a dialog; one’s own waits for another operator', async () => {
    const { calls } = open(['finance'], '/admin/adjustments');
    const row = await screen.findByTestId('adjustment-00000000-0000-4000-8000-0000000000a1');
    await userEvent.click(within(row).getByRole('button', { name: 'Approve' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog.textContent).toContain('maker@example.com');
    expect(dialog.textContent).toContain('ticket 4411');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Approve and post' }));
    expect(calls.some((c) => c.method === 'POST' && c.path.endsWith('/approve'))).toBe(true);
    cleanup();
    open(['finance'], '/admin/adjustments', 'op1');
    const mine = await screen.findByTestId('adjustment-00000000-0000-4000-8000-0000000000a1');
    expect(within(mine).queryByRole('button', { name: 'Approve' })).toBeNull();
    expect(mine.textContent).toContain('Waiting for another finance operator');
  });
});
