import type { PasskeyInfo, WebauthnCredentialJson } from '@cryptovault/contract';
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { AppError, notFound } from '../../platform/errors.ts';
import { sendInBackground } from '../../platform/mailer/mailer.ts';
import type { Principal } from '../../platform/principal.ts';
import { currentUser } from './account.service.ts';
import type { PasskeyRow } from './auth.schema.ts';
import { type AuthDeps, describeDevice, type RequestContext } from './auth.context.ts';
import { backupCodesRegeneratedEmail, passkeyChangedEmail } from './auth.emails.ts';
import { LIMITS } from './limits.ts';
import * as passkeysRepo from './passkeys.repo.ts';
import * as sessionsRepo from './sessions.repo.ts';
import { sessionsEnded } from './sessions.service.ts';
import { hashBackupCode, newBackupCodes } from './totp.ts';
import * as usersRepo from './users.repo.ts';
import type { UserRow } from './users.schema.ts';

/** How long a challenge handed to the browser stays usable (once). */
export const CHALLENGE_TTL_SECONDS = 300;
export const MAX_PASSKEYS = 10;

const invalid = (message = 'The passkey could not be verified; try again') => new AppError('PASSKEY_INVALID', message);

export function toPasskeyInfo(row: PasskeyRow): PasskeyInfo {
  return { id: row.id, name: row.name, createdAt: row.createdAt.toISOString(), lastUsedAt: row.lastUsedAt?.toISOString() ?? null, backedUp: row.backedUp };
}

/** The second factors the account has; backup codes come with either. */
export function secondFactorsOf(user: UserRow, passkeyCount: number): ('totp' | 'passkey')[] {
  return [...(user.totpEnabledAt ? (['totp'] as const) : []), ...(passkeyCount > 0 ? (['passkey'] as const) : [])];
}

/** The challenge the browser signed, read from clientDataJSON (the library checks it again against ours). */
function signedChallenge(response: WebauthnCredentialJson): string {
  try {
    const client = JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8')) as { challenge?: unknown };
    if (typeof client.challenge === 'string' && client.challenge.length > 0 && client.challenge.length <= 200) return client.challenge;
  } catch {
    // falls through to the refusal
  }
  throw invalid('The passkey answer is malformed');
}

async function storeChallenge(d: AuthDeps, challenge: string, userId: string, sessionId: string | null, purpose: passkeysRepo.ChallengePurpose): Promise<Date> {
  const expiresAt = new Date(Date.now() + CHALLENGE_TTL_SECONDS * 1000);
  await passkeysRepo.insertChallenge(d.db, { challenge, userId, sessionId, purpose, expiresAt });
  return expiresAt;
}

/** Options for navigator.credentials.create; the route asked for a step-up with the password first. */
export async function registrationOptions(
  d: AuthDeps,
  principal: Principal,
): Promise<{ options: Record<string, unknown> & { challenge: string }; expiresAt: string }> {
  await d.platform.rateLimiter.consume(LIMITS.passkeyUser, principal.userId);
  const user = await currentUser(d, principal);
  const existing = await passkeysRepo.listPasskeys(d.db, user.id);
  if (existing.length >= MAX_PASSKEYS) throw new AppError('CONFLICT', `An account can have at most ${MAX_PASSKEYS} passkeys; remove one first`);
  const { rpId, rpName } = d.platform.config.webauthn;
  const options = await generateRegistrationOptions({
    rpName,
    rpID: rpId,
    userName: user.email,
    userDisplayName: user.name,
    userID: new TextEncoder().encode(user.id),
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
    timeout: CHALLENGE_TTL_SECONDS * 1000,
  });
  const expiresAt = await storeChallenge(d, options.challenge, user.id, principal.sessionId, 'register');
  return { options: options as unknown as Record<string, unknown> & { challenge: string }, expiresAt: expiresAt.toISOString() };
}

/**
 * Verifies the new credential against the challenge this session was given (once, unexpired), the origin and the RP
 * ID from APP_URL, and stores it. Like turning 2FA on: every other session ends, this one counts as having passed
 * the new factor, the owner is emailed. The account's first second factor also gets backup codes (returned once).
 */
