import { apiRoutes, errorBodySchema } from '@cryptovault/contract';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireAdmin, requireStepUp, requireUser } from '../../platform/principal.ts';
import { type AuthDeps, requestContext } from '../auth/index.ts';
import { addAddress, confirmAddress, getAddressBook, removeAddress, setAddressBookOnly } from './address-book.service.ts';
import { getAntiPhishing, setAntiPhishing } from './anti-phishing.service.ts';
import { freezeWithToken, operatorFreeze, operatorUnfreeze, requestUnfreeze, unfreezeWithToken } from './freeze.service.ts';
import { endpoint } from '../../http/route-table.ts';

const errors = {
  400: errorBodySchema,
  401: errorBodySchema,
  403: errorBodySchema,
  404: errorBodySchema,
  409: errorBodySchema,
  422: errorBodySchema,
  429: errorBodySchema,
};
const signedIn = { security: [{ cookieAuth: [] as string[] }, { bearerAuth: [] as string[] }] as Record<string, string[]>[] };
/** Routes whose credential is an emailed token in the body: anonymous callers reach them, no session CSRF. */
const tokenRoute = { csrf: false };

/**
 * Account security (issue 16): the withdrawal address book and "address book only", the "this wasn't me" freeze
 * and its lifting, the anti-phishing code. (The mail personalizer that puts the code and the freeze link into every
 * email is installed by the composition root, compose.ts.)
 */
export async function registerSecurity(root: FastifyInstance, d: AuthDeps): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { platform } = d;
  const ttl = platform.config.auth.stepUpTtlSeconds;
  const stepUp = (request: FastifyRequest) => requireStepUp(request, ttl);

  const book = ['wallet'];
  app.route({
    ...endpoint(
      apiRoutes.security.addressBook,
      { tags: book, ...signedIn, summary: 'The withdrawal address book and the "address book only" state' },
      { ...errors },
    ),
    handler: async (request) => getAddressBook(platform, requireUser(request).userId),
  });
  app.route({
    ...endpoint(
      apiRoutes.security.addAddress,
      {
        tags: book,
        ...signedIn,
        summary: 'Add an address (needs a recent step-up); usable once the emailed link is confirmed and WITHDRAWAL_ADDRESS_COOLING_OFF_HOURS have passed',
      },
      { ...errors },
    ),
    handler: async (request, reply) => reply.code(201).send(await addAddress(platform, stepUp(request), request.body, requestContext(request))),
  });
  app.route({
    ...endpoint(
      apiRoutes.security.confirmAddress,
      { tags: book, summary: 'Confirm a new address with the emailed link (no session needed; single use)' },
      { ...errors },
    ),
    config: tokenRoute,
    handler: async (request) => confirmAddress(platform, request.body.token, requestContext(request)),
  });
  app.route({
    ...endpoint(
      apiRoutes.security.removeAddress,
      { tags: book, ...signedIn, summary: "Remove an address (needs a recent step-up); another user's entry is a 404" },
      { ...errors },
    ),
    handler: async (request) => {
      await removeAddress(platform, stepUp(request), request.params.id, requestContext(request));
      return { ok: true as const };
    },
  });
  app.route({
    ...endpoint(
      apiRoutes.security.setAddressBookOnly,
      { tags: book, ...signedIn, summary: '"Address book only" on (at once) or off (takes effect after the cooling-off period); needs a recent step-up' },
      { ...errors },
    ),
    handler: async (request) => setAddressBookOnly(platform, stepUp(request), request.body.enabled, requestContext(request)),
  });

  const sec = ['security'];
  app.route({
    ...endpoint(
      apiRoutes.security.freeze,
      {
        tags: sec,
        summary: '"This wasn\'t me": freeze the account with the one-time link from a security email (no session needed)',
        description:
          'Revokes every session (sockets included), cancels withdrawals pending review, and refuses withdrawals, transfers and step-up actions with 403 ACCOUNT_FROZEN until lifted.',
      },
      { ...errors },
    ),
    config: tokenRoute,
    handler: async (request) => freezeWithToken(platform, request.body.token, requestContext(request)),
  });
  app.route({
    ...endpoint(
      apiRoutes.security.requestUnfreeze,
      { tags: sec, ...signedIn, summary: 'Email the owner of this frozen account an unfreeze link' },
      { ...errors },
    ),
    handler: async (request, reply) => {
      await requestUnfreeze(platform, requireUser(request), requestContext(request));
      return reply.code(202).send({ status: 'accepted' as const, message: 'An unfreeze link is on its way to your email address.' });
    },
  });
  app.route({
    ...endpoint(
      apiRoutes.security.unfreeze,
      { tags: sec, summary: 'Lift a freeze: the emailed unfreeze link, the password and the second factor when enrolled' },
      { ...errors },
    ),
    config: tokenRoute,
    handler: async (request) => unfreezeWithToken(d, request.body, requestContext(request)),
  });
  app.route({
    ...endpoint(
      apiRoutes.security.antiPhishing,
      { tags: sec, ...signedIn, summary: 'The anti-phishing code shown at the top of every email (null: none)' },
      { ...errors },
    ),
    handler: async (request) => getAntiPhishing(platform, requireUser(request).userId),
  });
  app.route({
    ...endpoint(
      apiRoutes.security.setAntiPhishing,
      { tags: sec, ...signedIn, summary: 'Set or clear (null) the anti-phishing code; needs a recent step-up' },
      { ...errors },
    ),
    handler: async (request) => setAntiPhishing(platform, stepUp(request), request.body.code, requestContext(request)),
  });

  const admin = (request: FastifyRequest) => ({ adminId: requireAdmin(request).userId, requestId: String(request.id) });
  app.route({
    ...endpoint(
      apiRoutes.admin.freezeUser,
      { tags: ['admin'], summary: "Freeze an account (as the owner's link does): sessions revoked, money cannot leave; audited" },
      { ...errors },
    ),
    handler: async (request) => operatorFreeze(platform, admin(request), request.params.id, request.body.reason),
  });
  app.route({
    ...endpoint(apiRoutes.admin.unfreezeUser, { tags: ['admin'], summary: 'Lift a freeze with a reason (audited, the owner is emailed)' }, { ...errors }),
    handler: async (request) => operatorUnfreeze(platform, admin(request), request.params.id, request.body.reason),
  });
}
