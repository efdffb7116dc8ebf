import { apiRoutes, errorBodySchema } from '@cryptovault/contract';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireStepUp, requireUser } from '../../platform/principal.ts';
import { changePassword, FORGOT_ACCEPTED, forgotPassword, getProfile, resetPassword, updateProfile } from './account.service.ts';
import { type AuthDeps, requestContext } from './auth.context.ts';
import { LIMITS } from './limits.ts';
import { clearAuthCookies, REFRESH_COOKIE } from './cookies.ts';
import { AppError } from '../../platform/errors.ts';
import {
  authenticationOptions,
  backupCodesStatus as getBackupCodesStatus,
  listPasskeys,
  registerPasskey,
  registrationOptions,
  regenerateBackupCodes,
  removePasskey,
} from './passkeys.service.ts';
import { issueSocketToken, listSecurityEvents, listSessions, logoutAll, logoutOthers, revokeOwnSession } from './sessions.service.ts';
import { disableTwoFactor, enableTwoFactor, setupTwoFactor, stepUp } from './twofactor.service.ts';
import { endpoint } from '../../http/route-table.ts';

const tags = ['auth'];
const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 429: errorBodySchema };
const signedIn = { security: [{ cookieAuth: [] as string[] }, { bearerAuth: [] as string[] }] as Record<string, string[]>[] };
const ok = { ok: true as const };

