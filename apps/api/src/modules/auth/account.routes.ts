import {
  acceptedResponse,
  changePasswordRequest,
  emailOnlyRequest,
  errorBodySchema,
  okResponse,
  resetPasswordRequest,
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
import { clearAuthCookies, REFRESH_COOKIE } from './cookies.ts';
import { issueSocketToken, listSessions, logoutAll, revokeOwnSession } from './sessions.service.ts';
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
    async (request) => stepUp(d, requireUser(request), request.body),
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
