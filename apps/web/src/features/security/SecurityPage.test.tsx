// @vitest-environment happy-dom
import { cleanup, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderRoutes } from '../../test/render.tsx';
import SecurityPage from './SecurityPage.tsx';

afterEach(cleanup);

vi.mock('@simplewebauthn/browser', () => ({
  startAuthentication: vi.fn(),
  startRegistration: vi.fn(async ({ optionsJSON }: { optionsJSON: { challenge: string } }) => ({
    id: 'new-cred',
    rawId: 'new-cred',
    type: 'public-key',
    response: { clientDataJSON: optionsJSON.challenge, attestationObject: 'o' },
    clientExtensionResults: {},
  })),
}));

const routes = [{ path: '/security', element: <SecurityPage /> }];
const at = '2026-12-03T20:00:00.000Z';

describe('SecurityPage', () => {
  it('shows sessions, passkeys, backup codes left and recent events; adds a passkey, removes one, regenerates backup codes', async () => {
    Object.defineProperty(window, 'PublicKeyCredential', { value: function PublicKeyCredential() {}, configurable: true });
    let passkeys = [{ id: 'p1', name: 'Old laptop', createdAt: at, lastUsedAt: null, backedUp: false }];
    let remaining = 7;
    const { calls } = renderRoutes(routes, '/security', (method, path, body) => {
      if (path === '/api/auth/sessions')
        return {
          status: 200,
          body: { items: [{ id: 's1', current: true, device: 'Chrome on Linux', userAgent: null, ip: '10.0.0.1', createdAt: at, lastUsedAt: at }] },
        };
      if (path === '/api/auth/passkeys' && method === 'GET') return { status: 200, body: { items: passkeys } };
      if (path === '/api/auth/passkeys/registration-options') return { status: 200, body: { options: { challenge: 'reg-chal' }, expiresAt: at } };
      if (path === '/api/auth/passkeys' && method === 'POST') {
        const b = body as { name?: string; response: { response: { clientDataJSON: string } } };
        if (b.response.response.clientDataJSON !== 'reg-chal')
          return { status: 401, body: { error: { code: 'PASSKEY_INVALID', message: 'no', requestId: 'r' } } };
        const p = { id: 'p2', name: b.name ?? 'Passkey', createdAt: at, lastUsedAt: null, backedUp: true };
        passkeys = [...passkeys, p];
        return { status: 201, body: { passkey: p } };
      }
      if (path === '/api/auth/passkeys/p1' && method === 'DELETE') {
        passkeys = passkeys.filter((p) => p.id !== 'p1');
        return { status: 200, body: { ok: true } };
      }
      if (path === '/api/auth/backup-codes') return { status: 200, body: { remaining, available: true } };
      if (path === '/api/auth/backup-codes/regenerate') {
        remaining = 10;
        return { status: 200, body: { backupCodes: ['aaaa-bbbb', 'cccc-dddd'] } };
      }
      if (path === '/api/auth/security-events')
        return {
          status: 200,
          body: { items: [{ id: '1', kind: 'sign_in', at, ip: '10.0.0.1', device: 'Chrome on Linux', details: { methods: ['password', 'passkey'] } }] },
        };
      return undefined;
    });
    expect(await screen.findByText('Chrome on Linux', { selector: 'strong' })).toBeTruthy();
    expect(await screen.findByText('Old laptop')).toBeTruthy();
    expect((await screen.findByTestId('backup-remaining')).textContent).toBe('7');
    expect((await screen.findByTestId('security-events')).textContent).toMatch(/Signed in with password \+ passkey/);

    await userEvent.type(screen.getByLabelText('Passkey name (optional)'), 'Work laptop');
    await userEvent.click(screen.getByRole('button', { name: 'Add a passkey' }));
    expect(await within(await screen.findByTestId('passkey-list')).findByText('Work laptop')).toBeTruthy();
    expect(calls.find((c) => c.path === '/api/auth/passkeys' && c.method === 'POST')?.body).toMatchObject({ name: 'Work laptop' });

    await userEvent.click(screen.getByRole('button', { name: 'Remove passkey Old laptop' }));
    await vi.waitFor(() => expect(screen.queryByText('Old laptop')).toBeNull());

    await userEvent.click(screen.getByRole('button', { name: 'Create new backup codes' }));
    expect((await screen.findByTestId('new-backup-codes')).textContent).toContain('aaaa-bbbb');
    await vi.waitFor(() => expect(screen.getByTestId('backup-remaining').textContent).toBe('10'));
    Reflect.deleteProperty(window, 'PublicKeyCredential');
  });
});
