import { apiRoutes, authResponse, errorBodySchema, refreshRequest } from '@cryptovault/contract';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError } from '../../platform/errors.ts';
import type { Config } from '../../config.ts';
import { registerAccountRoutes } from './account.routes.ts';
import { type AuthDeps, requestContext, toProfile } from './auth.context.ts';
import { login, RESEND_ACCEPTED, resendVerification, SIGNUP_ACCEPTED, signup, verifyEmail } from './auth.service.ts';
import { clearAuthCookies, REFRESH_COOKIE, setAuthCookies } from './cookies.ts';
import { DEVICE_COOKIE, setDeviceCookie } from './login-throttle.ts';
import { type IssuedSession, logout, refreshSession } from './sessions.service.ts';
import { beginSetup, completeSetup } from './setup.service.ts';
import { endpoint } from '../../http/route-table.ts';

export const authTags = ['auth'];
export const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 429: errorBodySchema };
/**
 * These routes authenticate by what they carry (password, code, refresh token), not by the session cookie, and
 * anonymous callers must reach them; they are exempt from the session-bound CSRF check. Refresh only rotates
 * httpOnly cookies and answers with data a cross-site page cannot read (CORS).
 */
const credentialRoute = { csrf: false };

/**
 * Tokens go in the body only to a non-browser (Bearer) client that asked: a request carrying cookies or an Origin
 * header is a browser's, whose tokens stay in httpOnly cookies where page script cannot read them (an XSS calling
 * /api/auth/refresh with the cookie and `returnTokens: true` gets no tokens).
 */
function bearerClient(request: FastifyRequest): boolean {
  return request.headers.origin === undefined && request.headers.cookie === undefined;
}

function signedIn(request: FastifyRequest, reply: FastifyReply, config: Config, issued: IssuedSession, returnTokens: boolean | undefined) {
  setAuthCookies(reply, config, issued);
  const user = toProfile(issued.user);
  if (!returnTokens || !bearerClient(request)) return { user };
  return {
    user,
    tokens: { accessToken: issued.accessToken, refreshToken: issued.refreshToken, accessTokenExpiresAt: issued.accessTokenExpiresAt.toISOString() },
  };
}

/** Sign-up, sign-in, sessions, the account routes (account.routes.ts) and the first administrator's setup. */
export async function registerAuth(root: FastifyInstance, d: AuthDeps): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { config } = d.platform;

  app.route({
    ...endpoint(apiRoutes.auth.signup, { tags: authTags, summary: 'Create an account; emails a 6-digit code' }, { ...errors }),
    config: credentialRoute,
    handler: async (request, reply) => {
      await signup(d, { ...request.body, country: d.platform.clientCountry(request.raw) }, requestContext(request));
      return reply.code(201).send({ status: 'accepted' as const, message: SIGNUP_ACCEPTED });
    },
  });

  app.route({
    ...endpoint(apiRoutes.auth.verifyEmail, { tags: authTags, summary: 'Verify the email with its code and sign in' }, { ...errors }),
    config: credentialRoute,
    handler: async (request, reply) => signedIn(request, reply, config, await verifyEmail(d, request.body, requestContext(request)), request.body.returnTokens),
  });

  app.route({
    ...endpoint(apiRoutes.auth.resendVerification, { tags: authTags, summary: 'Send a new verification code' }, { ...errors }),
    config: credentialRoute,
    handler: async (request, reply) => {
      await resendVerification(d, request.body.email, requestContext(request));
      return reply.code(202).send({ status: 'accepted' as const, message: RESEND_ACCEPTED });
    },
  });

  app.route({
    ...endpoint(
      apiRoutes.auth.login,
      {
        tags: authTags,
        summary: 'Sign in (sets access_token and refresh_token cookies)',
        description:
          '403 EMAIL_NOT_VERIFIED, 403 ACCOUNT_SUSPENDED, 403 TOTP_REQUIRED (the right password, the account has a second factor and none was sent: details { methods: [totp|passkey], passkey?: single-use options for navigator.credentials.get }; sign in again with totpCode, or passkey set to the browser answer), 401 TOTP_INVALID, 401 PASSKEY_INVALID, 429 RATE_LIMITED (per address, or failed sign-ins throttled; the same for unknown addresses). Sets cv_device, which exempts this browser from the account-wide throttle later.',
      },
      { ...errors },
    ),
    config: credentialRoute,
    handler: async (request, reply) => {
      const issued = await login(d, request.body, requestContext(request), request.cookies[DEVICE_COOKIE]);
      setDeviceCookie(reply, config, issued.deviceToken);
      return signedIn(request, reply, config, issued, request.body.returnTokens);
    },
  });

  app.post(
    '/api/auth/refresh',
    {
      schema: {
        tags: authTags,
        summary: 'Rotate the refresh token and issue a new access token',
        description:
          'Uses the refresh_token cookie, or `refreshToken` in the body. A refresh token presented twice revokes its session. `returnTokens: true` is honoured only for non-browser clients (no cookies and no Origin header).',
        body: refreshRequest,
        response: { 200: authResponse, ...errors },
      },
      config: credentialRoute,
    },
    async (request, reply) => {
      const raw = request.body?.refreshToken ?? request.cookies[REFRESH_COOKIE];
      try {
        return signedIn(request, reply, config, await refreshSession(d, raw, requestContext(request)), request.body?.returnTokens);
      } catch (err) {
        // A dead refresh token is cleared so the client stops retrying it; a server fault keeps the session.
        if (err instanceof AppError && err.code === 'UNAUTHENTICATED') clearAuthCookies(reply, config);
        throw err;
      }
    },
  );

  app.route({
    ...endpoint(apiRoutes.auth.logout, { tags: authTags, summary: 'End this session' }, { ...errors }),
    handler: async (request, reply) => {
      await logout(d, request.principal, request.cookies[REFRESH_COOKIE]);
      clearAuthCookies(reply, config);
      return { ok: true as const };
    },
  });

  registerAccountRoutes(app, d);

  // The first administrator from the setup link an embedded start prints (setup.service.ts). Authenticated by the
  // link's token in the body, like the credential routes; outside production only (production has admin:create).
  if (!config.isProduction) {
    const setupErrors = { ...errors, 404: errorBodySchema, 409: errorBodySchema };
    app.route({
      ...endpoint(
        apiRoutes.setup.begin,
        { tags: authTags, summary: 'First administrator: check the setup link and get a TOTP secret for the authenticator app' },
        { ...setupErrors },
      ),
      config: credentialRoute,
      handler: async (request) => beginSetup(d, request.body.token, requestContext(request)),
    });
    app.route({
      ...endpoint(
        apiRoutes.setup.complete,
        { tags: authTags, summary: 'First administrator: create it with 2FA on (uses the setup link up); returns the backup codes once' },
        { ...setupErrors },
      ),
      config: credentialRoute,
      handler: async (request, reply) => reply.code(201).send(await completeSetup(d, request.body, requestContext(request))),
    });
  }
}
