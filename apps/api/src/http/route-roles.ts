import { apiRoutes, type RouteDef, type RouteRole, routeRoles } from '@cryptovault/contract';
import type { FastifyRequest, RouteOptions } from 'fastify';
import { requireRole } from '../platform/principal.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The operator role(s) that may call a route outside the contract's table (a route of the table declares it on
     * its entry instead). Enforced by installRouteRoles like the table's.
     */
    role?: RouteRole;
  }
}

/** Paths that are operator routes: each must declare a role, or the app refuses to start. */
export const OPERATOR_PATH = /^\/api\/admin(\/|$)/;

/** `METHOD path` → the route entry, for every route of the contract's table. */
function tableIndex(): Map<string, RouteDef> {
  const index = new Map<string, RouteDef>();
  for (const group of Object.values(apiRoutes) as Record<string, RouteDef>[]) {
    for (const route of Object.values(group)) index.set(`${route.method} ${route.path}`, route);
  }
  return index;
}

/** The role a route being registered declares: its entry in the contract's table, else `config.role`. */
export function declaredRole(index: Map<string, RouteDef>, method: string, url: string, config: { role?: RouteRole } | undefined): RouteRole | undefined {
  // Fastify registers a HEAD twin of each GET: it is guarded as the GET is.
  const m = method === 'HEAD' ? 'GET' : method;
  return index.get(`${m} ${url}`)?.role ?? config?.role;
}

/**
 * The one place operator roles are enforced (issue 21). Installed as an onRoute hook before the modules register:
 * every route that declares a role (on its entry of the contract's route table, packages/contract/src/routes.ts,
 * or in `config.role` for a route outside the table) gets a preValidation check, requireRole, which runs after the
 * app's own preValidation hook has resolved the caller, and before the body is validated: a caller without the role
 * learns nothing about the route's input. A route under /api/admin that declares no role stops the app at start
 * ("declares no operator role"), so a new operator route cannot forget it.
 */
export function routeRoleHook(): (route: RouteOptions) => void {
  const index = tableIndex();
  return (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const roles = new Set<string>();
    let role: RouteRole | undefined;
    for (const method of methods) {
      const r = declaredRole(index, method, route.url, route.config as { role?: RouteRole } | undefined);
      if (r !== undefined) {
        role = r;
        roles.add(routeRoles({ role: r }).join(','));
      } else if (OPERATOR_PATH.test(route.url)) {
        throw new Error(`operator route ${method} ${route.url} declares no operator role (a role on its route table entry, or config.role)`);
      }
    }
    if (role === undefined) return;
    if (roles.size > 1) throw new Error(`route ${route.url} is registered for several methods with different roles; register them one by one`);
    const required = role;
    const guard = async (request: FastifyRequest): Promise<void> => {
      requireRole(request, required);
    };
    const existing = route.preValidation;
    route.preValidation = existing === undefined ? [guard] : [guard, ...(Array.isArray(existing) ? existing : [existing])];
  };
}
