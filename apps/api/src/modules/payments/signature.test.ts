import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_IPN_DEPTH, signIpn, sortKeysDeep, TooDeepError, verifyIpnSignature } from './signature.ts';

const secret = 'ipn-secret-for-tests';
const body = {
  payment_status: 'finished',
  payment_id: 5077125051,
  fee: { withdrawalFee: 0, serviceFee: 0.0001, depositFee: 0, currency: 'btc' },
  actually_paid: 0.0015,
  price_amount: 100,
};

describe('IPN signature', () => {
  it('is HMAC-SHA512 hex over the recursively key-sorted JSON without spaces', () => {
    const canonical =
      '{"actually_paid":0.0015,"fee":{"currency":"btc","depositFee":0,"serviceFee":0.0001,"withdrawalFee":0},"payment_id":5077125051,"payment_status":"finished","price_amount":100}';
    expect(JSON.stringify(sortKeysDeep(body))).toBe(canonical);
    expect(signIpn(body, secret)).toBe(createHmac('sha512', secret).update(canonical).digest('hex'));
  });

  it('verifies a correct signature whatever the key order of the received body', () => {
    const sig = signIpn(body, secret);
    const reordered = JSON.parse(
      '{"price_amount":100,"fee":{"currency":"btc","serviceFee":0.0001,"depositFee":0,"withdrawalFee":0},"payment_id":5077125051,"actually_paid":0.0015,"payment_status":"finished"}',
    );
    expect(verifyIpnSignature(reordered, sig, secret)).toBe(true);
    expect(verifyIpnSignature(body, sig.toUpperCase(), secret)).toBe(true);
  });

  it('rejects missing, malformed, forged and unsorted signatures', () => {
    expect(verifyIpnSignature(body, undefined, secret)).toBe(false);
    expect(verifyIpnSignature(body, '', secret)).toBe(false);
    expect(verifyIpnSignature(body, 'zz', secret)).toBe(false);
    expect(verifyIpnSignature(body, signIpn(body, 'another-secret'), secret)).toBe(false);
    expect(verifyIpnSignature({ ...body, price_amount: 1000 }, signIpn(body, secret), secret)).toBe(false);
    expect(verifyIpnSignature({ ...body, fee: { ...body.fee, serviceFee: 0 } }, signIpn(body, secret), secret)).toBe(false);
    const unsorted = createHmac('sha512', secret).update(JSON.stringify(body)).digest('hex');
    expect(verifyIpnSignature(body, unsorted, secret)).toBe(false);
  });
});

describe('IPN key sorting depth', () => {
  it('refuses a body nested deeper than NOWPayments ever sends before recursing into it', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => sortKeysDeep(deep)).toThrow(TooDeepError);
    expect(() => verifyIpnSignature(deep, 'a'.repeat(128), secret)).toThrow(/nested deeper than 32 levels/);
    let ok: unknown = { fee: 1 };
    for (let i = 0; i < MAX_IPN_DEPTH - 1; i++) ok = { a: ok };
    expect(() => signIpn(ok, secret)).not.toThrow();
  });
});
