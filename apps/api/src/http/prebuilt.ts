import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export type BodyEncoding = 'br' | 'gzip' | 'identity';

/** Bodies smaller than this are sent as they are (the same threshold as @fastify/compress in app.ts). */
export const COMPRESS_THRESHOLD_BYTES = 1024;
/** When a client accepts both equally, the smaller one wins. */
const PREFERENCE: readonly BodyEncoding[] = ['br', 'gzip'];

/**
 * A response body that changes far less often than it is read (the price list changes once a tick): serialised
 * once, compressed at most once per encoding, with a strong ETag per encoding, instead of serialised and compressed
 * again on every request.
 */
export class PrebuiltBody {
  private readonly hash: string;
  private readonly encoded = new Map<BodyEncoding, Buffer>();
  private readonly answers = new Map<string, Answers>();

  constructor(
    readonly identity: Buffer,
    readonly contentType: string,
  ) {
    this.hash = createHash('sha256').update(identity).digest('base64url').slice(0, 22);
    this.encoded.set('identity', identity);
  }

  /** Strong ETags: each encoding is its own representation (RFC 9110 §8.8.3). */
  etag(encoding: BodyEncoding): string {
    return encoding === 'identity' ? `"${this.hash}"` : `"${this.hash}-${encoding}"`;
  }

  bytes(encoding: BodyEncoding): Buffer {
    let b = this.encoded.get(encoding);
    if (!b) {
      // Once per body and encoding, so the best ratio is affordable (per-request compression in app.ts uses quality 4).
      b =
        encoding === 'br'
          ? brotliCompressSync(this.identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: this.identity.length } })
          : gzipSync(this.identity, { level: 9 });
      this.encoded.set(encoding, b);
    }
    return b;
  }

  /** Which encoding this body goes out in for a request's Accept-Encoding. */
  encodingFor(acceptEncoding: string | undefined): BodyEncoding {
    return this.identity.length < COMPRESS_THRESHOLD_BYTES ? 'identity' : negotiateEncoding(acceptEncoding);
  }

  /** The 200 and the 304 in one encoding under one Cache-Control, built once. */
  answersFor(encoding: BodyEncoding, cacheControl: string): Answers {
    const key = `${encoding} ${cacheControl}`;
    let a = this.answers.get(key);
    if (!a) {
      const etag = this.etag(encoding);
      const payload = this.bytes(encoding);
      const ok: Record<string, string> = { 'content-type': this.contentType, 'cache-control': cacheControl, etag };
      if (encoding !== 'identity') ok['content-encoding'] = encoding;
      ok['content-length'] = String(payload.length);
      const notModified = { 'cache-control': cacheControl, etag };
      a = {
        etag,
        ok: { status: 200, headers: Object.freeze(ok), flat: Object.entries(ok).flat(), payload },
        notModified: { status: 304, headers: Object.freeze(notModified), flat: Object.entries(notModified).flat(), payload: null },
      };
      this.answers.set(key, a);
    }
    return a;
  }
}

/** Accept-Encoding values already negotiated (browsers send one of a handful), up to a bound. */
const negotiated = new Map<string, BodyEncoding>();
const MEMO_LIMIT = 256;
const MEMO_MAX_LENGTH = 200;

/**
 * The preferred content coding we produce for an Accept-Encoding header (RFC 9110 §12.5.3): the highest q-value
 * among br and gzip (`*` stands for any coding not listed), ties going to br; identity when none is acceptable or
 * the header is absent.
 */
export function negotiateEncoding(header: string | undefined): BodyEncoding {
  if (!header) return 'identity';
  if (header.length > MEMO_MAX_LENGTH) return parseAcceptEncoding(header);
  let known = negotiated.get(header);
  if (known === undefined) {
    known = parseAcceptEncoding(header);
    // A client cycling through many values only empties the memo.
    if (negotiated.size >= MEMO_LIMIT) negotiated.clear();
    negotiated.set(header, known);
  }
  return known;
}

function parseAcceptEncoding(header: string): BodyEncoding {
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [rawName, ...params] = part.split(';');
    const name = rawName?.trim().toLowerCase();
    if (!name) continue;
    let weight = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(p);
      if (m) weight = Number(m[1]);
    }
    q.set(name, Math.min(1, weight));
  }
  let best: BodyEncoding = 'identity';
  let bestQ = 0;
  for (const enc of PREFERENCE) {
    const w = q.get(enc) ?? q.get('*') ?? 0;
    if (w > bestQ) {
      best = enc;
      bestQ = w;
    }
  }
  return best;
}

/** If-None-Match against one ETag, with the weak comparison RFC 9110 §13.1.2 prescribes (W/ is ignored). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  for (const tag of ifNoneMatch.split(',')) {
    const t = tag.trim();
    if ((t.startsWith('W/') ? t.slice(2) : t) === etag) return true;
  }
  return false;
}

export interface Representation {
  status: 200 | 304;
  /** Representation headers, with Content-Length on a 200; Vary is the caller's (it merges with CORS's). */
  headers: Readonly<Record<string, string>>;
  /** The same headers as name, value, name, value… (what `ServerResponse.writeHead` takes). */
  flat: readonly string[];
  /** null for a 304. */
  payload: Buffer | null;
}

interface Answers {
  etag: string;
  ok: Representation;
  notModified: Representation;
}

/** What a GET of a prebuilt body answers, for the request's Accept-Encoding and If-None-Match. */
export function represent(body: PrebuiltBody, request: IncomingHttpHeaders, cacheControl: string): Representation {
  const a = body.answersFor(body.encodingFor(request['accept-encoding']), cacheControl);
  const ifNoneMatch = request['if-none-match'];
  return ifNoneMatch !== undefined && etagMatches(ifNoneMatch, a.etag) ? a.notModified : a.ok;
}