export async function registerPasskey(
  d: AuthDeps,
  principal: Principal,
  input: { name?: string | undefined; response: WebauthnCredentialJson },
  ctx: RequestContext,
): Promise<{ passkey: PasskeyInfo; backupCodes?: string[] }> {
  await d.platform.rateLimiter.consume(LIMITS.passkeyUser, principal.userId);
  const user = await currentUser(d, principal);
  const existingCount = await passkeysRepo.countPasskeys(d.db, user.id);
  const challenge = signedChallenge(input.response);
  if (!(await passkeysRepo.consumeChallenge(d.db, challenge, 'register', user.id, principal.sessionId))) {
    throw invalid('This passkey request has expired or was already used; start again');
  }
  const { rpId, origins } = d.platform.config.webauthn;
  let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verified = await verifyRegistrationResponse({
      response: input.response as unknown as RegistrationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: origins,
      expectedRPID: rpId,
      requireUserVerification: false,
    });
  } catch (err) {
    d.platform.log.info(
      { userId: user.id, requestId: ctx.requestId, reason: err instanceof Error ? err.message : String(err) },
      'passkey registration refused',
    );
    throw invalid();
  }
  if (!verified.verified) throw invalid();
  const info = verified.registrationInfo;
  const name = input.name?.trim() || `${describeDevice(ctx.userAgent)} passkey`.slice(0, 64);
  const transports = (input.response.response as { transports?: unknown }).transports;
  // The account's first second factor brings backup codes; with TOTP or another passkey it already has its own.
  const backupCodes = !user.totpEnabledAt && existingCount === 0 ? newBackupCodes() : undefined;
  const { row, ended } = await d.db.transaction(async (tx) => {
    const inserted = await passkeysRepo.insertPasskey(tx, {
      userId: user.id,
      credentialId: info.credential.id,
      publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
      counter: info.credential.counter,
      transports: Array.isArray(transports) ? transports.filter((t): t is string => typeof t === 'string').slice(0, 8) : [],
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
      name,
    });
    if (!inserted) throw new AppError('CONFLICT', 'This passkey is already registered');
    if (backupCodes)
      await usersRepo.setBackupCodes(
        tx,
        user.id,
        backupCodes.map((c) => hashBackupCode(d, c)),
      );
    await sessionsRepo.markSecondFactor(tx, principal.sessionId, 'passkey');
    await passkeysRepo.insertSecurityEvent(tx, { userId: user.id, kind: 'passkey_added', ip: ctx.ip, userAgent: ctx.userAgent, details: { name } });
    return { row: inserted, ended: await sessionsRepo.revokeUserSessions(tx, user.id, 'passkey_added', principal.sessionId) };
  });
  await sessionsEnded(d.platform, user.id, ended);
  notify(d, user.email, 'added', name, ctx);
  return { passkey: toPasskeyInfo(row), ...(backupCodes ? { backupCodes } : {}) };
}

export async function listPasskeys(d: AuthDeps, principal: Principal): Promise<PasskeyInfo[]> {
  return (await passkeysRepo.listPasskeys(d.db, principal.userId)).map(toPasskeyInfo);
}

/**
 * Removes one of the caller's passkeys (another user's id is a 404). Ends every other session and emails the owner;
 * removing the account's last second factor also voids its backup codes.
 */
export async function removePasskey(d: AuthDeps, principal: Principal, id: string, ctx: RequestContext): Promise<void> {
  await d.platform.rateLimiter.consume(LIMITS.passkeyUser, principal.userId);
  const user = await currentUser(d, principal);
  const { row, ended } = await d.db.transaction(async (tx) => {
    const removed = await passkeysRepo.deletePasskey(tx, user.id, id);
    if (!removed) throw notFound('Passkey');
    if (!user.totpEnabledAt && (await passkeysRepo.countPasskeys(tx, user.id)) === 0) await usersRepo.setBackupCodes(tx, user.id, []);
    await passkeysRepo.insertSecurityEvent(tx, {
      userId: user.id,
      kind: 'passkey_removed',
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      details: { name: removed.name },
    });
    return { row: removed, ended: await sessionsRepo.revokeUserSessions(tx, user.id, 'passkey_removed', principal.sessionId) };
  });
  await sessionsEnded(d.platform, principal.userId, ended);
  notify(d, user.email, 'removed', row.name, ctx);
}

