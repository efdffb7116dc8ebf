// @vitest-environment happy-dom
import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { renderRoutes } from '../../test/render.tsx';
import TransactionsPage from './TransactionsPage.tsx';

afterEach(cleanup);

describe('TransactionsPage', () => {
  it('marks rows imported from the original system and shows their description; ledger rows stay plain', async () => {
    const items = [
      {
        id: '7:USD:adjustment',
        entryId: '7',
        type: 'adjustment',
        asset: 'USD',
        amount: '1000.5',
        reference: 'legacy-import:user:u1',
        createdAt: '2026-12-01T10:00:00.000Z',
      },
      {
        id: 'imported:3',
        entryId: 'imported:3',
        type: 'deposit',
        asset: 'USD',
        amount: '0',
        reference: 'DEP-2',
        createdAt: '2025-03-02T12:00:00.000Z',
        imported: true,
        description: 'Deposit of 50 USD via ETH (expired): never credited',
      },
    ];
    renderRoutes([{ path: '/', element: <TransactionsPage /> }], '/', (method, path) =>
      method === 'GET' && path === '/api/transactions' ? { status: 200, body: { items, nextCursor: null } } : undefined,
    );
    const imported = await screen.findByTestId('tx-imported:3');
    expect(within(imported).getByText('Imported')).toBeTruthy();
    expect(within(imported).getByText('Deposit of 50 USD via ETH (expired): never credited')).toBeTruthy();
    expect(within(screen.getByTestId('tx-7:USD:adjustment')).queryByText('Imported')).toBeNull();
  });
});
