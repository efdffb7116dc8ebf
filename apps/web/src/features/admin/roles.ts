import { mayCall, type OperatorRole, type RouteRole } from '@cryptovault/contract';
import { useAuth } from '../../shared/auth.ts';

/** The signed-in operator's roles (issue 21), from /api/auth/me. */
export function useOperatorRoles(): readonly OperatorRole[] {
  return useAuth().user?.operatorRoles ?? [];
}

/**
 * `may(apiRoutes.admin.freezeUser)`: whether the operator's roles allow that route of the contract's table, so the
 * console shows only what the API would accept (the API enforces it regardless).
 */
export function useMayCall(): (route: { readonly role?: RouteRole }) => boolean {
  const roles = useOperatorRoles();
  return (route) => mayCall(roles, route);
}
