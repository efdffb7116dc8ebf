import { apiRoutes, type RouteDef } from '@cryptovault/contract';
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { AppError } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import type { LegalService } from './legal.service.ts';

/**
 * Which routes the country restriction and the terms gate apply to (docs/operations.md#geo-restrictions and
 * #legal-documents-and-consent). The rule: a blocked country, or terms not accepted, stops NEW exposure — opening an
 * account, putting money in, buying, moving value to someone else — never the way out: signing in, reading,
 * selling, cancelling orders and withdrawing stay open, so existing holders can always close and leave.
 *
 * `geo`: refuse with 451 COUNTRY_BLOCKED when the caller's country is blocked (a function: only for some bodies).
 * `terms`: refuse a signed-in caller with 403 TERMS_NOT_ACCEPTED until they accepted the terms in force.
 */
interface Rule {
  geo: boolean | ((body: unknown) => boolean);
  terms: boolean;
}

const isBuy = (body: unknown) => (body as { side?: unknown } | undefined)?.side === 'buy';

const RULES: [RouteDef, Rule][] = [
  [apiRoutes.auth.signup, { geo: true, terms: false }], // the terms are checked by sign-up itself (the body names the version)
  [apiRoutes.wallet.createDeposit, { geo: true, terms: true }],
  [apiRoutes.orders.place, { geo: isBuy, terms: true }],
  [apiRoutes.orders.quote, { geo: isBuy, terms: true }],
  [apiRoutes.orders.amend, { geo: true, terms: true }],
  [apiRoutes.wallet.createTransfer, { geo: true, terms: true }],
  // A recurring buy is a standing order to buy: setting one up, changing or resuming it is new exposure.
  [apiRoutes.recurringBuys.create, { geo: true, terms: true }],
  [apiRoutes.recurringBuys.update, { geo: true, terms: true }],
  [apiRoutes.recurringBuys.resume, { geo: true, terms: true }],
];

const byRoute = new Map(RULES.map(([r, rule]) => [`${r.method} ${r.path}`, rule]));

/** The routes a rule covers, for the docs test: `POST /api/orders` … */
export const GATED_ROUTES: readonly string[] = [...byRoute.keys()];

export const countryBlocked = () =>
  new AppError(
    'COUNTRY_BLOCKED',
    'CryptoVault is not available in your country: you cannot open an account, deposit, buy or transfer from here. If you already hold funds you can still sign in, sell, cancel orders and withdraw.',
  );

/** A root preHandler (modules/index.ts): runs after validation and sign-in, before the route's handler. */
export function legalGate(platform: Pick<Platform, 'clientCountry'>, legal: LegalService): preHandlerAsyncHookHandler {
  return async (request: FastifyRequest) => {
    const url = request.routeOptions.url;
    if (!url) return;
    const rule = byRoute.get(`${request.method} ${url}`);
    if (!rule) return;
    const geo = typeof rule.geo === 'function' ? rule.geo(request.body) : rule.geo;
    if (geo && legal.isBlocked(platform.clientCountry(request.raw))) throw countryBlocked();
    if (rule.terms && request.principal) await legal.assertTermsAccepted(request.principal.userId);
  };
}
