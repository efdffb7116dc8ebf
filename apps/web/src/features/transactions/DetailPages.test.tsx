// @vitest-environment happy-dom
import type { Transfer, Withdrawal } from '@cryptovault/contract';
import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { renderRoutes } from '../../test/render.tsx';
import TransferPage from './TransferPage.tsx';
import WithdrawalPage from './WithdrawalPage.tsx';

afterEach(cleanup);

const ID = '5f0c2a8e-0000-4000-8000-0000000000e1';
const details = (testId: string) =>
  Object.fromEntries([...screen.getByTestId(testId).querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling?.textContent]));

describe('the pages history rows lead to', () => {
  it('a withdrawal: amount, fee, what left the balance, network, address and its transaction on the explorer', async () => {
    const w: Withdrawal = {
      id: ID,
      asset: 'BTC',
      amount: '0.1',
      fee: '0.0005',
      total: '0.1005',
      address: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
      network: 'bitcoin',
      status: 'completed',
      amountUsd: '5000.00',
      approvals: 1,
      requiredApprovals: 1,
      txHash: 'b'.repeat(64),
      rejectReason: null,
      createdAt: '2026-12-01T10:00:00.000Z',
      updatedAt: '2026-12-01T10:20:00.000Z',
    };
    renderRoutes([{ path: '/withdrawals/:id', element: <WithdrawalPage /> }], `/withdrawals/${ID}`, (method, path) =>
      method === 'GET' && path === `/api/wallet/withdrawals/${ID}` ? { status: 200, body: w } : undefined,
    );
    expect((await screen.findByTestId('withdrawal-amount')).textContent).toBe('0.1 BTC');
    expect(details('withdrawal-details')).toMatchObject({
      'Network fee': '0.0005 BTC',
      'Taken from your balance': '0.1005 BTC',
      'Value when requested': '$5,000.00',
      Network: 'Bitcoin',
      Approvals: '1 of 1',
    });
    expect(details('withdrawal-details')).not.toHaveProperty('Reason');
    expect(screen.getByRole('link', { name: /^Transaction b{64} on the explorer/ }).getAttribute('href')).toBe(`https://mempool.space/tx/${'b'.repeat(64)}`);
  });

  it('a transfer, from the side that reads it: who, amount, no fee, the note', async () => {
    const tr: Transfer = {
      id: ID,
      direction: 'in',
      counterpartyEmail: 'alice@example.com',
      counterpartyName: 'Alice',
      asset: 'USD',
      amount: '30.25',
      note: 'lunch',
      createdAt: '2026-12-01T10:00:00.000Z',
    };
    renderRoutes([{ path: '/transfers/:id', element: <TransferPage /> }], `/transfers/${ID}`, (method, path) =>
      method === 'GET' && path === `/api/wallet/transfers/${ID}` ? { status: 200, body: tr } : undefined,
    );
    expect((await screen.findByTestId('transfer-amount')).textContent).toBe('+$30.25');
    expect(details('transfer-details')).toMatchObject({ From: 'Alice (alice@example.com)', Note: 'lunch' });
  });
});
