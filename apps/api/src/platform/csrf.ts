import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Double-submit CSRF tokens: the token is returned in the body of GET /api/csrf and set as a cookie; a
 * state-changing cookie-authenticated request must echo it in X-CSRF-Token. The token is HMAC-signed with
 * CSRF_SECRET over a nonce and the session it was issued for, so a token planted by an attacker (cookie
 * injection from a sibling subdomain) or issued to another session does not verify.
 */
export const CSRF_COOKIE = 'csrf_token';
export const CSRF_HEADER = 'x-csrf-token';
export const ANONYMOUS_BINDING = 'anonymous';

function sign(secret: string, nonce: string, binding: string): string {
  return createHmac('sha256', secret).update(`${nonce}|${binding}`).digest('base64url');
}

export function issueCsrfToken(secret: string, binding: string): string {
  const nonce = randomBytes(18).toString('base64url');
  return `${nonce}.${sign(secret, nonce, binding)}`;
}

export function verifyCsrfToken(secret: string, token: string | undefined, binding: string): boolean {
  if (!token || token.length > 200) return false;
  const dot = token.indexOf('.');
  if (dot <= 0) return false;
  const expected = Buffer.from(sign(secret, token.slice(0, dot), binding));
  const given = Buffer.from(token.slice(dot + 1));
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Both the header and the cookie must be present, equal, and signed for this session. */
export function csrfRequestValid(secret: string, header: unknown, cookie: string | undefined, binding: string): boolean {
  if (typeof header !== 'string' || !cookie) return false;
  const a = Buffer.from(header);
  const b = Buffer.from(cookie);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return false;
  return verifyCsrfToken(secret, header, binding);
}
