// @vitest-environment happy-dom
import { cleanup, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { renderRoutes } from '../../test/render.tsx';
import { WithdrawPanel } from '../wallet/WithdrawPanel.tsx';
import AddressConfirmPage from './AddressConfirmPage.tsx';
import { AddressBookCard } from './AddressBookCard.tsx';
import { AntiPhishingCard } from './AntiPhishingCard.tsx';
import FreezePage from './FreezePage.tsx';
import { FrozenBanner } from './FrozenBanner.tsx';
import UnfreezePage from './UnfreezePage.tsx';

afterEach(cleanup);

const TOKEN = 'k'.repeat(43);
const A1 = '0b7f4b8e-8a55-4c1e-9d3e-6f0c2a1b9e11';
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
const err = (status: number, code: string, details?: unknown) => ({ status, body: { error: { code, message: `${code} message`, requestId: 'r', details } } });
const signedIn = (u = user) => ({ status: 200, body: { authenticated: true, user: u, canRefresh: false } });
const entry = (over: Record<string, unknown>) => ({
  id: 'a1',
  asset: 'BTC',
  network: 'bitcoin',
  address: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
  label: 'Cold wallet',
  status: 'active',
  usable: true,
  createdAt: '2026-12-01T10:00:00Z',
  confirmedAt: '2026-12-01T10:05:00Z',
  usableAt: '2026-12-02T10:00:00Z',
  ...over,
});

describe('address book', () => {
  it('shows each entry’s state with the time it becomes usable, adds through the step-up dialog, and switches "address book only"', async () => {
    let stepped = false;
    let items = [
      entry({}),
      entry({ id: 'a2', label: 'New one', status: 'pending_confirmation', usable: false, confirmedAt: null, usableAt: '2026-12-04T21:00:00Z' }),
    ];
    let mode = { enabled: false, requested: false, offAt: null as string | null };
    const { calls } = renderRoutes([{ path: '/', element: <AddressBookCard /> }], '/', (method, path, body) => {
      if (path === '/api/wallet/withdrawal-addresses' && method === 'GET') return { status: 200, body: { items, addressBookOnly: mode, coolingOffHours: 24 } };
      if (path === '/api/auth/step-up') {
        stepped = true;
        return { status: 200, body: { methods: ['totp'], expiresAt: '2026-12-03T21:05:00Z' } };
      }
      if (path === '/api/wallet/withdrawal-addresses' && method === 'POST') {
        if (!stepped) return err(403, 'STEP_UP_REQUIRED', { methods: ['totp'], ttlSeconds: 300 });
        const added = entry({
          id: 'a3',
          ...(body as object),
          network: 'bitcoin',
          status: 'pending_confirmation',
          usable: false,
          confirmedAt: null,
          usableAt: '2026-12-04T22:00:00Z',
        });
        items = [added, ...items];
        return { status: 201, body: added };
      }
      if (path === '/api/wallet/withdrawal-addresses/address-book-only') {
        mode = (body as { enabled: boolean }).enabled
          ? { enabled: true, requested: true, offAt: null }
          : { enabled: true, requested: false, offAt: '2026-12-04T21:30:00Z' };
        return { status: 200, body: mode };
      }
      return undefined;
    });
    expect((await screen.findByTestId('address-a1')).textContent).toContain('Active');
    expect(within(screen.getByTestId('address-a2')).getByTestId('address-state').textContent).toContain(new Date('2026-12-04T21:00:00Z').toLocaleString());
    expect(screen.getByTestId('address-a2').textContent).toMatch(/Confirm the link we emailed you/);

    await userEvent.click(screen.getByText('Add an address'));
    await userEvent.type(screen.getByLabelText('Address'), 'bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh');
    await userEvent.type(screen.getByLabelText('Label'), 'Exchange');
    await userEvent.click(screen.getByRole('button', { name: 'Add address' }));
    await screen.findByRole('dialog', { name: 'Confirm it is you' });
    await userEvent.type(screen.getByLabelText('Authentication code (or a backup code)'), '123456');
    await userEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    expect(await screen.findByTestId('address-a3')).toBeTruthy();
    expect(calls.filter((c) => c.method === 'POST' && c.path === '/api/wallet/withdrawal-addresses').at(-1)?.body).toEqual({
      asset: 'BTC',
      address: 'bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh',
      label: 'Exchange',
    });

    await userEvent.click(screen.getByRole('button', { name: 'Turn on' }));
    await userEvent.click(await screen.findByRole('button', { name: 'Switch off (after 24 h)' }));
    expect((await screen.findByTestId('address-book-only')).textContent).toMatch(/Switching off/);
    expect(screen.getByRole('button', { name: 'Keep it on' })).toBeTruthy();
  });

  it('the withdraw flow offers usable book entries, lists pending ones with their time, and sends addressId', async () => {
    const { calls } = renderRoutes([{ path: '/', element: <WithdrawPanel /> }], '/', (method, path) => {
      if (path === '/api/auth/session') return signedIn();
      if (path === '/api/wallet/balances') return { status: 200, body: { items: [{ asset: 'BTC', available: '1', locked: '0', total: '1' }] } };
      if (path === '/api/wallet/withdrawals' && method === 'GET') return { status: 200, body: { items: [], nextCursor: null } };
      if (path === '/api/wallet/withdrawal-addresses')
        return {
          status: 200,
          body: {
            items: [entry({ id: A1 }), entry({ id: 'a2', label: 'Waiting', status: 'cooling_off', usable: false, usableAt: '2026-12-04T21:00:00Z' })],
            addressBookOnly: { enabled: true, requested: true, offAt: null },
            coolingOffHours: 24,
          },
        };
      if (path === '/api/wallet/withdrawals' && method === 'POST') return { status: 201, body: { id: 'w1', amount: '0.1', asset: 'BTC' } };
      return undefined;
    });
    expect((await screen.findByTestId('pending-addresses')).textContent).toContain(
      `Waiting: Confirmed · usable from ${new Date('2026-12-04T21:00:00Z').toLocaleString()}`,
    );
    await userEvent.selectOptions(screen.getByLabelText('Send to'), A1);
    expect(screen.queryByLabelText('Destination address')).toBeNull();
    await userEvent.type(screen.getByLabelText('Amount'), '0.1');
    await userEvent.click(screen.getByRole('button', { name: 'Request withdrawal' }));
    await userEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Confirm withdrawal' }));
    await screen.findByText('Withdrawal requested');
    expect(calls.find((c) => c.method === 'POST' && c.path === '/api/wallet/withdrawals')?.body).toEqual({ asset: 'BTC', amount: '0.1', addressId: A1 });
  });
});

describe('anti-phishing code card', () => {
  it('shows the code and saves a new one (through the step-up dialog when asked)', async () => {
    let code: string | null = null;
    let stepped = false;
    const { calls } = renderRoutes([{ path: '/', element: <AntiPhishingCard /> }], '/', (method, path, body) => {
      if (path === '/api/security/anti-phishing' && method === 'GET') return { status: 200, body: { code } };
      if (path === '/api/auth/step-up') {
        stepped = true;
        return { status: 200, body: { methods: ['password'], expiresAt: '2026-12-03T21:05:00Z' } };
      }
      if (path === '/api/security/anti-phishing' && method === 'PUT') {
        if (!stepped) return err(403, 'STEP_UP_REQUIRED', { methods: ['password'], ttlSeconds: 300 });
        code = (body as { code: string | null }).code;
        return { status: 200, body: { code } };
      }
      return undefined;
    });
    expect((await screen.findByTestId('anti-phishing-current')).textContent).toBe('No code set.');
    await userEvent.type(screen.getByLabelText('Code'), 'ab');
    await userEvent.click(screen.getByRole('button', { name: 'Save code' }));
    expect(await screen.findAllByText(/4 to 20 letters/)).toHaveLength(2); // the hint and the error
    await userEvent.type(screen.getByLabelText('Code'), 'cd Otter');
    await userEvent.click(screen.getByRole('button', { name: 'Save code' }));
    await screen.findByRole('dialog', { name: 'Confirm it is you' });
    await userEvent.type(screen.getByLabelText('Password'), 'my password');
    await userEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    expect((await screen.findByText('abcd Otter')).tagName).toBe('STRONG');
    expect(calls.filter((c) => c.method === 'PUT').map((c) => c.body)).toEqual([{ code: 'abcd Otter' }, { code: 'abcd Otter' }]);
  });
});

describe('freeze, unfreeze and address confirmation pages', () => {
  it('the freeze page changes nothing until the button, then shows what happened', async () => {
    const { calls } = renderRoutes([{ path: '/freeze', element: <FreezePage /> }], `/freeze?token=${TOKEN}`, (_m, path) =>
      path === '/api/security/freeze' ? { status: 200, body: { frozen: true, frozenAt: '2026-12-03T21:00:00Z' } } : undefined,
    );
    await screen.findByRole('button', { name: 'Freeze my account' });
    expect(calls.some((c) => c.path === '/api/security/freeze')).toBe(false);
    await userEvent.click(screen.getByRole('button', { name: 'Freeze my account' }));
    expect((await screen.findByTestId('frozen')).textContent).toMatch(/Your account is frozen/);
    expect(calls.find((c) => c.path === '/api/security/freeze')?.body).toEqual({ token: TOKEN });
  });

  it('the freeze page explains a used link', async () => {
    renderRoutes([{ path: '/freeze', element: <FreezePage /> }], `/freeze?token=${TOKEN}`, (_m, path) =>
      path === '/api/security/freeze'
        ? { status: 400, body: { error: { code: 'VALIDATION_ERROR', message: 'This freeze link is invalid, expired or already used', requestId: 'r' } } }
        : undefined,
    );
    await userEvent.click(await screen.findByRole('button', { name: 'Freeze my account' }));
    expect(await screen.findByText(/already used/)).toBeTruthy();
  });

  it('unfreeze sends the token, password and code, and maps a wrong code to its field', async () => {
    const { calls } = renderRoutes([{ path: '/unfreeze', element: <UnfreezePage /> }], `/unfreeze?token=${TOKEN}`, (_m, path, body) => {
      if (path !== '/api/security/unfreeze') return undefined;
      return (body as { totpCode?: string }).totpCode === '123456' ? { status: 200, body: { frozen: false, frozenAt: null } } : err(401, 'TOTP_INVALID');
    });
    await userEvent.type(await screen.findByLabelText('Password'), 'my password');
    await userEvent.type(screen.getByLabelText('Authentication code or backup code'), '000000');
    await userEvent.click(screen.getByRole('button', { name: 'Unfreeze my account' }));
    expect(await screen.findByText('TOTP_INVALID message')).toBeTruthy();
    await userEvent.clear(screen.getByLabelText('Authentication code or backup code'));
    await userEvent.type(screen.getByLabelText('Authentication code or backup code'), '123456');
    await userEvent.click(screen.getByRole('button', { name: 'Unfreeze my account' }));
    expect(await screen.findByTestId('unfrozen')).toBeTruthy();
    expect(calls.filter((c) => c.path === '/api/security/unfreeze').at(-1)?.body).toEqual({ token: TOKEN, password: 'my password', totpCode: '123456' });
    // A wrong code is not a session problem: no refresh.
    expect(calls.some((c) => c.path === '/api/auth/refresh')).toBe(false);
  });

  it('the address confirmation page confirms on the button and says when the address is usable', async () => {
    renderRoutes([{ path: '/withdrawal-address/confirm', element: <AddressConfirmPage /> }], `/withdrawal-address/confirm?token=${TOKEN}`, (_m, path) =>
      path === '/api/wallet/withdrawal-addresses/confirm'
        ? { status: 200, body: entry({ status: 'cooling_off', usable: false, usableAt: '2026-12-04T21:00:00Z' }) }
        : undefined,
    );
    await userEvent.click(await screen.findByRole('button', { name: 'Confirm this address' }));
    expect((await screen.findByTestId('address-confirmed')).textContent).toContain(new Date('2026-12-04T21:00:00Z').toLocaleString());
  });

  it('a frozen account sees the banner and can ask for the unfreeze link', async () => {
    const { calls } = renderRoutes([{ path: '/', element: <FrozenBanner /> }], '/', (_m, path) => {
      if (path === '/api/auth/session') return signedIn({ ...user, frozen: true });
      if (path === '/api/security/unfreeze/request')
        return { status: 202, body: { status: 'accepted', message: 'An unfreeze link is on its way to your email address.' } };
      return undefined;
    });
    expect((await screen.findByTestId('frozen-banner')).textContent).toMatch(/This account is frozen/);
    await userEvent.click(screen.getByRole('button', { name: 'Email me an unfreeze link' }));
    expect(await screen.findByText(/An unfreeze link is on its way/)).toBeTruthy();
    expect(calls.some((c) => c.path === '/api/security/unfreeze/request')).toBe(true);
  });
});
