import { z } from 'zod';
import { decimalProblem, isoDateTime, pageOf, paginationQuery } from './common.ts';

/**
 * Operator roles (issue 21). An operator (a user whose `role` is 'admin') holds one or more of them:
 * - support: reads users, forces a logout, posts announcements;
 * - compliance: KYC, freeze/unfreeze, suspend/unsuspend, the audit log;
 * - finance: deposits under review, withdrawals, balance adjustments, reconciliation, proof of reserves;
 * - superadmin: grants and revokes roles, and may call every operator route.
 * Every operator route declares the roles that may call it (`role` on its entry of the route table, routes.ts);
 * the API enforces it in one place and the web hides what the operator's roles cannot do (`mayCall`).
 */
export const OPERATOR_ROLES = ['support', 'compliance', 'finance', 'superadmin'] as const;
export const operatorRole = z.enum(OPERATOR_ROLES);
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

/** What a route entry declares: one role or any of several. A superadmin passes every such route. */
export type RouteRole = OperatorRole | readonly OperatorRole[];

/** Every operator role except superadmin: for read-only pages every operator needs (user search, stats). */
export const ANY_OPERATOR = ['support', 'compliance', 'finance'] as const satisfies readonly OperatorRole[];

/** The roles that may call a route declaring `role` (superadmin always among them); [] when it declares none. */
export function routeRoles(route: { readonly role?: RouteRole }): OperatorRole[] {
  if (route.role === undefined) return [];
  const declared: readonly OperatorRole[] = typeof route.role === 'string' ? [route.role] : route.role;
  return declared.includes('superadmin') ? [...declared] : [...declared, 'superadmin'];
}

/** Whether an operator holding `held` may call `route` (a route without a role: whether `held` is not empty). */
export function mayCall(held: readonly OperatorRole[] | null | undefined, route: { readonly role?: RouteRole }): boolean {
  if (!held || held.length === 0) return false;
  const allowed = routeRoles(route);
  return allowed.length === 0 || held.some((r) => allowed.includes(r));
}

/** Display names for the console. */
export const OPERATOR_ROLE_LABELS: Record<OperatorRole, string> = {
  support: 'Support',
  compliance: 'Compliance',
  finance: 'Finance',
  superadmin: 'Superadmin',
};

// ---- Role management (superadmin) ----

/** An account as the roles page lists it: operators first, or any account found by the search. */
export const operatorAccount = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  roles: z.array(operatorRole),
  twoFactorEnabled: z.boolean(),
  suspended: z.boolean(),
  frozen: z.boolean(),
});
export type OperatorAccount = z.infer<typeof operatorAccount>;
export const operatorList = z.object({ items: z.array(operatorAccount) });
/** `q` empty: the current operators; otherwise accounts whose email, name or id matches. */
export const operatorQuery = z.object({ q: z.string().trim().max(254).optional() });
/** The complete set of roles the account should hold afterwards ([] makes it an ordinary user again). */
export const setOperatorRolesRequest = z.object({
  roles: z.array(operatorRole).max(OPERATOR_ROLES.length),
  reason: z.string().trim().min(3).max(500),
});

// ---- Maker-checker balance adjustments (finance) ----

/** A signed decimal: "-12.5" or "12.5", never zero; the same digit limits as every amount. */
export const signedDecimalString = z
  .string()
  .max(61)
  .superRefine((v, ctx) => {
    const unsigned = v.startsWith('-') ? v.slice(1) : v;
    const problem = decimalProblem(unsigned);
    if (problem) ctx.addIssue({ code: 'custom', message: problem.replace('no sign, ', 'a leading "-" for a debit, ') });
    else if (!/[1-9]/.test(unsigned)) ctx.addIssue({ code: 'custom', message: 'must not be zero' });
  });

export const adjustmentStatus = z.enum(['pending', 'posted', 'rejected']);
export type AdjustmentStatus = z.infer<typeof adjustmentStatus>;

export const proposeAdjustmentRequest = z.object({
  userId: z.uuid(),
  asset: z.string().trim().min(1).max(20),
  /** Positive credits the user, negative debits (never below the user's available balance). */
  amount: signedDecimalString,
  reason: z.string().trim().min(3).max(500),
  /** Evidence: a ticket, a transaction hash, a statement reference… */
  evidence: z.string().trim().min(3).max(2000),
});

export const adjustment = z.object({
  id: z.string(),
  userId: z.string(),
  userEmail: z.string(),
  userName: z.string(),
  asset: z.string(),
  amount: z.string(),
  reason: z.string(),
  evidence: z.string(),
  status: adjustmentStatus,
  proposedBy: z.string(),
  proposedByEmail: z.string().nullable(),
  proposedAt: isoDateTime,
  decidedBy: z.string().nullable(),
  decidedByEmail: z.string().nullable(),
  decidedAt: isoDateTime.nullable(),
  rejectReason: z.string().nullable(),
  /** The ledger entry it posted (status posted). */
  entryId: z.string().nullable(),
  /** The user's available balance of the asset now (context for the checker). */
  userAvailable: z.string(),
});
export type Adjustment = z.infer<typeof adjustment>;
export const adjustmentList = pageOf(adjustment);
export const adjustmentQuery = paginationQuery.extend({ status: z.enum(['pending', 'posted', 'rejected', 'any']).default('pending') });
export const rejectAdjustmentRequest = z.object({ reason: z.string().trim().min(3).max(500) });
