// @vitest-environment happy-dom
import type { Transaction } from '@cryptovault/contract';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderRoutes } from '../../test/render.tsx';
import type { TransactionFilters } from './api.ts';
import TransactionsPage from './TransactionsPage.tsx';

afterEach(cleanup);

/** The filters the page asks the history with (the real hook, watched). */
const asked = vi.hoisted(() => [] as unknown[]);
vi.mock('./api.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./api.ts')>();
  return {
    ...actual,
    useTransactions: (f: TransactionFilters) => {
      asked.push(f);
      return actual.useTransactions(f);
    },
  };
});

const row = (t: Partial<Transaction> & Pick<Transaction, 'id' | 'type' | 'label' | 'asset' | 'amount'>): Transaction => ({
  createdAt: '2026-12-01T10:00:00.000Z',
  pair: null,
  side: null,
  price: null,
  value: null,
  fee: null,
  feeAsset: null,
  total: t.amount,
  totalAsset: t.asset,
  counterparty: null,
  reference: null,
  link: null,
  imported: false,
  description: null,
  ...t,
});

describe('TransactionsPage', () => {
  it('shows a trade as one row with pair, side, price, fee and total, linking to its order; transfers name who', async () => {
    const items = [
      row({
        id: '9:USD',
        type: 'transfer_out',
        label: 'Sent',
        asset: 'USD',
        amount: '-10',
        counterparty: 'Bob (bob@example.com)',
        reference: 'transfer:t1',
        link: '/transfers/5f0c2a8e-0000-4000-8000-0000000000aa',
      }),
      row({
        id: '8:BTC',
        type: 'trade',
        label: 'Buy',
        pair: 'BTC/USD',
        side: 'buy',
        asset: 'BTC',
        amount: '0.02',
        price: '97026',
        value: '1940.52',
        fee: '1.94052',
        feeAsset: 'USD',
        total: '-1942.46052',
        totalAsset: 'USD',
        reference: 'order:3cb6e7c9-0000-4000-8000-000000000001',
        link: '/orders/3cb6e7c9-0000-4000-8000-000000000001',
      }),
    ];
    renderRoutes([{ path: '/', element: <TransactionsPage /> }], '/', (method, path) =>
      method === 'GET' && path === '/api/transactions' ? { status: 200, body: { items, nextCursor: null } } : undefined,
    );
    const trade = await screen.findByTestId('tx-8:BTC');
    expect(within(trade).getByRole('link', { name: 'Buy BTC/USD' }).getAttribute('href')).toBe('/orders/3cb6e7c9-0000-4000-8000-000000000001');
    expect(within(trade).getByText('+0.02 BTC')).toBeTruthy();
    expect(within(trade).getByText('$97,026.00')).toBeTruthy();
    expect(within(trade).getByText('$1.94')).toBeTruthy();
    expect(within(trade).getByText('-$1,942.46')).toBeTruthy();
    expect(within(screen.getByTestId('tx-9:USD')).getByText('to Bob (bob@example.com)')).toBeTruthy();
  });

  it('marks rows imported from the original system and shows their description; ledger rows stay plain', async () => {
    const items = [
      row({ id: '7:USD', type: 'adjustment', label: 'Adjustment', asset: 'USD', amount: '1000.5', reference: 'legacy-import:user:u1' }),
      row({
        id: 'imported:3',
        type: 'deposit',
        label: 'Deposit',
        asset: 'USD',
        amount: '0',
        reference: 'DEP-2',
        createdAt: '2025-03-02T12:00:00.000Z',
        imported: true,
        description: 'Deposit of 50 USD via ETH (expired): never credited',
      }),
    ];
    renderRoutes([{ path: '/', element: <TransactionsPage /> }], '/', (method, path) =>
      method === 'GET' && path === '/api/transactions' ? { status: 200, body: { items, nextCursor: null } } : undefined,
    );
    const imported = await screen.findByTestId('tx-imported:3');
    expect(within(imported).getByText('Imported')).toBeTruthy();
    expect(within(imported).getByText('Deposit of 50 USD via ETH (expired): never credited')).toBeTruthy();
    expect(within(screen.getByTestId('tx-7:USD')).queryByText('Imported')).toBeNull();
  });

  it('offers "Fees paid", which asks the history for every row that charged a fee (type=fee)', async () => {
    const trade = row({ id: '8:BTC', type: 'trade', label: 'Buy', pair: 'BTC/USD', side: 'buy', asset: 'BTC', amount: '0.02', fee: '1.95', feeAsset: 'USD' });
    const { calls } = renderRoutes([{ path: '/', element: <TransactionsPage /> }], '/', (method, path) =>
      method === 'GET' && path === '/api/transactions' ? { status: 200, body: { items: [trade], nextCursor: null } } : undefined,
    );
    await screen.findByTestId('tx-8:BTC');
    const show = screen.getByLabelText('Show') as HTMLSelectElement;
    expect([...show.options].map((o) => [o.value, o.textContent])).toContainEqual(['fee', 'Fees paid']);
    const before = calls.filter((c) => c.path === '/api/transactions').length;
    await userEvent.selectOptions(show, 'Fees paid');
    expect(asked.at(-1)).toMatchObject({ type: 'fee' });
    await waitFor(() => expect(calls.filter((c) => c.path === '/api/transactions').length).toBe(before + 1));
    expect(await screen.findByTestId('tx-8:BTC')).toBeTruthy();
  });
});
