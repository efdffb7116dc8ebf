// @vitest-environment happy-dom
import { cleanup, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { renderRoutes } from '../../test/render.tsx';
import { WithdrawPanel } from './WithdrawPanel.tsx';

afterEach(cleanup);

const user = {
  id: 'u1',
  email: 'ann@example.com',
  name: 'Ann',
  role: 'user',
  emailVerified: true,
  twoFactorEnabled: true,
  frozen: false,
  createdAt: '2026-01-01T00:00:00Z',
};
const ASSETS = [
  { asset: 'BTC', name: 'Bitcoin', precision: 8, fee: '0.0002', networks: [{ id: 'bitcoin', name: 'Bitcoin' }], defaultNetwork: 'bitcoin' },
  {
    asset: 'USDT',
    name: 'Tether',
    precision: 6,
    fee: '5',
    networks: [
      { id: 'erc20', name: 'Ethereum (ERC-20)' },
      { id: 'solana', name: 'Solana' },
    ],
    defaultNetwork: 'erc20',
  },
];
const SENT = {
  id: 'w1',
  asset: 'BTC',
  amount: '0.1',
  fee: '0.0002',
  total: '0.1002',
  address: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
  network: 'bitcoin',
  status: 'completed',
  amountUsd: '9000.00',
  approvals: 1,
  requiredApprovals: 1,
  txHash: 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90',
  rejectReason: null,
  createdAt: '2026-12-03T10:00:00Z',
  updatedAt: '2026-12-03T11:00:00Z',
};

function render() {
  return renderRoutes([{ path: '/', element: <WithdrawPanel /> }], '/', (method, path) => {
    if (path === '/api/auth/session') return { status: 200, body: { authenticated: true, user, canRefresh: false } };
    if (path === '/api/wallet/balances')
      return { status: 200, body: { items: [{ asset: 'USD', available: '100', locked: '0', total: '100', valueUsd: '100' }], totalUsd: '100' } };
    if (path === '/api/wallet/withdrawal-assets') return { status: 200, body: { items: ASSETS } };
    if (path === '/api/wallet/withdrawal-addresses')
      return { status: 200, body: { items: [], addressBookOnly: { enabled: false, requested: false, offAt: null }, coolingOffHours: 24 } };
    if (path === '/api/wallet/withdrawals' && method === 'GET') return { status: 200, body: { items: [SENT], nextCursor: null } };
    if (path === '/api/wallet/withdrawals' && method === 'POST') return { status: 201, body: { ...SENT, status: 'pending_review', txHash: null } };
    return undefined;
  });
}

describe('withdraw form', () => {
  it('offers only the withdrawable assets, networks from a list, and shows the fee and what arrives before submitting', async () => {
    const { calls } = render();
    const asset = (await screen.findByLabelText('Asset')) as HTMLSelectElement;
    await screen.findByRole('option', { name: 'Tether (USDT)' });
    expect([...asset.options].map((o) => o.value)).toEqual(['BTC', 'USDT']);
    await userEvent.selectOptions(asset, 'USDT');
    const network = screen.getByLabelText('Network') as HTMLSelectElement;
    expect([...network.options].map((o) => o.textContent)).toEqual(['Ethereum (ERC-20)', 'Solana']);
    await userEvent.selectOptions(network, 'solana');
    await userEvent.type(screen.getByLabelText('Amount'), '100');
    const summary = within(screen.getByTestId('withdraw-summary'));
    expect(summary.getByText('5 USDT')).toBeTruthy();
    expect(summary.getByText('105 USDT')).toBeTruthy();
    expect(screen.getByTestId('withdraw-receives').textContent).toBe('100 USDT');
    await userEvent.type(screen.getByLabelText('Destination address'), 'So1anaAddre55So1anaAddre55So1anaAddre55x');
    await userEvent.click(screen.getByRole('button', { name: 'Request withdrawal' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Confirm withdrawal' }));
    await screen.findByText('Withdrawal requested');
    expect(calls.find((c) => c.method === 'POST' && c.path === '/api/wallet/withdrawals')?.body).toMatchObject({
      asset: 'USDT',
      amount: '100',
      network: 'solana',
    });
  });

  const ADDRESS = 'So1anaAddre55So1anaAddre55So1anaAddre55x';
  const posts = (calls: { method: string; path: string }[]) => calls.filter((c) => c.method === 'POST' && c.path === '/api/wallet/withdrawals');
  async function fillAndSubmit() {
    const asset = (await screen.findByLabelText('Asset')) as HTMLSelectElement;
    await screen.findByRole('option', { name: 'Tether (USDT)' });
    await userEvent.selectOptions(asset, 'USDT');
    await userEvent.selectOptions(screen.getByLabelText('Network'), 'solana');
    await userEvent.type(screen.getByLabelText('Amount'), '100');
    await userEvent.type(screen.getByLabelText('Destination address'), ADDRESS);
    await userEvent.click(screen.getByRole('button', { name: 'Request withdrawal' }));
    return within(await screen.findByRole('dialog'));
  }

  it('on submit asks for confirmation with the asset, network, full address, amount, fee, total and amount received, sending nothing', async () => {
    const { calls } = render();
    const dialog = await fillAndSubmit();
    expect(dialog.getByRole('heading', { name: 'Withdraw 100 USDT?' })).toBeTruthy();
    const row = (label: string) => dialog.getByText(label).closest('div')?.querySelector('dd')?.textContent;
    expect(row('Asset')).toBe('Tether (USDT)');
    expect(row('Network')).toBe('Solana');
    expect(dialog.getByTestId('withdraw-confirm-address').textContent).toBe(ADDRESS);
    expect(dialog.getByText(ADDRESS).className).toContain('mono');
    expect(row('Amount')).toBe('100 USDT');
    expect(dialog.getByTestId('withdraw-confirm-fee').textContent).toBe('5 USDT');
    expect(dialog.getByTestId('withdraw-confirm-total').textContent).toBe('105 USDT');
    expect(dialog.getByTestId('withdraw-confirm-receives').textContent).toBe('100 USDT');
    await new Promise((r) => setTimeout(r, 50));
    expect(posts(calls)).toHaveLength(0);
  });

  it('Confirm sends exactly one request, with the body the form would have sent', async () => {
    const { calls } = render();
    const dialog = await fillAndSubmit();
    await userEvent.click(dialog.getByRole('button', { name: 'Confirm withdrawal' }));
    await screen.findByText('Withdrawal requested');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(posts(calls)).toHaveLength(1);
    expect((posts(calls)[0] as { body?: unknown }).body).toEqual({ asset: 'USDT', amount: '100', address: ADDRESS, network: 'solana' });
  });

  it('Cancel closes the dialog and sends nothing', async () => {
    const { calls } = render();
    const dialog = await fillAndSubmit();
    await userEvent.click(dialog.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    await new Promise((r) => setTimeout(r, 50));
    expect(posts(calls)).toHaveLength(0);
    expect((screen.getByLabelText('Amount') as HTMLInputElement).value).toBe('100');
  });

  it('lists withdrawals with their date, fee, network and the transaction as an explorer link', async () => {
    render();
    const row = within(await screen.findByTestId('withdrawal-w1'));
    expect(row.getByText(/fee 0\.0002 BTC/)).toBeTruthy();
    const link = row.getByRole('link') as HTMLAnchorElement;
    expect(link.href).toBe(`https://mempool.space/tx/${SENT.txHash}`);
    expect(link.target).toBe('_blank');
    expect(row.getByText(new Date(SENT.createdAt).toLocaleString())).toBeTruthy();
  });
});
