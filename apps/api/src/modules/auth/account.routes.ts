import {
  acceptedResponse,
  backupCodesResponse,
  backupCodesStatus,
  changePasswordRequest,
  emailOnlyRequest,
  errorBodySchema,
  okResponse,
  passkeyList,
  passkeyOptionsResponse,
  passkeyRegisterRequest,
  passkeyRegisterResponse,
  resetPasswordRequest,
  securityEventList,
  sessionList,
  sessionState,
  socketTokenResponse,
  stepUpRequest,
  stepUpResponse,
  twoFactorEnableRequest,
  twoFactorEnableResponse,
  twoFactorSetupResponse,
  updateProfileRequest,
  userProfile,
} from '@cryptovault/contract';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireStepUp, requireUser } from '../../platform/principal.ts';
import { changePassword, FORGOT_ACCEPTED, forgotPassword, getProfile, resetPassword, updateProfile } from './account.service.ts';
import { type AuthDeps, requestContext } from './auth.context.ts';
import { LIMITS } from './limits.ts';
import { clearAuthCookies, REFRESH_COOKIE } from './cookies.ts';
import { AppError } from '../../platform/errors.ts';
import { authenticationOptions, backupCodesStatus as getBackupCodesStatus, listPasskeys, registerPasskey, registrationOptions, regenerateBackupCodes, removePasskey } from './passkeys.service.ts';
import { issueSocketToken, listSecurityEvents, listSessions, logoutAll, logoutOthers, revokeOwnSession } from './sessions.service.ts';
import { disableTwoFactor, enableTwoFactor, setupTwoFactor, stepUp } from './twofactor.service.ts';

const tags = ['auth'];
const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 429: errorBodySchema };
const signedIn = { security: [{ cookieAuth: [] as string[] }, { bearerAuth: [] as string[] }] as Record<string, string[]>[] };
const ok = { ok: true as const };

