import {
  acceptedResponse,
  addressBookOnlyRequest,
  addressBookOnlyState,
  adminActionResult,
  antiPhishingRequest,
  antiPhishingState,
  createWithdrawalAddressRequest,
  emailedTokenRequest,
  errorBodySchema,
  freezeState,
  okResponse,
  reasonRequest,
  unfreezeRequest,
  withdrawalAddress,
  withdrawalAddressBook,
} from '@cryptovault/contract';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireAdmin, requireStepUp, requireUser } from '../../platform/principal.ts';
import { type AuthDeps, requestContext } from '../auth/index.ts';
import { addAddress, confirmAddress, getAddressBook, removeAddress, setAddressBookOnly } from './address-book.service.ts';
import { getAntiPhishing, setAntiPhishing } from './anti-phishing.service.ts';
import { freezeWithToken, operatorFreeze, operatorUnfreeze, requestUnfreeze, unfreezeWithToken } from './freeze.service.ts';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 422: errorBodySchema, 429: errorBodySchema };
const signedIn = { security: [{ cookieAuth: [] as string[] }, { bearerAuth: [] as string[] }] as Record<string, string[]>[] };
/** Routes whose credential is an emailed token in the body: anonymous callers reach them, no session CSRF. */
const tokenRoute = { csrf: false };
const idParams = z.object({ id: z.uuid() });

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
  app.get(
    '/api/wallet/withdrawal-addresses',
    { schema: { tags: book, ...signedIn, summary: 'The withdrawal address book and the "address book only" state', response: { 200: withdrawalAddressBook, ...errors } } },
    async (request) => getAddressBook(platform, requireUser(request).userId),
  );
  app.post(
    '/api/wallet/withdrawal-addresses',
    {
      schema: {
        tags: book,
        ...signedIn,
        summary: 'Add an address (needs a recent step-up); usable once the emailed link is confirmed and WITHDRAWAL_ADDRESS_COOLING_OFF_HOURS have passed',
        body: createWithdrawalAddressRequest,
        response: { 201: withdrawalAddress, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await addAddress(platform, stepUp(request), request.body, requestContext(request))),
  );
  app.post(
    '/api/wallet/withdrawal-addresses/confirm',
    {
      schema: { tags: book, summary: 'Confirm a new address with the emailed link (no session needed; single use)', body: emailedTokenRequest, response: { 200: withdrawalAddress, ...errors } },
      config: tokenRoute,
    },
    async (request) => confirmAddress(platform, request.body.token, requestContext(request)),
  );
  app.delete(
    '/api/wallet/withdrawal-addresses/:id',
    { schema: { tags: book, ...signedIn, summary: 'Remove an address (needs a recent step-up); another user\'s entry is a 404', params: idParams, response: { 200: okResponse, ...errors } } },
    async (request) => {
      await removeAddress(platform, stepUp(request), request.params.id, requestContext(request));
      return { ok: true as const };
    },
  );
  app.put(
    '/api/wallet/withdrawal-addresses/address-book-only',
    {
      schema: {
        tags: book,
        ...signedIn,
        summary: '"Address book only" on (at once) or off (takes effect after the cooling-off period); needs a recent step-up',
        body: addressBookOnlyRequest,
        response: { 200: addressBookOnlyState, ...errors },
      },
    },
    async (request) => setAddressBookOnly(platform, stepUp(request), request.body.enabled, requestContext(request)),
  );

  const sec = ['security'];
  app.post(
    '/api/security/freeze',
    {
      schema: {
        tags: sec,
        summary: '"This wasn\'t me": freeze the account with the one-time link from a security email (no session needed)',
        description: 'Revokes every session (sockets included), cancels withdrawals pending review, and refuses withdrawals, transfers and step-up actions with 403 ACCOUNT_FROZEN until lifted.',
        body: emailedTokenRequest,
        response: { 200: freezeState, ...errors },
      },
      config: tokenRoute,
    },
    async (request) => freezeWithToken(platform, request.body.token, requestContext(request)),
  );
  app.post(
    '/api/security/unfreeze/request',
    { schema: { tags: sec, ...signedIn, summary: 'Email the owner of this frozen account an unfreeze link', response: { 202: acceptedResponse, ...errors } } },
    async (request, reply) => {
      await requestUnfreeze(platform, requireUser(request), requestContext(request));
      return reply.code(202).send({ status: 'accepted' as const, message: 'An unfreeze link is on its way to your email address.' });
    },
  );
  app.post(
    '/api/security/unfreeze',
    {
      schema: { tags: sec, summary: 'Lift a freeze: the emailed unfreeze link, the password and the second factor when enrolled', body: unfreezeRequest, response: { 200: freezeState, ...errors } },
      config: tokenRoute,
    },
    async (request) => unfreezeWithToken(d, request.body, requestContext(request)),
  );
  app.get(
    '/api/security/anti-phishing',
    { schema: { tags: sec, ...signedIn, summary: 'The anti-phishing code shown at the top of every email (null: none)', response: { 200: antiPhishingState, ...errors } } },
    async (request) => getAntiPhishing(platform, requireUser(request).userId),
  );
  app.put(
    '/api/security/anti-phishing',
    { schema: { tags: sec, ...signedIn, summary: 'Set or clear (null) the anti-phishing code; needs a recent step-up', body: antiPhishingRequest, response: { 200: antiPhishingState, ...errors } } },
    async (request) => setAntiPhishing(platform, stepUp(request), request.body.code, requestContext(request)),
  );

  const admin = (request: FastifyRequest) => ({ adminId: requireAdmin(request).userId, requestId: String(request.id) });
  app.post(
    '/api/admin/users/:id/freeze',
    { schema: { tags: ['admin'], summary: 'Freeze an account (as the owner\'s link does): sessions revoked, money cannot leave; audited', params: idParams, body: reasonRequest, response: { 200: adminActionResult, ...errors } } },
    async (request) => operatorFreeze(platform, admin(request), request.params.id, request.body.reason),
  );
  app.post(
    '/api/admin/users/:id/unfreeze',
    { schema: { tags: ['admin'], summary: 'Lift a freeze with a reason (audited, the owner is emailed)', params: idParams, body: reasonRequest, response: { 200: adminActionResult, ...errors } } },
    async (request) => operatorUnfreeze(platform, admin(request), request.params.id, request.body.reason),
  );
}
