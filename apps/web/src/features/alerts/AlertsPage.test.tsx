// @vitest-environment happy-dom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { renderRoutes } from '../../test/render.tsx';
import AlertsPage from './AlertsPage.tsx';

afterEach(cleanup);

const ALERT = {
  id: '11111111-1111-4111-8111-111111111111',
  assetId: 'ethereum',
  symbol: 'ETH',
  condition: 'above',
  targetPrice: '5000',
  channels: ['in_app'],
  repeat: false,
  cooldownSeconds: 3600,
  active: true,
  triggerCount: 0,
  lastTriggeredAt: null,
  lastTriggeredPrice: null,
  createdAt: '2026-12-04T08:00:00.000Z',
};
const WOULD_FIRE = 'ETH is already at $4,495.13, above your $100.00: this alert would fire at once. Confirm to create it anyway.';

describe('AlertsPage confirmations', () => {
  it('asks before creating an alert that would fire at once, and creates it with confirmImmediate only on Confirm', async () => {
    const { calls } = renderRoutes([{ path: '/', element: <AlertsPage /> }], '/', (method, path, body) => {
      if (method === 'GET' && path === '/api/alerts') return { status: 200, body: { items: [] } };
      if (method === 'POST' && path === '/api/alerts')
        return (body as { confirmImmediate?: boolean }).confirmImmediate
          ? { status: 201, body: { ...ALERT, targetPrice: '100' } }
          : { status: 422, body: { error: { code: 'TRIGGER_WOULD_FIRE_NOW', message: WOULD_FIRE, requestId: 'r' } } };
      return undefined;
    });
    await userEvent.type(await screen.findByLabelText(/Target price/), '100');
    await userEvent.click(screen.getByRole('button', { name: /Create alert/ }));
    const dialog = await screen.findByRole('dialog', { name: 'This alert would fire at once' });
    expect(within(dialog).getByText(WOULD_FIRE)).toBeTruthy();
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create anyway' }));
    await screen.findByText('Alert created');
    const posts = calls.filter((c) => c.method === 'POST' && c.path === '/api/alerts');
    expect(posts.map((c) => (c.body as { confirmImmediate?: boolean }).confirmImmediate)).toEqual([undefined, true]);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('deletes an alert only after the confirmation', async () => {
    const { calls } = renderRoutes([{ path: '/', element: <AlertsPage /> }], '/', (method, path) => {
      if (method === 'GET' && path === '/api/alerts') return { status: 200, body: { items: [ALERT] } };
      if (method === 'DELETE') return { status: 204 };
      return undefined;
    });
    await userEvent.click(await screen.findByRole('button', { name: 'Delete ETH alert' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete this alert?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    await userEvent.click(screen.getByRole('button', { name: 'Delete ETH alert' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Delete alert' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual([`/api/alerts/${ALERT.id}`]);
  });

  it('turning an alert on where the price already is asks first, then sends confirmImmediate', async () => {
    const off = { ...ALERT, active: false, targetPrice: '100' };
    const { calls } = renderRoutes([{ path: '/', element: <AlertsPage /> }], '/', (method, path, body) => {
      if (method === 'GET' && path === '/api/alerts') return { status: 200, body: { items: [off] } };
      if (method === 'PATCH')
        return (body as { confirmImmediate?: boolean }).confirmImmediate
          ? { status: 200, body: { ...off, active: true } }
          : { status: 422, body: { error: { code: 'TRIGGER_WOULD_FIRE_NOW', message: WOULD_FIRE.replace('create it', 'turn it on'), requestId: 'r' } } };
      return undefined;
    });
    await userEvent.click(await screen.findByRole('button', { name: 'Off' }));
    const dialog = await screen.findByRole('dialog', { name: 'This alert would fire at once' });
    expect(within(dialog).getByText(/Confirm to turn it on anyway/)).toBeTruthy();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Turn on anyway' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(calls.filter((c) => c.method === 'PATCH').map((c) => c.body)).toEqual([{ active: true }, { active: true, confirmImmediate: true }]);
  });
});
