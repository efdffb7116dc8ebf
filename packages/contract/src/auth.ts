import { z } from 'zod';
import { isoDateTime } from './common.ts';
import { operatorRole } from './roles.ts';

/** Emails are compared trimmed and lower-cased; the server normalises them. */
export const emailField = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ message: 'must be a valid email address' }));
/** Policy beyond length (common passwords, not the email) is checked by the server. */
export const passwordField = z.string().min(10, 'must be at least 10 characters').max(256);
export const personName = z.string().trim().min(1).max(100);
export const totpCodeField = z
  .string()
  .trim()
  .max(32)
  .regex(/^(\d{6}|[A-Za-z0-9]{4,5}-?[A-Za-z0-9]{4,5})$/, 'must be a 6-digit code or a backup code');

export const userProfile = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(['user', 'admin']),
  /** An operator's roles (issue 21; [] for a user): the console shows only what they allow (`mayCall`). */
  operatorRoles: z.array(operatorRole).default([]),
  emailVerified: z.boolean(),
  twoFactorEnabled: z.boolean(),
  /** Frozen by a "this wasn't me" link (or an operator): withdrawals, transfers and security changes answer 403 ACCOUNT_FROZEN. */
  frozen: z.boolean(),
  createdAt: isoDateTime,
});
export type UserProfile = z.infer<typeof userProfile>;

/**
 * `GET /api/auth/session`: who the caller is, answered 200 to everyone, so a page's first load makes no failing
 * request. `canRefresh`: not signed in, but a refresh cookie came along (the access token expired): POST
 * /api/auth/refresh, then ask again.
 */
export const sessionState = z.object({
  authenticated: z.boolean(),
  user: userProfile.nullable(),
  canRefresh: z.boolean(),
});
export type SessionState = z.infer<typeof sessionState>;

/**
 * Non-browser clients may ask for the tokens in the body (`returnTokens: true`); browsers keep them in httpOnly
 * cookies only, so page scripts never see them: a request with cookies or an Origin header never gets tokens.
 */
export const issuedTokens = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  accessTokenExpiresAt: isoDateTime,
});
export const authResponse = z.object({ user: userProfile, tokens: issuedTokens.optional() });
export type AuthResponse = z.infer<typeof authResponse>;

/**
 * `termsVersion`: the version of the Terms of Service the person ticked "I accept" for (`GET /api/legal/documents`).
 * Required: a sign-up without it, or with a version that is no longer the one in force, is refused with 403
 * TERMS_NOT_ACCEPTED (details `{ currentVersion }`). Optional in the schema only so that the refusal says that.
 */
export const signupRequest = z.object({
  email: emailField,
  password: passwordField,
  name: personName,
  termsVersion: z.number().int().positive().max(1_000_000).optional(),
});
export const acceptedResponse = z.object({ status: z.literal('accepted'), message: z.string() });
export const okResponse = z.object({ ok: z.literal(true) });

export const verifyEmailRequest = z.object({
  email: emailField,
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, 'must be the 6-digit code'),
  returnTokens: z.boolean().optional(),
});
export const emailOnlyRequest = z.object({ email: emailField });

/**
 * What the browser's WebAuthn call returned (`@simplewebauthn/browser` startRegistration / startAuthentication),
 * as JSON with base64url fields; the server checks everything else in it.
 */
export const webauthnCredentialJson = z.looseObject({
  id: z.string().min(1).max(1400),
  rawId: z.string().min(1).max(1400),
  type: z.literal('public-key'),
  response: z.looseObject({ clientDataJSON: z.string().min(1).max(20_000) }),
  clientExtensionResults: z.record(z.string(), z.unknown()).optional(),
});
export type WebauthnCredentialJson = z.infer<typeof webauthnCredentialJson>;
/** Options for the browser's WebAuthn call (PublicKeyCredentialCreationOptionsJSON / RequestOptionsJSON). */
export const webauthnOptions = z.looseObject({ challenge: z.string() });

/**
 * A password, then a second factor when the account has one: `totpCode` (a TOTP or backup code) or `passkey` (an
 * assertion for the options in the 403 TOTP_REQUIRED answer to the same sign-in without a second factor).
 */
export const loginRequest = z.object({
  email: emailField,
  password: z.string().min(1).max(256),
  totpCode: totpCodeField.optional(),
  passkey: webauthnCredentialJson.optional(),
  returnTokens: z.boolean().optional(),
});
/**
 * Details of 403 TOTP_REQUIRED (right password, second factor missing): the factors this account has, and when it
 * has passkeys, the options for navigator.credentials.get (single use, a few minutes).
 */
export const secondFactorRequiredDetails = z.object({ methods: z.array(z.enum(['totp', 'passkey'])), passkey: webauthnOptions.optional() });
export type SecondFactorRequiredDetails = z.infer<typeof secondFactorRequiredDetails>;

/** Browsers send nothing (the refresh_token cookie is used); other clients send the refresh token. */
export const refreshRequest = z.object({ refreshToken: z.string().min(20).max(200).optional(), returnTokens: z.boolean().optional() }).nullish();

export const updateProfileRequest = z.object({ name: personName });
export const changePasswordRequest = z.object({ currentPassword: z.string().min(1).max(256), newPassword: passwordField });
export const resetPasswordRequest = z.object({ token: z.string().min(20).max(200), newPassword: passwordField });

