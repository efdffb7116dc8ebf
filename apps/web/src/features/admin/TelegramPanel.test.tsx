// @vitest-environment happy-dom
import { cleanup, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { renderRoutes } from '../../test/render.tsx';
import { TelegramPanel } from './TelegramPanel.tsx';

afterEach(cleanup);

const err = (status: number, code: string, details?: unknown) => ({ status, body: { error: { code, message: `${code} message`, requestId: 'r', details } } });

describe('Admin → Telegram', () => {
  it('gets a link code through the step-up dialog, shows the command once, and unlinks after confirming', async () => {
    let stepped = false;
    let linked = false;
    const status = () => ({
      status: 200,
      body: {
        enabled: true,
        linked,
        username: linked ? 'ops_ann' : null,
        linkedAt: linked ? '2026-12-04T14:00:00Z' : null,
        botUsername: 'cryptovault_ops_bot',
      },
    });
    const { calls } = renderRoutes([{ path: '/', element: <TelegramPanel /> }], '/', (method, path) => {
      if (path === '/api/admin/telegram' && method === 'GET') return status();
      if (path === '/api/auth/step-up') {
        stepped = true;
        return { status: 200, body: { methods: ['totp'], expiresAt: '2026-12-04T14:05:00Z' } };
      }
      if (path === '/api/admin/telegram/link-code') {
        if (!stepped) return err(403, 'STEP_UP_REQUIRED', { methods: ['totp'], ttlSeconds: 300 });
        return { status: 201, body: { code: 'K7QF-3MZP', command: '/link K7QF-3MZP', expiresAt: '2026-12-04T14:10:00Z', botUsername: 'cryptovault_ops_bot' } };
      }
      if (path === '/api/admin/telegram/link' && method === 'DELETE') {
        linked = false;
        return status();
      }
      return undefined;
    });
    expect((await screen.findByTestId('telegram-status')).textContent).toBe('Not linked.');
    await userEvent.click(screen.getByRole('button', { name: 'Get a link code' }));
    await screen.findByRole('dialog', { name: 'Confirm it is you' });
    await userEvent.type(screen.getByLabelText('Authentication code (or a backup code)'), '123456');
    await userEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    expect((await screen.findByTestId('telegram-link-command')).textContent).toBe('/link K7QF-3MZP');
    expect(screen.getByRole('link', { name: 'Open @cryptovault_ops_bot in Telegram' }).getAttribute('href')).toBe('https://t.me/cryptovault_ops_bot');
    expect(calls.filter((c) => c.path === '/api/admin/telegram/link-code')).toHaveLength(2);

    linked = true;
    cleanup();
    renderRoutes([{ path: '/', element: <TelegramPanel /> }], '/', (method, path) => {
      if (path === '/api/admin/telegram' && method === 'GET') return status();
      if (path === '/api/admin/telegram/link' && method === 'DELETE') {
        linked = false;
        return status();
      }
      return undefined;
    });
    expect((await screen.findByTestId('telegram-status')).textContent).toMatch(/^Linked to @ops_ann since/);
    await userEvent.click(screen.getByRole('button', { name: 'Unlink Telegram' }));
    await userEvent.click(await screen.findByRole('button', { name: 'Unlink' }));
    expect((await screen.findByText('Not linked.')).textContent).toBe('Not linked.');
  });

  it('says when the bot is not set up on this deployment', async () => {
    renderRoutes([{ path: '/', element: <TelegramPanel /> }], '/', (_method, path) =>
      path === '/api/admin/telegram' ? { status: 200, body: { enabled: false, linked: false, username: null, linkedAt: null, botUsername: null } } : undefined,
    );
    expect(await screen.findByText(/not set up on this deployment/)).toBeTruthy();
  });
});
