// @vitest-environment happy-dom
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { renderRoutes } from '../../test/render.tsx';
import LoginPage from './LoginPage.tsx';

afterEach(cleanup);

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
});
