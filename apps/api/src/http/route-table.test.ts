import { apiRoutes, type Order } from '@cryptovault/contract';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { endpoint } from './route-table.ts';

/**
 * endpoint(): a route of the contract's table registers with the table's method, path and schemas, and its handler
 * must answer the table's response type (`npm run typecheck` checks the @ts-expect-error line below).
 */
describe('endpoint (the contract route table in Fastify)', () => {
  it('registers the method and path of the table and validates with its schemas', async () => {
    const app = Fastify().withTypeProvider<ZodTypeProvider>();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    const order = { id: '00000000-0000-4000-8000-000000000001' } as Order;
    app.route({
      ...endpoint(apiRoutes.alerts.update, { tags: ['t'] }),
      handler: async (request) => ({ ...fakeAlert, id: request.params.id, active: request.body.active ?? true }),
    });
    app.route({
      ...endpoint(apiRoutes.orders.get, { tags: ['t'] }),
      // @ts-expect-error the handler must answer the route's response type (an Order), not something else
      handler: async () => ({ items: [order] }),
    });
    const ok = await app.inject({ method: 'PATCH', url: `/api/alerts/${fakeAlert.id}`, payload: { active: false } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ id: fakeAlert.id, active: false });
    expect((await app.inject({ method: 'PATCH', url: '/api/alerts/not-a-uuid', payload: {} })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: `/api/alerts/${fakeAlert.id}`, payload: {} })).statusCode).toBe(404);
    await app.close();
  });
});

const fakeAlert = {
  id: '00000000-0000-4000-8000-00000000000a',
  assetId: 'bitcoin',
  symbol: 'BTC',
  condition: 'above' as const,
  targetPrice: '1',
  channels: ['in_app' as const],
  repeat: false,
  cooldownSeconds: 0,
  active: true,
  triggerCount: 0,
  lastTriggeredAt: null,
  lastTriggeredPrice: null,
  createdAt: '2026-01-01T00:00:00.000Z',
};
