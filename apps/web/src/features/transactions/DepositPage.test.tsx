// @vitest-environment happy-dom
import type { Deposit } from '@cryptovault/contract';
import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { renderRoutes } from '../../test/render.tsx';
import DepositPage from './DepositPage.tsx';

afterEach(cleanup);

const ID = '5f0c2a8e-0000-4000-8000-0000000000d1';
const deposit = (d: Partial<Deposit>): Deposit => ({
  id: ID,
  status: 'finished',
  payAddress: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
  payAmount: '0.0155',
  payCurrency: 'btc',
  amountUsd: '1500',
  actuallyPaid: '0.0155',
  creditedUsd: null,
  creditAsset: 'BTC',
  creditedAmount: '0.0155',
  expiresAt: '2026-12-01T11:00:00.000Z',
  provider: 'simulated',
  providerPaymentId: 'sim-4711',
  review: null,
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:20:00.000Z',
  ...d,
});

function render(d: Deposit) {
  return renderRoutes([{ path: '/deposits/:id', element: <DepositPage /> }], `/deposits/${ID}`, (method, path) =>
    method === 'GET' && path === `/api/wallet/deposits/${ID}` ? { status: 200, body: d } : undefined,
  );
}

/** The details list as label → value. */
const details = () =>
  Object.fromEntries([...screen.getByTestId('deposit-details').querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling?.textContent]));

describe('DepositPage', () => {
  it('shows a deposit credited in its coin as the coin credited, not a dollar figure, at the "credited" stage', async () => {
    render(deposit({}));
    // What the page says was credited (whatever the label's wording past "Credited"), in the asset credited.
    await screen.findByText('sim-4711');
    const credited = [...document.querySelectorAll('dt')].filter((dt) => /^Credited\b/.test(dt.textContent ?? '') && !/ in$/.test(dt.textContent ?? ''));
    expect(credited.map((dt) => dt.nextElementSibling?.textContent)).toEqual(['0.0155 BTC']);
    expect(screen.getByTestId('deposit-credited').textContent).toBe('0.0155 BTC');
    expect(screen.getByText('Credited to your balance')).toBeTruthy();
    const stage = screen.getByTestId('deposit-stage');
    expect([stage.textContent, stage.getAttribute('data-stage')]).toEqual(['Deposit credited', 'credited']);
    expect(screen.getByRole('list', { name: 'Deposit progress' }).querySelector('[aria-current="step"]')?.textContent).toBe('Credited');
    expect(screen.getByTestId('deposit-received').textContent).toBe('0.0155 BTC');
    expect(details()).toMatchObject({ Amount: '$1,500.00', 'Paid with': 'Bitcoin (BTC)', 'Credited in': 'BTC', 'Payment id': 'sim-4711' });
    // No transaction reported (yet): no row for it.
    expect(details()).not.toHaveProperty('Transaction');
  });

  it('links the paying transaction to its network explorer, and says deposits carry no fee', async () => {
    const hash = 'f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16';
    render(deposit({ txHash: hash }));
    const link = await screen.findByRole('link', { name: `Transaction ${hash} on the explorer (opens in a new tab)` });
    expect(link.getAttribute('href')).toBe(`https://mempool.space/tx/${hash}`);
    expect(details()).toMatchObject({ Transaction: 'tx f4184fc596…', 'Deposit fee': 'None (CryptoVault charges no fee on deposits)' });
  });

  it('shows a USD deposit credited in dollars', async () => {
    render(deposit({ payCurrency: 'usdterc20', amountUsd: '500', actuallyPaid: '500.12', creditAsset: 'USD', creditedUsd: '500', creditedAmount: '500' }));
    expect((await screen.findByTestId('deposit-credited')).textContent).toBe('$500.00');
    expect(screen.getByTestId('deposit-stage').getAttribute('data-stage')).toBe('credited');
    expect(details()).toMatchObject({ Amount: '$500.00', 'Paid with': 'Tether (USDT, ERC-20)', 'Credited in': 'US dollars (USD)' });
  });

  it('names the stage the way the wallet does before the credit: waiting, confirming, expired', async () => {
    render(deposit({ status: 'confirming', creditedAmount: null }));
    const stage = await screen.findByTestId('deposit-stage');
    expect([stage.textContent, stage.getAttribute('data-stage')]).toEqual(['Payment received, confirming', 'confirming']);
    expect(screen.getByText('To be credited')).toBeTruthy();
    expect(screen.getByTestId('deposit-credited').textContent).toBe('The BTC received (about $1,500.00)');
    cleanup();

    render(deposit({ status: 'waiting', actuallyPaid: null, creditedAmount: null }));
    expect((await screen.findByTestId('deposit-stage')).getAttribute('data-stage')).toBe('waiting');
    expect(screen.queryByTestId('deposit-received')).toBeNull();
    cleanup();

    render(deposit({ status: 'expired', actuallyPaid: null, creditedAmount: null }));
    expect((await screen.findByTestId('deposit-stage')).textContent).toBe('Deposit expired');
    expect(screen.queryByRole('list', { name: 'Deposit progress' })).toBeNull();
    expect(screen.getByText(/No payment arrived in time/)).toBeTruthy();
  });
});
