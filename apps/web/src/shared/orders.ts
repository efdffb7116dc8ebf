import { apiRoutes, type Order, type RouteBody } from '@cryptovault/contract';
import { type UseMutationOptions, useMutation } from '@tanstack/react-query';
import { newIdempotencyKey } from '../lib/forms.ts';
import { useApi } from './services.ts';

/** Places an order (a fresh Idempotency-Key per attempt, so a retried POST is not placed twice). */
export function usePlaceOrder(o: Pick<UseMutationOptions<Order, Error, RouteBody<typeof apiRoutes.orders.place>>, 'onSuccess' | 'onError'> = {}) {
  const api = useApi();
  return useMutation({ mutationFn: (body) => api.call(apiRoutes.orders.place, { body, idempotencyKey: newIdempotencyKey() }), ...o });
}