/** Routes of a signed-in user (cookie requests need X-CSRF-Token, enforced in app.ts), plus forgot/reset. */
export function registerAccountRoutes(root: FastifyInstance, d: AuthDeps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { config } = d.platform;
  const stepUpTtl = config.auth.stepUpTtlSeconds;

  app.post(
    '/api/auth/logout-all',
    { schema: { tags, ...signedIn, summary: 'End every session of this account', response: { 200: okResponse, ...errors } } },
    async (request, reply) => {
      await logoutAll(d, requireUser(request));
      clearAuthCookies(reply, config);
      return ok;
    },
  );

  app.get(
    '/api/auth/session',
    {
      schema: {
        tags,
        summary: 'Who is signed in: 200 for everyone (anonymous: authenticated false), for a page\'s first load',
        response: { 200: sessionState, 400: errorBodySchema, 429: errorBodySchema },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const p = request.principal;
      if (p) return { authenticated: true, user: await getProfile(d, p), canRefresh: false };
      return { authenticated: false, user: null, canRefresh: Boolean(request.cookies[REFRESH_COOKIE]) };
    },
  );
  app.get('/api/auth/me', { schema: { tags, ...signedIn, summary: 'Profile', response: { 200: userProfile, ...errors } } }, async (request) =>
    getProfile(d, requireUser(request)),
  );
  app.patch(
    '/api/auth/me',
    { schema: { tags, ...signedIn, summary: 'Update the profile', body: updateProfileRequest, response: { 200: userProfile, ...errors } } },
    async (request) => updateProfile(d, requireUser(request), request.body),
  );

  app.post(
    '/api/auth/change-password',
    {
      schema: {
        tags,
        ...signedIn,
        summary: 'Change the password; ends every other session (needs a recent step-up)',
        body: changePasswordRequest,
        response: { 200: okResponse, ...errors },
      },
    },
    async (request) => {
      await changePassword(d, requireStepUp(request, stepUpTtl), request.body, requestContext(request));
      return ok;
    },
  );

  app.post(
    '/api/auth/forgot-password',
    { schema: { tags, summary: 'Email a password reset link', body: emailOnlyRequest, response: { 202: acceptedResponse, ...errors } }, config: { csrf: false } },
    async (request, reply) => {
      await forgotPassword(d, request.body.email, requestContext(request));
      return reply.code(202).send({ status: 'accepted' as const, message: FORGOT_ACCEPTED });
    },
  );
  app.post(
    '/api/auth/reset-password',
    {
      schema: { tags, summary: 'Set a new password with a reset token; ends every session', body: resetPasswordRequest, response: { 200: okResponse, ...errors } },
      config: { csrf: false },
    },
    async (request) => {
      await resetPassword(d, request.body, requestContext(request));
      return ok;
    },
  );

  app.post(
    '/api/auth/step-up',
    {
      schema: {
        tags,
        ...signedIn,
        summary: 'Confirm it is you on this session (password, TOTP or backup code) before a sensitive action',
        description:
          'Sensitive actions answer 403 STEP_UP_REQUIRED with details { methods, ttlSeconds } until this session has stepped up with those methods within ttlSeconds.',
        body: stepUpRequest,
        response: { 200: stepUpResponse, ...errors },
      },
    },
    async (request) => stepUp(d, requireUser(request), request.body, requestContext(request)),
  );
  app.post(
    '/api/auth/step-up/passkey-options',
    {
      schema: {
        tags,
        ...signedIn,
        summary: 'Options for navigator.credentials.get to step up with a passkey (single use, 5 minutes; then POST /api/auth/step-up with `passkey`)',
        response: { 200: passkeyOptionsResponse, 422: errorBodySchema, ...errors },
      },
    },
    async (request) => {
      const p = requireUser(request);
      await d.platform.rateLimiter.consume(LIMITS.passkeyUser, p.userId);
      const r = await authenticationOptions(d, p.userId, p.sessionId);
      if (!r) throw new AppError('INVALID_STATE', 'This account has no passkey');
      return r;
    },
  );

  // 2FA changes need a step-up with the password (and the current factor when 2FA is on).
  app.post(
    '/api/auth/2fa/setup',
    {
      schema: {
        tags,
        ...signedIn,
        summary: 'Start TOTP setup: secret, otpauth URL and QR code (SVG); needs a recent step-up with the password',
        response: { 200: twoFactorSetupResponse, 409: errorBodySchema, ...errors },
      },
    },
    async (request) => setupTwoFactor(d, requireStepUp(request, stepUpTtl, { withPassword: true })),
  );
  app.post(
    '/api/auth/2fa/enable',
    {
      schema: {
        tags,
        ...signedIn,
        summary: 'Confirm a code and turn 2FA on; returns 10 single-use backup codes (shown once); ends every other session and emails the owner',
        body: twoFactorEnableRequest,
        response: { 200: twoFactorEnableResponse, 409: errorBodySchema, 422: errorBodySchema, ...errors },
      },
    },
    async (request) => enableTwoFactor(d, requireStepUp(request, stepUpTtl, { withPassword: true }), request.body.code, requestContext(request)),
  );
  app.post(
    '/api/auth/2fa/disable',
    {
      schema: {
        tags,
        ...signedIn,
        summary: 'Turn 2FA off; needs a recent step-up with the password and a code; ends every other session and emails the owner',
        response: { 200: okResponse, 422: errorBodySchema, ...errors },
      },
    },
    async (request) => {
      await disableTwoFactor(d, requireStepUp(request, stepUpTtl, { withPassword: true }), requestContext(request));
      return ok;
    },
  );

  // Passkeys: adding or removing one is a second-factor change (step-up with the password and the current factor).
  app.get('/api/auth/passkeys', { schema: { tags, ...signedIn, summary: 'Passkeys of this account', response: { 200: passkeyList, ...errors } } }, async (request) => ({
    items: await listPasskeys(d, requireUser(request)),
  }));
  app.post(
    '/api/auth/passkeys/registration-options',
    {
      schema: {
        tags,
        ...signedIn,
        summary: 'Options for navigator.credentials.create to add a passkey (single use, 5 minutes); needs a recent step-up with the password',
        response: { 200: passkeyOptionsResponse, 409: errorBodySchema, ...errors },
      },
    },
    async (request) => registrationOptions(d, requireStepUp(request, stepUpTtl, { withPassword: true })),
  );
  app.post(
    '/api/auth/passkeys',
    {
      schema: {
        tags,
        ...signedIn,
        summary: 'Add a passkey from the browser\'s answer to the registration options; ends every other session and emails the owner',
        description:
          'Needs a recent step-up with the password. 401 PASSKEY_INVALID: wrong origin or RP ID, a challenge that expired, was used or belongs to another session, or a bad attestation. The account\'s first second factor also gets 10 backup codes, returned once.',
        body: passkeyRegisterRequest,
        response: { 201: passkeyRegisterResponse, 409: errorBodySchema, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await registerPasskey(d, requireStepUp(request, stepUpTtl, { withPassword: true }), request.body, requestContext(request))),
  );
  app.delete(
    '/api/auth/passkeys/:id',
    {
      schema: {
        tags,
        ...signedIn,
        summary: 'Remove one of your passkeys; needs a recent step-up with the password; ends every other session and emails the owner',
        params: z.object({ id: z.uuid() }),
        response: { 200: okResponse, 404: errorBodySchema, ...errors },
      },
    },
    async (request) => {
      await removePasskey(d, requireStepUp(request, stepUpTtl, { withPassword: true }), request.params.id, requestContext(request));
      return ok;
    },
  );

  app.get(
    '/api/auth/backup-codes',
    { schema: { tags, ...signedIn, summary: 'How many unused backup codes remain (never the codes themselves)', response: { 200: backupCodesStatus, ...errors } } },
    async (request) => getBackupCodesStatus(d, requireUser(request)),
  );
  app.post(
    '/api/auth/backup-codes/regenerate',
    {
      schema: {
        tags,
        ...signedIn,
        summary: 'Replace the backup codes with 10 new ones, shown once (the old ones stop working); needs a recent step-up; emails the owner',
        response: { 200: backupCodesResponse, 422: errorBodySchema, ...errors },
      },
    },
    async (request) => regenerateBackupCodes(d, requireStepUp(request, stepUpTtl), requestContext(request)),
  );

  app.get(
    '/api/auth/security-events',
    {
      schema: {
        tags,
        ...signedIn,
        summary: 'Recent security events of this account, newest first: sign-ins and changes of password, second factors, passkeys and backup codes',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) }),
        response: { 200: securityEventList, ...errors },
      },
    },
    async (request) => ({ items: await listSecurityEvents(d, requireUser(request), request.query.limit) }),
  );

  app.post(
    '/api/auth/logout-others',
    { schema: { tags, ...signedIn, summary: 'End every other session of this account (this one stays)', response: { 200: okResponse, ...errors } } },
    async (request) => {
      await logoutOthers(d, requireUser(request), requestContext(request));
      return ok;
    },
  );

  app.get('/api/auth/sessions', { schema: { tags, ...signedIn, summary: 'Live sessions of this account', response: { 200: sessionList, ...errors } } }, async (request) => ({
    items: await listSessions(d, requireUser(request)),
  }));
  app.delete(
    '/api/auth/sessions/:id',
    {
      schema: { tags, ...signedIn, summary: 'Revoke one of your sessions', params: z.object({ id: z.uuid() }), response: { 200: okResponse, 404: errorBodySchema, ...errors } },
    },
    async (request) => {
      await revokeOwnSession(d, requireUser(request), request.params.id);
      return ok;
    },
  );

  app.post(
    '/api/auth/socket-token',
    { schema: { tags, ...signedIn, summary: 'Short-lived token for a Socket.IO connection to another origin (auth.token)', response: { 200: socketTokenResponse, ...errors } } },
    async (request) => issueSocketToken(d, requireUser(request)),
  );
}
