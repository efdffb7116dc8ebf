import type { RouteDef, RouteSchemas } from '@cryptovault/contract';
import type { z } from 'zod';

/** What a registration adds to a route of the contract's table for the OpenAPI document. */
export interface RouteDoc {
  tags: string[];
  summary?: string;
  description?: string;
  security?: Record<string, string[]>[];
  hide?: boolean;
}

type ErrorAnswers = { readonly [status: number]: z.ZodType };

/**
 * The method, URL and schemas of one route of the contract's table (packages/contract/src/routes.ts), to spread into
 * `app.route({ ...endpoint(routes.orders.get, { tags, summary }), handler })`: the path, the validation and the
 * handler's reply type all come from the table, so the API cannot drift from what the web calls. `errors` adds the
 * error answers this route documents (status → the common error body).
 */
export function endpoint<R extends RouteDef, const E extends ErrorAnswers = Record<never, never>>(
  route: R,
  doc: RouteDoc,
  errors?: E,
): { method: R['method']; url: R['path']; schema: RouteDoc & RouteSchemas<R> & { response: R['response'] & E } } {
  const schema: Record<string, unknown> = { ...doc };
  const response = { ...route.response, ...errors };
  if (Object.keys(response).length > 0) schema.response = response;
  if (route.params) schema.params = route.params;
  if (route.query) schema.querystring = route.query;
  if (route.body) schema.body = route.body;
  // The keys the route has no schema for are left out at run time; their types are `undefined` (nothing to validate).
  return { method: route.method, url: route.path, schema: schema as unknown as RouteDoc & RouteSchemas<R> & { response: R['response'] & E } };
}
