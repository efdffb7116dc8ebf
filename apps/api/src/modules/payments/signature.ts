import { createHmac, timingSafeEqual } from 'node:crypto';

/** Recursively sorts object keys (arrays keep their order), as NOWPayments does before signing. */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o).sort()) out[k] = sortKeysDeep(o[k]);
    return out;
  }
  return value;
}

/** Hex HMAC-SHA512 over JSON.stringify of the key-sorted body (no spaces): the `x-nowpayments-sig` value. */
export function signIpn(body: unknown, secret: string): string {
  return createHmac('sha512', secret).update(JSON.stringify(sortKeysDeep(body))).digest('hex');
}

/** Constant-time check of a callback signature; false for a missing or malformed header. */
export function verifyIpnSignature(body: unknown, header: unknown, secret: string): boolean {
  if (typeof header !== 'string' || !/^[0-9a-fA-F]{128}$/.test(header)) return false;
  const expected = Buffer.from(signIpn(body, secret), 'hex');
  const given = Buffer.from(header, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
