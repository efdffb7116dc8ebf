// @vitest-environment happy-dom
import { cleanup, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../lib/errors.ts';
import { renderRoutes } from '../test/render.tsx';
import { useApi } from '../shared/services.ts';

afterEach(cleanup);

// The browser's WebAuthn call, as @simplewebauthn/browser makes it: answers with a fixed assertion.
const assertion = { id: 'cred', rawId: 'cred', type: 'public-key', response: { clientDataJSON: 'e30' }, clientExtensionResults: {} };
vi.mock('@simplewebauthn/browser', () => ({
  startAuthentication: vi.fn(async ({ optionsJSON }: { optionsJSON: { challenge: string } }) => ({ ...assertion, challengeSeen: optionsJSON.challenge })),
  startRegistration: vi.fn(),
}));

/** A sensitive form: one POST through the app's api client. */
function SendButton() {
  const api = useApi();
  const [state, setState] = useState('idle');
  return (
    <>
      <button
        type="button"
        onClick={() =>
          api.post('/api/wallet/transfers', { amount: '1' }).then(
            () => setState('sent'),
            (e: unknown) => setState(e instanceof ApiError ? e.code : 'error'),
          )
        }
      >
        Send
      </button>
      <output>{state}</output>
    </>
  );
}

const routes = [{ path: '/', element: <SendButton /> }];
const err = (status: number, code: string, details?: unknown) => ({ status, body: { error: { code, message: `${code} message`, requestId: 'r', details } } });

describe('StepUpDialog', () => {
  it('opens on STEP_UP_REQUIRED asking for what the server named, steps up, and the request goes through on its one retry', async () => {
    let stepped = false;
    const { calls } = renderRoutes(routes, '/', (_method, path, body) => {
      if (path === '/api/auth/step-up') {
        const b = body as { password?: string; totpCode?: string };
        if (b.password !== 'right password' || b.totpCode !== '123456') return err(401, 'UNAUTHENTICATED');
        stepped = true;
        return { status: 200, body: { methods: ['password', 'totp'], expiresAt: '2026-01-01T00:05:00Z' } };
      }
      if (path === '/api/wallet/transfers')
        return stepped ? { status: 201, body: { id: 't1' } } : err(403, 'STEP_UP_REQUIRED', { methods: ['password', 'totp'], ttlSeconds: 300 });
      return undefined;
    });
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    const dialog = await screen.findByRole('dialog', { name: 'Confirm it is you' });
    expect(dialog.textContent).toMatch(/password and a two-factor code/);
    await userEvent.type(screen.getByLabelText('Password'), 'wrong');
    await userEvent.type(screen.getByLabelText('Authentication code (or a backup code)'), '123456');
    await userEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    expect(await screen.findByText('UNAUTHENTICATED message')).toBeTruthy();
    await userEvent.clear(screen.getByLabelText('Password'));
    await userEvent.type(screen.getByLabelText('Password'), 'right password');
    await userEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    expect(await screen.findByText('sent')).toBeTruthy();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(calls.filter((c) => c.path === '/api/wallet/transfers')).toHaveLength(2);
  });

  it('cancel gives the form the STEP_UP_REQUIRED error and sends nothing more', async () => {
    const { calls } = renderRoutes(routes, '/', (_m, path) =>
      path === '/api/wallet/transfers' ? err(403, 'STEP_UP_REQUIRED', { methods: ['password'], ttlSeconds: 300 }) : undefined,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    await screen.findByRole('dialog');
    expect(screen.queryByLabelText('Authentication code (or a backup code)')).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(await screen.findByText('STEP_UP_REQUIRED')).toBeTruthy();
    expect(calls.filter((c) => c.path === '/api/auth/step-up')).toHaveLength(0);
    expect(calls.filter((c) => c.path === '/api/wallet/transfers')).toHaveLength(1);
  });

  it('a passkey step-up: options from the server, the browser answers, step-up with the passkey, and the request is retried', async () => {
    Object.defineProperty(window, 'PublicKeyCredential', { value: function PublicKeyCredential() {}, configurable: true });
    let stepped = false;
    const { calls } = renderRoutes(routes, '/', (_m, path, body) => {
      if (path === '/api/auth/step-up/passkey-options') return { status: 200, body: { options: { challenge: 'chal-1' }, expiresAt: '2026-01-01T00:05:00Z' } };
      if (path === '/api/auth/step-up') {
        const b = body as { passkey?: { challengeSeen?: string } };
        if (b.passkey?.challengeSeen !== 'chal-1') return err(401, 'PASSKEY_INVALID');
        stepped = true;
        return { status: 200, body: { methods: ['passkey'], expiresAt: '2026-01-01T00:05:00Z' } };
      }
      if (path === '/api/wallet/transfers')
        return stepped ? { status: 201, body: { id: 't1' } } : err(403, 'STEP_UP_REQUIRED', { methods: ['passkey'], ttlSeconds: 300 });
      return undefined;
    });
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    const dialog = await screen.findByRole('dialog', { name: 'Confirm it is you' });
    expect(dialog.textContent).toMatch(/needs your passkey/);
    // A passkey-only account can still use a backup code.
    expect(screen.getByLabelText('Backup code')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Use a passkey' }));
    expect(await screen.findByText('sent')).toBeTruthy();
    expect(calls.filter((c) => c.path === '/api/wallet/transfers')).toHaveLength(2);
    Reflect.deleteProperty(window, 'PublicKeyCredential');
  });
});
