import type { ApiKeyScope } from './apikeys.ts';
import { apiRoutes, type RouteDef } from './routes.ts';

/**
 * THE allow-list of API keys, the one place it is declared: what a key with each scope may call. Everything else is
 * refused to a key (403 SCOPE_NOT_ALLOWED), whatever the route: default deny. No entry may move funds out
 * (withdrawals, transfers), touch the address book, security or account settings, manage API keys or act as an
 * operator; apps/api/src/modules/apikeys/apikeys.scopes.test.ts sends a signed request with every scope to every
 * route of the route table and checks exactly these get through.
 */
export const API_KEY_SCOPE_ROUTES = {
  read: [
    apiRoutes.wallet.balances,
    apiRoutes.portfolio.get,
    apiRoutes.portfolio.history,
    apiRoutes.orders.list,
    apiRoutes.orders.get,
    apiRoutes.transactions.list,
    apiRoutes.transactions.export,
    apiRoutes.markets.assets,
    apiRoutes.markets.tradingPairs,
    apiRoutes.markets.asset,
    apiRoutes.markets.history,
    apiRoutes.markets.candles,
  ],
  trade: [apiRoutes.orders.place, apiRoutes.orders.cancel, apiRoutes.orders.amend, apiRoutes.orders.quote],
} as const satisfies Record<ApiKeyScope, readonly RouteDef[]>;

/** What each scope is, in words for a person (the API keys form shows them). */
export const API_KEY_SCOPE_DESCRIPTIONS: Record<ApiKeyScope, string> = {
  read: 'See balances, portfolio, orders and transactions',
  trade: 'Place, change and cancel orders',
};

/** The scopes (of those given) that allow `method` on the route pattern `path` (Fastify syntax, `/api/orders/:id`). */
export function scopesAllowing(scopes: readonly ApiKeyScope[], method: string, path: string): ApiKeyScope[] {
  // HEAD is answered by the GET route.
  const m = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  return scopes.filter((s) => API_KEY_SCOPE_ROUTES[s].some((r: RouteDef) => r.method === m && r.path === path));
}
