/**
 * The auth module's public surface. Other modules read users only through the directory (contact details,
 * status lookups, the few account states they may set); the users table itself is never exported.
 */
export { type AuthDeps, authKeys, createAuthDeps, describeDevice, normalizeEmail, type RequestContext, requestContext } from './auth.context.ts';
export { accountByEmail, type Contact, contactOf, contactsOf, frozenAtForShare, searchUsers, setFrozen, setSuspended } from './directory.ts';
export { listOperators, type RoleChangeCtx, setOperatorRoles } from './operator-roles.ts';
export { countPasskeys, insertSecurityEvent } from './passkeys.repo.ts';
export { secondFactorsOf } from './passkeys.service.ts';
export { tagLegacyHash, verifyPassword } from './password.ts';
export { decrypt, deriveKey, encrypt, randomToken, sha256 } from './secrets.ts';
export { ACCESS_COOKIE, REFRESH_COOKIE } from './cookies.ts';
export { listLiveSessions, revokeUserSessions } from './sessions.repo.ts';
export { sessionsEnded } from './sessions.service.ts';
export { hashBackupCode, verifySecondFactor } from './totp.ts';
export { findUserByEmail, findUserById } from './users.repo.ts';
export type { UserRow } from './users.schema.ts';
export * as authEmails from './auth.emails.ts';