/** Routes of a signed-in user (cookie requests need X-CSRF-Token, enforced in app.ts), plus forgot/reset. */
export function registerAccountRoutes(root: FastifyInstance, d: AuthDeps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { config } = d.platform;
  const stepUpTtl = config.auth.stepUpTtlSeconds;

  app.route({
    ...endpoint(apiRoutes.auth.logoutAll, { tags, ...signedIn, summary: 'End every session of this account' }, { ...errors }),
    handler: async (request, reply) => {
      await logoutAll(d, requireUser(request));
      clearAuthCookies(reply, config);
      return ok;
    },
  });

  app.route({
    ...endpoint(
      apiRoutes.auth.session,
      { tags, summary: "Who is signed in: 200 for everyone (anonymous: authenticated false), for a page's first load" },
      { 400: errorBodySchema, 429: errorBodySchema },
    ),
    handler: async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const p = request.principal;
      if (p) return { authenticated: true, user: await getProfile(d, p), canRefresh: false };
      return { authenticated: false, user: null, canRefresh: Boolean(request.cookies[REFRESH_COOKIE]) };
    },
  });
  app.route({
    ...endpoint(apiRoutes.auth.me, { tags, ...signedIn, summary: 'Profile' }, { ...errors }),
    handler: async (request) => getProfile(d, requireUser(request)),
  });
  app.route({
    ...endpoint(apiRoutes.auth.updateMe, { tags, ...signedIn, summary: 'Update the profile' }, { ...errors }),
    handler: async (request) => updateProfile(d, requireUser(request), request.body),
  });

  app.route({
    ...endpoint(
      apiRoutes.auth.changePassword,
      { tags, ...signedIn, summary: 'Change the password; ends every other session (needs a recent step-up)' },
      { ...errors },
    ),
    handler: async (request) => {
      await changePassword(d, requireStepUp(request, stepUpTtl), request.body, requestContext(request));
      return ok;
    },
  });

  app.route({
    ...endpoint(apiRoutes.auth.forgotPassword, { tags, summary: 'Email a password reset link' }, { ...errors }),
    config: { csrf: false },
    handler: async (request, reply) => {
      await forgotPassword(d, request.body.email, requestContext(request));
      return reply.code(202).send({ status: 'accepted' as const, message: FORGOT_ACCEPTED });
    },
  });
  app.route({
    ...endpoint(apiRoutes.auth.resetPassword, { tags, summary: 'Set a new password with a reset token; ends every session' }, { ...errors }),
    config: { csrf: false },
    handler: async (request) => {
      await resetPassword(d, request.body, requestContext(request));
      return ok;
    },
  });

  app.route({
    ...endpoint(
      apiRoutes.auth.stepUp,
      {
        tags,
        ...signedIn,
        summary: 'Confirm it is you on this session (password, TOTP or backup code) before a sensitive action',
        description:
          'Sensitive actions answer 403 STEP_UP_REQUIRED with details { methods, ttlSeconds } until this session has stepped up with those methods within ttlSeconds.',
      },
      { ...errors },
    ),
    handler: async (request) => stepUp(d, requireUser(request), request.body, requestContext(request)),
  });
  app.route({
    ...endpoint(
      apiRoutes.auth.stepUpPasskeyOptions,
      {
        tags,
        ...signedIn,
        summary: 'Options for navigator.credentials.get to step up with a passkey (single use, 5 minutes; then POST /api/auth/step-up with `passkey`)',
      },
      { 422: errorBodySchema, ...errors },
    ),
    handler: async (request) => {
      const p = requireUser(request);
      await d.platform.rateLimiter.consume(LIMITS.passkeyUser, p.userId);
      const r = await authenticationOptions(d, p.userId, p.sessionId);
      if (!r) throw new AppError('INVALID_STATE', 'This account has no passkey');
      return r;
    },
  });

  // 2FA changes need a step-up with the password (and the current factor when 2FA is on).
  app.route({
    ...endpoint(
      apiRoutes.auth.twoFactorSetup,
      { tags, ...signedIn, summary: 'Start TOTP setup: secret, otpauth URL and QR code (SVG); needs a recent step-up with the password' },
      { 409: errorBodySchema, ...errors },
    ),
    handler: async (request) => setupTwoFactor(d, requireStepUp(request, stepUpTtl, { withPassword: true })),
  });
  app.route({
    ...endpoint(
      apiRoutes.auth.twoFactorEnable,
      {
        tags,
        ...signedIn,
        summary: 'Confirm a code and turn 2FA on; returns 10 single-use backup codes (shown once); ends every other session and emails the owner',
      },
      { 409: errorBodySchema, 422: errorBodySchema, ...errors },
    ),
    handler: async (request) => enableTwoFactor(d, requireStepUp(request, stepUpTtl, { withPassword: true }), request.body.code, requestContext(request)),
  });
  app.route({
    ...endpoint(
      apiRoutes.auth.twoFactorDisable,
      { tags, ...signedIn, summary: 'Turn 2FA off; needs a recent step-up with the password and a code; ends every other session and emails the owner' },
      { 422: errorBodySchema, ...errors },
    ),
    handler: async (request) => {
      await disableTwoFactor(d, requireStepUp(request, stepUpTtl, { withPassword: true }), requestContext(request));
      return ok;
    },
  });

  // Passkeys: adding or removing one is a second-factor change (step-up with the password and the current factor).
  app.route({
    ...endpoint(apiRoutes.auth.passkeys, { tags, ...signedIn, summary: 'Passkeys of this account' }, { ...errors }),
    handler: async (request) => ({
      items: await listPasskeys(d, requireUser(request)),
    }),
  });
  app.route({
    ...endpoint(
      apiRoutes.auth.passkeyRegistrationOptions,
      {
        tags,
        ...signedIn,
        summary: 'Options for navigator.credentials.create to add a passkey (single use, 5 minutes); needs a recent step-up with the password',
      },
      { 409: errorBodySchema, ...errors },
    ),
    handler: async (request) => registrationOptions(d, requireStepUp(request, stepUpTtl, { withPassword: true })),
  });
  app.route({
    ...endpoint(
      apiRoutes.auth.registerPasskey,
      {
        tags,
        ...signedIn,
        summary: "Add a passkey from the browser's answer to the registration options; ends every other session and emails the owner",
        description:
          "Needs a recent step-up with the password. 401 PASSKEY_INVALID: wrong origin or RP ID, a challenge that expired, was used or belongs to another session, or a bad attestation. The account's first second factor also gets 10 backup codes, returned once.",
      },
      { 409: errorBodySchema, ...errors },
    ),
    handler: async (request, reply) =>
      reply.code(201).send(await registerPasskey(d, requireStepUp(request, stepUpTtl, { withPassword: true }), request.body, requestContext(request))),
  });
  app.route({
    ...endpoint(
      apiRoutes.auth.removePasskey,
      { tags, ...signedIn, summary: 'Remove one of your passkeys; needs a recent step-up with the password; ends every other session and emails the owner' },
      { 404: errorBodySchema, ...errors },
    ),
    handler: async (request) => {
      await removePasskey(d, requireStepUp(request, stepUpTtl, { withPassword: true }), request.params.id, requestContext(request));
      return ok;
    },
  });

  app.route({
    ...endpoint(apiRoutes.auth.backupCodes, { tags, ...signedIn, summary: 'How many unused backup codes remain (never the codes themselves)' }, { ...errors }),
    handler: async (request) => getBackupCodesStatus(d, requireUser(request)),
  });
  app.route({
    ...endpoint(
      apiRoutes.auth.regenerateBackupCodes,
      {
        tags,
        ...signedIn,
        summary: 'Replace the backup codes with 10 new ones, shown once (the old ones stop working); needs a recent step-up; emails the owner',
      },
      { 422: errorBodySchema, ...errors },
    ),
    handler: async (request) => regenerateBackupCodes(d, requireStepUp(request, stepUpTtl), requestContext(request)),
  });

  app.route({
    ...endpoint(
      apiRoutes.auth.securityEvents,
      {
        tags,
        ...signedIn,
        summary: 'Recent security events of this account, newest first: sign-ins and changes of password, second factors, passkeys and backup codes',
      },
      { ...errors },
    ),
    handler: async (request) => ({ items: await listSecurityEvents(d, requireUser(request), request.query.limit) }),
  });

  app.route({
    ...endpoint(apiRoutes.auth.logoutOthers, { tags, ...signedIn, summary: 'End every other session of this account (this one stays)' }, { ...errors }),
    handler: async (request) => {
      await logoutOthers(d, requireUser(request), requestContext(request));
      return ok;
    },
  });

  app.route({
    ...endpoint(apiRoutes.auth.sessions, { tags, ...signedIn, summary: 'Live sessions of this account' }, { ...errors }),
    handler: async (request) => ({
      items: await listSessions(d, requireUser(request)),
    }),
  });
  app.route({
    ...endpoint(apiRoutes.auth.revokeSession, { tags, ...signedIn, summary: 'Revoke one of your sessions' }, { 404: errorBodySchema, ...errors }),
    handler: async (request) => {
      await revokeOwnSession(d, requireUser(request), request.params.id);
      return ok;
    },
  });

  app.route({
    ...endpoint(
      apiRoutes.auth.socketToken,
      { tags, ...signedIn, summary: 'Short-lived token for a Socket.IO connection to another origin (auth.token)' },
      { ...errors },
    ),
    handler: async (request) => issueSocketToken(d, requireUser(request)),
  });
}
