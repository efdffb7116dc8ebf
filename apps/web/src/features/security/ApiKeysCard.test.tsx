// @vitest-environment happy-dom
import type { ApiKey, ApiKeyScope } from '@cryptovault/contract';
import { cleanup, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderRoutes } from '../../test/render.tsx';
import { ApiKeysCard } from './ApiKeysCard.tsx';

afterEach(cleanup);

const routes = [{ path: '/security', element: <ApiKeysCard /> }];
const at = '2026-12-03T20:00:00.000Z';
const key = (over: Partial<ApiKey>): ApiKey => ({
  id: '11111111-1111-4111-8111-111111111111',
  label: 'Old bot',
  scopes: ['read'],
  ipAllowlist: [],
  status: 'active',
  createdAt: at,
  expiresAt: null,
  lastUsedAt: at,
  lastUsedIp: '203.0.113.7',
  revokedAt: null,
  ...over,
});

describe('ApiKeysCard', () => {
  it('lists keys with their last use, creates one (scopes, IP list, expiry) and shows its secret once, revokes after confirming', async () => {
    let items = [key({})];
    const { calls } = renderRoutes(routes, '/security', (method, path, body) => {
      if (path === '/api/api-keys' && method === 'GET') return { status: 200, body: { items, maxActive: 10 } };
      if (path === '/api/api-keys' && method === 'POST') {
        const b = body as { label: string; scopes: ApiKeyScope[]; ipAllowlist: string[] };
        const k = key({
          id: '22222222-2222-4222-8222-222222222222',
          label: b.label,
          scopes: b.scopes,
          ipAllowlist: b.ipAllowlist,
          lastUsedAt: null,
          lastUsedIp: null,
        });
        items = [k, ...items];
        return { status: 201, body: { key: k, secret: 'cvs_the-secret-shown-once' } };
      }
      if (path === `/api/api-keys/${items.at(-1)?.id}` && method === 'DELETE') {
        const revoked: ApiKey = { ...items.at(-1)!, status: 'revoked', revokedAt: at };
        items = [...items.slice(0, -1), revoked];
        return { status: 200, body: revoked };
      }
      return undefined;
    });
    const old = await screen.findByTestId('api-key-11111111-1111-4111-8111-111111111111');
    expect(old.textContent).toMatch(/Last used: .* from 203\.0\.113\.7/);
    expect(old.textContent).toContain('IP allow-list: any address');

    await userEvent.click(screen.getByText('Create an API key'));
    expect(screen.getByTestId('api-key-no-withdraw').textContent).toMatch(/No API key can withdraw/);
    await userEvent.type(screen.getByLabelText('Label'), 'Rebalancer');
    await userEvent.click(screen.getByRole('checkbox', { name: /Trade/ }));
    await userEvent.type(screen.getByLabelText('IP allow-list (optional)'), '203.0.113.0/24, 2001:db8::/32');
    await userEvent.selectOptions(screen.getByLabelText('Expires after'), '30');
    await userEvent.click(screen.getByRole('button', { name: 'Create API key' }));
    expect((await screen.findByTestId('api-key-secret-value')).textContent).toBe('cvs_the-secret-shown-once');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      label: 'Rebalancer',
      scopes: ['read', 'trade'],
      ipAllowlist: ['203.0.113.0/24', '2001:db8::/32'],
      expiresInDays: 30,
    });
    expect(screen.getByRole('button', { name: 'Copy the secret' })).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'I have saved it' }));
    expect(screen.queryByTestId('api-key-secret')).toBeNull();
    expect(document.body.textContent).not.toContain('cvs_the-secret-shown-once');

    await userEvent.click(within(old).getByRole('button', { name: 'Revoke' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog.textContent).toContain('Revoke this API key?');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Revoke' }));
    await vi.waitFor(() => expect(screen.getByTestId('api-key-11111111-1111-4111-8111-111111111111').textContent).toContain('revoked'));
    expect(calls.some((c) => c.method === 'DELETE')).toBe(true);
  });

  it('refuses a malformed IP entry before sending', async () => {
    const { calls } = renderRoutes(routes, '/security', (method, path) =>
      path === '/api/api-keys' && method === 'GET' ? { status: 200, body: { items: [], maxActive: 10 } } : undefined,
    );
    await screen.findByText('No API keys yet.');
    await userEvent.click(screen.getByText('Create an API key'));
    await userEvent.type(screen.getByLabelText('Label'), 'x');
    await userEvent.type(screen.getByLabelText('IP allow-list (optional)'), 'example.com');
    await userEvent.click(screen.getByRole('button', { name: 'Create API key' }));
    expect(await screen.findByText(/must be an IP address/i)).toBeTruthy();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });
});
