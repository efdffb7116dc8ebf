import { apiRoutes, OPERATOR_ROLES, type RouteDef, routeRoles } from '@cryptovault/contract';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { OPERATOR_PATH, routeRoleHook } from './route-roles.ts';

const entries = Object.entries(apiRoutes).flatMap(([group, routes]) =>
  Object.entries(routes as Record<string, RouteDef>).map(([name, route]) => ({ name: `${group}.${name}`, route })),
);

describe('operator route roles (issue 21)', () => {
  it('every /api/admin route of the contract declares known roles', () => {
    const admin = entries.filter((e) => OPERATOR_PATH.test(e.route.path));
    expect(admin.length).toBeGreaterThan(15);
    const missing = admin.filter((e) => routeRoles(e.route).length === 0).map((e) => e.name);
    expect(missing, 'routes without a role').toEqual([]);
    for (const e of admin) for (const r of routeRoles(e.route)) expect(OPERATOR_ROLES).toContain(r);
  });

  it('an /api/admin route without a role stops the app from starting; one with config.role starts', async () => {
    const bad = Fastify();
    bad.addHook('onRoute', routeRoleHook());
    // Registration itself throws, so the module's registration (and the app's start) fails.
    expect(() => bad.get('/api/admin/forgotten', async () => ({ ok: true }))).toThrow(/declares no operator role/);
    await bad.close();

    const good = Fastify();
    good.addHook('onRoute', routeRoleHook());
    good.get('/api/admin/declared', { config: { role: 'finance' } }, async () => ({ ok: true }));
    await good.ready();
    // No principal at all: the guard answers before the handler (the app's error handler maps AppError to 401).
    expect((await good.inject({ url: '/api/admin/declared' })).statusCode).not.toBe(200);
    await good.close();
  });
});
