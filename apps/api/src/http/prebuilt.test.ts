import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { etagMatches, negotiateEncoding, PrebuiltBody, represent } from './prebuilt.ts';

const json = Buffer.from(JSON.stringify({ items: Array.from({ length: 40 }, (_, i) => ({ id: `asset-${i}`, priceUsd: `${i}.123456` })) }));

describe('negotiateEncoding', () => {
  it.each([
    [undefined, 'identity'],
    ['', 'identity'],
    ['gzip', 'gzip'],
    ['gzip, deflate, br', 'br'],
    ['br;q=0.5, gzip', 'gzip'],
    ['BR;Q=1, gzip;q=1', 'br'],
    ['gzip;q=0, br;q=0', 'identity'],
    ['deflate', 'identity'],
    ['*', 'br'],
    ['*;q=0.5, gzip', 'gzip'],
    ['br;q=0, *', 'gzip'],
    ['identity', 'identity'],
    ['gzip;q=nonsense', 'gzip'],
    [' , ;q=1', 'identity'],
  ] as const)('%j → %s', (header, expected) => {
    expect(negotiateEncoding(header)).toBe(expected);
  });
});

describe('etagMatches (weak comparison, RFC 9110 §13.1.2)', () => {
  it.each([
    [undefined, false],
    ['"abc"', true],
    ['W/"abc"', true],
    ['"x", "abc"', true],
    ['*', true],
    ['"abcd"', false],
    ['abc', false],
  ] as const)('%j against "abc" → %s', (header, expected) => {
    expect(etagMatches(header, '"abc"')).toBe(expected);
  });
});

describe('PrebuiltBody', () => {
  it('compresses once per encoding, each decoding to the same bytes, each with its own ETag', () => {
    const body = new PrebuiltBody(json, 'application/json; charset=utf-8');
    expect(gunzipSync(body.bytes('gzip')).equals(json)).toBe(true);
    expect(brotliDecompressSync(body.bytes('br')).equals(json)).toBe(true);
    expect(body.bytes('br')).toBe(body.bytes('br'));
    expect(body.bytes('br').length).toBeLessThan(json.length);
    expect(new Set([body.etag('identity'), body.etag('gzip'), body.etag('br')]).size).toBe(3);
    expect(new PrebuiltBody(Buffer.from(json), 'x').etag('identity')).toBe(body.etag('identity'));
    expect(new PrebuiltBody(Buffer.from(`${json} `), 'x').etag('identity')).not.toBe(body.etag('identity'));
  });

  it('sends small bodies as they are', () => {
    const small = new PrebuiltBody(Buffer.from('{"ok":true}'), 'application/json');
    expect(small.encodingFor('gzip, br')).toBe('identity');
  });

  it('represents a 200 with its encoding, and a 304 when the client holds that representation', () => {
    const body = new PrebuiltBody(json, 'application/json; charset=utf-8');
    const ok = represent(body, { 'accept-encoding': 'gzip' }, 'public, max-age=1');
    expect(ok.status).toBe(200);
    const gzipLength = String(body.bytes('gzip').length);
    expect(ok.headers).toEqual({
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'public, max-age=1',
      etag: body.etag('gzip'),
      'content-encoding': 'gzip',
      'content-length': gzipLength,
    });
    expect(ok.flat).toEqual(Object.entries(ok.headers).flat());
    expect(ok.payload).toBe(body.bytes('gzip'));
    const same = represent(body, { 'accept-encoding': 'gzip', 'if-none-match': body.etag('gzip') }, 'public, max-age=1');
    expect(same).toMatchObject({ status: 304, headers: { 'cache-control': 'public, max-age=1', etag: body.etag('gzip') }, payload: null });
    // The identity ETag does not validate the gzip representation.
    expect(represent(body, { 'accept-encoding': 'gzip', 'if-none-match': body.etag('identity') }, 'x').status).toBe(200);
  });
});
