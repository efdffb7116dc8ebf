// @vitest-environment happy-dom
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderRoutes } from '../../test/render.tsx';
import LoginPage from './LoginPage.tsx';

afterEach(cleanup);

// The browser's WebAuthn prompt: the first call is cancelled, the next ones answer for the options' challenge.
let cancelNext = true;
vi.mock('@simplewebauthn/browser', () => ({
  startRegistration: vi.fn(),
  startAuthentication: vi.fn(async ({ optionsJSON }: { optionsJSON: { challenge: string } }) => {
    if (cancelNext) {
      cancelNext = false;
      throw Object.assign(new Error('The operation either timed out or was not allowed.'), { name: 'NotAllowedError' });
    }
    return { id: 'cred', rawId: 'cred', type: 'public-key', response: { clientDataJSON: optionsJSON.challenge }, clientExtensionResults: {} };
  }),
}));

const user = { id: 'u1', email: 'ann@example.com', name: 'Ann', role: 'user', emailVerified: true, twoFactorEnabled: true, createdAt: '2026-01-01T00:00:00Z' };
const routes = [
  { path: '/login', element: <LoginPage /> },
  { path: '/dashboard', element: <h1>Dashboard screen</h1> },
];

describe('LoginPage', () => {
  it('validates with the shared schema before calling the API', async () => {
    const { calls } = renderRoutes(routes, '/login', () => ({ status: 401, body: { error: { code: 'UNAUTHENTICATED', message: 'no', requestId: 'r' } } }));
    await userEvent.type(screen.getByLabelText('Email'), 'not-an-email');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByText('Must be a valid email address')).toBeTruthy();
    expect(screen.getByLabelText('Email').getAttribute('aria-invalid')).toBe('true');
    expect(calls.some((c) => c.path === '/api/auth/login')).toBe(false);
  });

  it('asks for the 2FA code when the server says TOTP_REQUIRED, then signs in with it', async () => {
    const { calls, router } = renderRoutes(routes, '/login?next=/dashboard', (method, path, body) => {
      if (path === '/api/auth/refresh') return { status: 401, body: { error: { code: 'UNAUTHENTICATED', message: 'no', requestId: 'r' } } };
      if (method === 'POST' && path === '/api/auth/login') {
        const b = body as { totpCode?: string };
        if (!b.totpCode) return { status: 403, body: { error: { code: 'TOTP_REQUIRED', message: 'Enter your code', requestId: 'r' } } };
        if (b.totpCode !== '123456') return { status: 401, body: { error: { code: 'TOTP_INVALID', message: 'The code is wrong', requestId: 'r' } } };
        return { status: 200, body: { user } };
      }
      return undefined;
    });
    await userEvent.type(screen.getByLabelText('Email'), 'ann@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'correct horse battery');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));

    const code = await screen.findByLabelText('Authentication code');
    await userEvent.type(code, '999999');
    await userEvent.click(screen.getByRole('button', { name: 'Verify code' }));
    expect(await screen.findByText('The code is wrong')).toBeTruthy();

    await userEvent.clear(code);
    await userEvent.type(code, '123456');
    await userEvent.click(screen.getByRole('button', { name: 'Verify code' }));
    expect(await screen.findByRole('heading', { name: 'Dashboard screen' })).toBeTruthy();
    await waitFor(() => expect(router.state.location.pathname).toBe('/dashboard'));
    const logins = calls.filter((c) => c.path === '/api/auth/login').map((c) => (c.body as { totpCode?: string }).totpCode);
    expect(logins).toEqual([undefined, '999999', '123456']);
  });

  it('a passkey account: after the password, "Use your passkey" answers the server\'s options and signs in (a cancelled prompt fetches new ones)', async () => {
    Object.defineProperty(window, 'PublicKeyCredential', { value: function PublicKeyCredential() {}, configurable: true });
    let n = 0;
    const { calls } = renderRoutes(routes, '/login?next=/dashboard', (method, path, body) => {
      if (path === '/api/auth/refresh') return { status: 401, body: { error: { code: 'UNAUTHENTICATED', message: 'no', requestId: 'r' } } };
      if (method === 'POST' && path === '/api/auth/login') {
        const b = body as { passkey?: { response: { clientDataJSON: string } } };
        if (!b.passkey) {
          n += 1;
          return {
            status: 403,
            body: {
              error: {
                code: 'TOTP_REQUIRED',
                message: 'Use your passkey',
                requestId: 'r',
                details: { methods: ['passkey'], passkey: { challenge: `chal-${n}` } },
              },
            },
          };
        }
        return b.passkey.response.clientDataJSON === `chal-${n}`
          ? { status: 200, body: { user } }
          : { status: 401, body: { error: { code: 'PASSKEY_INVALID', message: 'no', requestId: 'r' } } };
      }
      return undefined;
    });
    await userEvent.type(screen.getByLabelText('Email'), 'ann@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'correct horse battery');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    // No authenticator app on this account: the field takes a backup code.
    expect(await screen.findByLabelText('Backup code')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Use your passkey' }));
    expect(await screen.findByText(/cancelled or timed out/)).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Use your passkey' }));
    expect(await screen.findByRole('heading', { name: 'Dashboard screen' })).toBeTruthy();
    const withPasskey = calls.filter((c) => c.path === '/api/auth/login' && (c.body as { passkey?: unknown }).passkey);
    expect(withPasskey.map((c) => (c.body as { passkey: { response: { clientDataJSON: string } } }).passkey.response.clientDataJSON)).toEqual(['chal-2']);
    Reflect.deleteProperty(window, 'PublicKeyCredential');
  });
});
