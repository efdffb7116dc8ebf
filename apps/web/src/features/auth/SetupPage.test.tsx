// @vitest-environment happy-dom
import { cleanup, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { renderRoutes } from '../../test/render.tsx';
import SetupPage from './SetupPage.tsx';

afterEach(cleanup);

const TOKEN = 't'.repeat(43);
const admin = {
  id: 'a1',
  email: 'ops@example.com',
  name: 'Ops',
  role: 'admin',
  emailVerified: true,
  twoFactorEnabled: true,
  createdAt: '2026-01-01T00:00:00Z',
};
const offer = {
  secret: 'JBSWY3DPEHPK3PXP',
  otpauthUrl: 'otpauth://totp/CryptoVault:administrator?secret=JBSWY3DPEHPK3PXP',
  qrSvg: '<svg/>',
  expiresAt: '2026-12-03T19:00:00Z',
};

describe('SetupPage', () => {
  it('creates the first administrator with the authenticator code, maps a wrong code to its field, and shows the backup codes once', async () => {
    const { calls } = renderRoutes([{ path: '/setup', element: <SetupPage /> }], `/setup?token=${TOKEN}`, (method, path, body) => {
      if (method === 'POST' && path === '/api/setup/begin') return { status: 200, body: offer };
      if (method === 'POST' && path === '/api/setup/complete') {
        const b = body as { totpCode: string };
        if (b.totpCode !== '123456')
          return {
            status: 401,
            body: {
              error: { code: 'TOTP_INVALID', message: 'The code is wrong', requestId: 'r', details: [{ path: ['body', 'totpCode'], message: 'wrong code' }] },
            },
          };
        return { status: 201, body: { user: admin, backupCodes: ['abcd-efgh', 'jkmn-pqrs'] } };
      }
      return undefined;
    });
    expect(await screen.findByTestId('totp-secret')).toBeTruthy();
    expect(screen.getByTestId('totp-secret').textContent).toBe(offer.secret);
    await userEvent.type(screen.getByLabelText('Name'), 'Ops');
    await userEvent.type(screen.getByLabelText('Email'), 'ops@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'a long admin passphrase');
    await userEvent.type(screen.getByLabelText('6-digit code'), '999999');
    await userEvent.click(screen.getByRole('button', { name: 'Create administrator' }));
    expect(await screen.findByText('The code is wrong')).toBeTruthy();
    // A wrong code is not a session problem: no refresh attempt.
    expect(calls.some((c) => c.path === '/api/auth/refresh')).toBe(false);

    await userEvent.clear(screen.getByLabelText('6-digit code'));
    await userEvent.type(screen.getByLabelText('6-digit code'), '123456');
    await userEvent.click(screen.getByRole('button', { name: 'Create administrator' }));
    expect((await screen.findByTestId('backup-codes')).textContent).toContain('abcd-efgh');
    const complete = calls.filter((c) => c.path === '/api/setup/complete').map((c) => c.body);
    expect(complete.at(-1)).toEqual({ token: TOKEN, name: 'Ops', email: 'ops@example.com', password: 'a long admin passphrase', totpCode: '123456' });
  });

  it('explains a used or expired link', async () => {
    renderRoutes([{ path: '/setup', element: <SetupPage /> }], `/setup?token=${TOKEN}`, (_m, path) =>
      path === '/api/setup/begin'
        ? { status: 404, body: { error: { code: 'NOT_FOUND', message: 'This setup link is not valid: it was already used', requestId: 'r' } } }
        : undefined,
    );
    expect(await screen.findByText(/This setup link is not valid/)).toBeTruthy();
  });
});
