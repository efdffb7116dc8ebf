// @vitest-environment happy-dom
import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { renderRoutes } from '../test/render.tsx';
import { useAuth } from '../shared/auth.ts';

afterEach(cleanup);

const user = { id: 'u1', email: 'ann@example.com', name: 'Ann', role: 'user', emailVerified: true, twoFactorEnabled: false, createdAt: '2026-01-01T00:00:00Z' };

function Who() {
  const { user: u, loading } = useAuth();
  return <p>{loading ? 'loading' : u ? `signed in as ${u.name}` : 'anonymous'}</p>;
}

describe('the first load of the app', () => {
  it('for an anonymous visitor asks /api/auth/session once and gets 200: no failing request (no /me 401, no /refresh 401)', async () => {
    const answers: number[] = [];
    const { calls } = renderRoutes([{ path: '/', element: <Who /> }], '/', (_m, path) => {
      if (path === '/api/auth/session') {
        answers.push(200);
        return { status: 200, body: { authenticated: false, user: null, canRefresh: false } };
      }
      return undefined;
    });
    expect(await screen.findByText('anonymous')).toBeTruthy();
    expect(calls.map((c) => c.path)).toEqual(['/api/auth/session']);
    expect(answers).toEqual([200]);
  });

  it('for a signed-in visitor whose access token expired: refreshes once, then knows the user', async () => {
    let refreshed = false;
    const { calls } = renderRoutes([{ path: '/', element: <Who /> }], '/', (method, path) => {
      if (path === '/api/auth/session')
        return { status: 200, body: refreshed ? { authenticated: true, user, canRefresh: false } : { authenticated: false, user: null, canRefresh: true } };
      if (method === 'POST' && path === '/api/auth/refresh') {
        refreshed = true;
        return { status: 200, body: { user } };
      }
      return undefined;
    });
    expect(await screen.findByText('signed in as Ann')).toBeTruthy();
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /api/auth/session', 'POST /api/auth/refresh', 'GET /api/auth/session']);
  });
});