/** Options for navigator.credentials.get, for a sign-in (sessionId null; only after the right password) or a step-up. */
export async function authenticationOptions(
  d: AuthDeps,
  userId: string,
  sessionId: string | null,
): Promise<{ options: Record<string, unknown> & { challenge: string }; expiresAt: string } | null> {
  const keys = await passkeysRepo.listPasskeys(d.db, userId);
  if (keys.length === 0) return null;
  const options = await generateAuthenticationOptions({
    rpID: d.platform.config.webauthn.rpId,
    allowCredentials: keys.map((p) => ({ id: p.credentialId, transports: p.transports })),
    userVerification: 'preferred',
    timeout: CHALLENGE_TTL_SECONDS * 1000,
  });
  const expiresAt = await storeChallenge(d, options.challenge, userId, sessionId, sessionId === null ? 'sign_in' : 'step_up');
  return { options: options as unknown as Record<string, unknown> & { challenge: string }, expiresAt: expiresAt.toISOString() };
}

/**
 * Checks an assertion by one of the user's passkeys: its challenge was handed out for this purpose (and session)
 * and is used up here, the origin and RP ID are ours, the signature verifies with the stored key and the signature
 * counter moved forward (a cloned authenticator replaying an older counter is refused). Throws PASSKEY_INVALID.
 */
export async function verifyPasskeyAssertion(
  d: AuthDeps,
  user: UserRow,
  response: WebauthnCredentialJson,
  sessionId: string | null,
  ctx: RequestContext,
): Promise<PasskeyRow> {
  const challenge = signedChallenge(response);
  const purpose = sessionId === null ? 'sign_in' : 'step_up';
  if (!(await passkeysRepo.consumeChallenge(d.db, challenge, purpose, user.id, sessionId)))
    throw invalid('This passkey request has expired or was already used; try again');
  const key = await passkeysRepo.findPasskeyByCredential(d.db, user.id, response.id);
  if (!key) throw invalid('This passkey is not registered to this account');
  const { rpId, origins } = d.platform.config.webauthn;
  let result: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
  try {
    result = await verifyAuthenticationResponse({
      response: response as unknown as AuthenticationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: origins,
      expectedRPID: rpId,
      credential: {
        id: key.credentialId,
        publicKey: new Uint8Array(Buffer.from(key.publicKey, 'base64url')),
        counter: key.counter,
        transports: key.transports,
      },
      requireUserVerification: false,
    });
  } catch (err) {
    d.platform.log.info({ userId: user.id, requestId: ctx.requestId, reason: err instanceof Error ? err.message : String(err) }, 'passkey assertion refused');
    throw invalid();
  }
  if (!result.verified) throw invalid();
  const { newCounter, credentialBackedUp } = result.authenticationInfo;
  if (!(await passkeysRepo.recordPasskeyUse(d.db, key.id, newCounter, credentialBackedUp))) throw invalid();
  return key;
}

export async function backupCodesStatus(d: AuthDeps, principal: Principal): Promise<{ remaining: number; available: boolean }> {
  const user = await currentUser(d, principal);
  const available = secondFactorsOf(user, await passkeysRepo.countPasskeys(d.db, user.id)).length > 0;
  return { remaining: available ? user.backupCodeHashes.length : 0, available };
}

/** New backup codes (shown once); the old ones stop working. The route asked for a step-up; the owner is emailed. */
export async function regenerateBackupCodes(d: AuthDeps, principal: Principal, ctx: RequestContext): Promise<{ backupCodes: string[] }> {
  await d.platform.rateLimiter.consume(LIMITS.twoFactorUser, principal.userId);
  const user = await currentUser(d, principal);
  if (secondFactorsOf(user, await passkeysRepo.countPasskeys(d.db, user.id)).length === 0) {
    throw new AppError('INVALID_STATE', 'Backup codes come with two-factor authentication or a passkey; set one up first');
  }
  const backupCodes = newBackupCodes();
  await d.db.transaction(async (tx) => {
    await usersRepo.setBackupCodes(
      tx,
      user.id,
      backupCodes.map((c) => hashBackupCode(d, c)),
    );
    await passkeysRepo.insertSecurityEvent(tx, { userId: user.id, kind: 'backup_codes_regenerated', ip: ctx.ip, userAgent: ctx.userAgent });
  });
  const mail = backupCodesRegeneratedEmail(user.email, describeDevice(ctx.userAgent), ctx.ip, new Date(), d.platform.config.appUrl);
  sendInBackground(d.platform.mailer, d.platform.log, mail, 'backup-codes-regenerated');
  return { backupCodes };
}

function notify(d: AuthDeps, email: string, what: 'added' | 'removed', name: string, ctx: RequestContext): void {
  const mail = passkeyChangedEmail(email, what, name, describeDevice(ctx.userAgent), ctx.ip, new Date(), d.platform.config.appUrl);
  sendInBackground(d.platform.mailer, d.platform.log, mail, `passkey-${what}`);
}
