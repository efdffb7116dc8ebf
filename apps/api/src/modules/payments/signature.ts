import { createHmac, timingSafeEqual } from 'node:crypto';

/** NOWPayments' callbacks nest two levels (`fee`); anything much deeper is not a callback. */
export const MAX_IPN_DEPTH = 32;

/** A body nested deeper than MAX_IPN_DEPTH: refused before any recursion could exhaust the stack. */
export class TooDeepError extends Error {
  constructor() {
    super(`nested deeper than ${MAX_IPN_DEPTH} levels`);
    this.name = 'TooDeepError';
  }
}

/** Recursively sorts object keys (arrays keep their order), as NOWPayments does before signing. */
export function sortKeysDeep(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_IPN_DEPTH) throw new TooDeepError();
  if (Array.isArray(value)) return value.map((v) => sortKeysDeep(v, depth + 1));
  const o = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) out[k] = sortKeysDeep(o[k], depth + 1);
  return out;
}

/** Hex HMAC-SHA512 over JSON.stringify of the key-sorted body (no spaces): the `x-nowpayments-sig` value. */
export function signIpn(body: unknown, secret: string): string {
  return createHmac('sha512', secret)
    .update(JSON.stringify(sortKeysDeep(body)))
    .digest('hex');
}

/**
 * Constant-time check of a callback signature; false for a missing or malformed header. Throws TooDeepError for a
 * body nested beyond MAX_IPN_DEPTH (checked before the header, so the answer does not depend on it).
 */
export function verifyIpnSignature(body: unknown, header: unknown, secret: string): boolean {
  const expected = Buffer.from(signIpn(body, secret), 'hex');
  if (typeof header !== 'string' || !/^[0-9a-fA-F]{128}$/.test(header)) return false;
  const given = Buffer.from(header, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