export const twoFactorSetupResponse = z.object({ secret: z.string(), otpauthUrl: z.string(), qrSvg: z.string() });
export const twoFactorEnableRequest = z.object({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, 'must be the 6-digit code'),
});
export const twoFactorEnableResponse = z.object({ backupCodes: z.array(z.string()) });
/**
 * Step-up: proves it is still the owner on this session before a sensitive action. Accounts with 2FA send a
 * `totpCode` or `backupCode` (plus `password` where the action asks for both: 2FA changes); others the password.
 */
export const stepUpRequest = z.object({
  password: z.string().min(1).max(256).optional(),
  totpCode: z
    .string()
    .trim()
    .regex(/^\d{6}$/, 'must be the 6-digit code')
    .optional(),
  backupCode: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{4,5}-?[A-Za-z0-9]{4,5}$/, 'must be a backup code')
    .optional(),
  /** An assertion for the options of POST /api/auth/step-up/passkey-options. */
  passkey: webauthnCredentialJson.optional(),
});
export type StepUpRequest = z.infer<typeof stepUpRequest>;
export const stepUpResponse = z.object({
  methods: z.array(z.enum(['password', 'email_code', 'totp', 'backup_code', 'passkey'])).describe('what this step-up proved'),
  expiresAt: isoDateTime.describe('sensitive actions are allowed on this session until then'),
});
/**
 * Details of a 403 STEP_UP_REQUIRED: what to ask for, and how long a step-up lasts. 'password' listed: the password
 * is needed. 'totp' and/or 'passkey' listed: a second factor is needed, any one of those named (a backup code counts
 * as 'totp').
 */
export const stepUpRequiredDetails = z.object({ methods: z.array(z.enum(['password', 'totp', 'passkey'])), ttlSeconds: z.number().int() });
export type StepUpRequiredDetails = z.infer<typeof stepUpRequiredDetails>;

export const sessionInfo = z.object({
  id: z.string(),
  current: z.boolean(),
  device: z.string().describe('short description derived from the user agent'),
  userAgent: z.string().nullable(),
  ip: z.string().nullable(),
  createdAt: isoDateTime,
  lastUsedAt: isoDateTime,
});
export const sessionList = z.object({ items: z.array(sessionInfo) });
export type SessionInfo = z.infer<typeof sessionInfo>;

export const passkeyInfo = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: isoDateTime,
  lastUsedAt: isoDateTime.nullable(),
  backedUp: z.boolean().describe('a synced (multi-device) passkey that its provider backed up'),
});
export type PasskeyInfo = z.infer<typeof passkeyInfo>;
export const passkeyList = z.object({ items: z.array(passkeyInfo) });
export const passkeyNameField = z.string().trim().min(1).max(64);
export const passkeyOptionsResponse = z.object({ options: webauthnOptions, expiresAt: isoDateTime });
export const passkeyRegisterRequest = z.object({ name: passkeyNameField.optional(), response: webauthnCredentialJson });
/** `backupCodes` only when the account had none (its first second factor): shown once. */
export const passkeyRegisterResponse = z.object({ passkey: passkeyInfo, backupCodes: z.array(z.string()).optional() });
export const backupCodesStatus = z.object({
  remaining: z.number().int(),
  available: z.boolean().describe('the account has a second factor, so backup codes apply'),
});
export const backupCodesResponse = z.object({ backupCodes: z.array(z.string()) });

export const securityEvent = z.object({
  id: z.string(),
  kind: z
    .string()
    .describe(
      'sign_in, password_changed, password_reset, two_factor_enabled, two_factor_disabled, passkey_added, passkey_removed, backup_codes_regenerated, sessions_signed_out, address_added, address_confirmed, address_removed, address_book_only_on, address_book_only_off_requested, anti_phishing_set, anti_phishing_cleared, account_frozen, unfreeze_requested, account_unfrozen, api_key_created, api_key_revoked',
    ),
  at: isoDateTime,
  ip: z.string().nullable(),
  device: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type SecurityEvent = z.infer<typeof securityEvent>;
export const securityEventList = z.object({ items: z.array(securityEvent) });
export const securityEventsQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) });

export const socketTokenResponse = z.object({ token: z.string(), expiresAt: isoDateTime });

export const outboxMessage = z.object({ to: z.string(), subject: z.string(), text: z.string(), html: z.string(), sentAt: isoDateTime });
export const outboxResponse = z.object({ items: z.array(outboxMessage) });

/**
 * The first administrator, from the one-time setup link a first embedded start prints (`/setup?token=...`): begin
 * offers a TOTP secret for the authenticator app, complete creates the administrator with 2FA already on.
 */
const setupToken = z.string().trim().min(20, 'must be the token from the setup link').max(200);
export const setupBeginRequest = z.object({ token: setupToken });
export const setupBeginResponse = twoFactorSetupResponse.extend({ expiresAt: isoDateTime });
export const setupCompleteRequest = signupRequest.extend({
  token: setupToken,
  totpCode: z
    .string()
    .trim()
    .regex(/^\d{6}$/, 'must be the 6-digit code from the authenticator app'),
});
export const setupCompleteResponse = z.object({ user: userProfile, backupCodes: z.array(z.string()) });
export type SetupBeginResponse = z.infer<typeof setupBeginResponse>;
export type SetupCompleteResponse = z.infer<typeof setupCompleteResponse>;
