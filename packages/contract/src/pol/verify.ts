/**
 * Proof of liabilities: the canonical byte encoding of the Merkle sum tree and the verifier of an inclusion proof.
 * Pure TypeScript with no imports and no Node-only API: the server (tree builder), the web page and the CLI
 * (`npm run verify-proof`) all use these functions, so there is one encoding. Hashing is SHA-256; the verifier uses
 * WebCrypto (`crypto.subtle`), present in browsers and Node.js. docs/proof-of-liabilities.md specifies the format.
 */

export const POL_VERSION = 1;
/** Domain-separation tags: the first byte of every hashed message. */
export const TAG_LEAF = 0x00;
export const TAG_NODE = 0x01;
export const TAG_PADDING = 0x02;
/** Every sum is a 32-byte unsigned big-endian integer of the asset's smallest unit (10^-decimals). */
export const SUM_BYTES = 32;
/** One account's balance in one asset is below 2^128 units. */
export const LEAF_BITS = 128;
/** A tree is at most this many levels above its leaves. */
export const MAX_DEPTH = 64;
export const SALT_BYTES = 32;
export const SIGNED_MESSAGE_HEADER = 'cryptovault-proof-of-liabilities/v1';

export interface PolAsset {
  symbol: string;
  /** Places of the smallest unit: a balance of `1` is 10^decimals units. */
  decimals: number;
}

/** What the platform publishes and signs for one snapshot. */
export interface RootRecord {
  seq: number;
  snapshotId: string;
  /** When the snapshot's transaction read the balances. */
  createdAt: string;
  leafCount: number;
  depth: number;
  assets: PolAsset[];
  rootHash: string;
  /** Per asset, the root's sum in smallest units (integer strings). */
  rootSums: string[];
  /** The previous record's message hash (hex), or null for the first. */
  previousHash: string | null;
  /** Ed25519 signature (base64) over `signedMessage(record)`. */
  signature: string;
  /** The signing key, raw 32 bytes in base64. */
  publicKey: string;
}

export interface PathStep {
  /** Where the sibling sits: `left` means hash(sibling, current). */
  position: 'left' | 'right';
  hash: string;
  sums: string[];
}

export interface InclusionProof {
  version: number;
  snapshotId: string;
  userId: string;
  /** The leaf's secret salt (hex, 32 bytes): only its owner receives it. */
  salt: string;
  leafIndex: number;
  /** The account's balances, aligned with `root.assets`, as decimal strings. */
  balances: string[];
  path: PathStep[];
  root: RootRecord;
}

export interface VerifiedStep {
  height: number;
  hash: string;
  sums: string[];
  sibling: PathStep;
}

export interface VerificationResult {
  ok: boolean;
  /** Why it failed, written for a person. */
  errors: string[];
  leafHash: string | null;
  /** From the leaf (height 0) to the root. */
  steps: VerifiedStep[];
  signatureValid: boolean | null;
}

// ---------------------------------------------------------------------------------------------------------------
// Bytes

/** Value of a lowercase hex digit's char code (0-9: 48-57, a-f: 97-102). */
const nibble = (c: number): number => (c <= 57 ? c - 48 : c - 87);

/** `hex` (lowercase, already checked) into `out` from `offset`: one byte per two digits. */
function hexInto(hex: string, out: Uint8Array, offset: number): void {
  for (let i = 0, o = offset; i < hex.length; i += 2, o++) out[o] = (nibble(hex.charCodeAt(i)) << 4) | nibble(hex.charCodeAt(i + 1));
}

export function hexToBytes(hex: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/.test(hex)) throw new Error('not lowercase hex');
  const out = new Uint8Array(hex.length / 2);
  hexInto(hex, out, 0);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function base64ToBytes(b64: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) throw new Error('not base64');
  const clean = b64.replace(/=+$/, '');
  const out: number[] = [];
  let buf = 0;
  let bits = 0;
  for (const ch of clean) {
    buf = (buf << 6) | B64.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((buf >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A sum as 32 bytes, unsigned big-endian. Throws outside [0, 2^256). */
export function encodeSum(value: bigint): Uint8Array {
  const out = new Uint8Array(SUM_BYTES);
  sumInto(value, out, 0);
  return out;
}

const SUM_LIMIT = 1n << BigInt(SUM_BYTES * 8);

/** `value` as 32 bytes, unsigned big-endian, into `out` at `offset` (the hex digits of the number, not a byte loop: a tree of a million leaves encodes millions of sums). */
function sumInto(value: bigint, out: Uint8Array, offset: number): void {
  if (value < 0n || value >= SUM_LIMIT) throw new Error('sum outside the 32-byte unsigned range');
  hexInto(value.toString(16).padStart(SUM_BYTES * 2, '0'), out, offset);
}

export function decodeSum(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

function u16(n: number): Uint8Array {
  return Uint8Array.of((n >> 8) & 0xff, n & 0xff);
}

function encodeSums(sums: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(2 + sums.length * SUM_BYTES);
  out[0] = (sums.length >> 8) & 0xff;
  out[1] = sums.length & 0xff;
  for (let i = 0; i < sums.length; i++) sumInto(sums[i]!, out, 2 + i * SUM_BYTES);
  return out;
}

/** Leaf message: 0x00 ‖ salt (32) ‖ u16 length ‖ user id (UTF-8) ‖ u16 n ‖ n × sum. */
export function leafMessage(salt: Uint8Array, userId: string, balances: readonly bigint[]): Uint8Array {
  if (salt.length !== SALT_BYTES) throw new Error(`salt must be ${SALT_BYTES} bytes`);
  const id = utf8(userId);
  return concat([Uint8Array.of(TAG_LEAF), salt, u16(id.length), id, encodeSums(balances)]);
}

/** Node message: 0x01 ‖ left hash (32) ‖ left sums ‖ right hash (32) ‖ right sums (each sums block: u16 n ‖ n × sum). */
export function nodeMessage(leftHash: Uint8Array, leftSums: readonly bigint[], rightHash: Uint8Array, rightSums: readonly bigint[]): Uint8Array {
  return concat([Uint8Array.of(TAG_NODE), leftHash, encodeSums(leftSums), rightHash, encodeSums(rightSums)]);
}

/** The empty node that pairs with the last node of a level with an odd count: 0x02 ‖ u8 height. Its sums are zero. */
export function paddingMessage(height: number): Uint8Array {
  return Uint8Array.of(TAG_PADDING, height & 0xff);
}

/** Upper bound (exclusive) of any sum of a node at `height`: a node covers at most 2^height leaves. */
export function sumBound(height: number): bigint {
  return 1n << BigInt(LEAF_BITS + height);
}

/** Parent sums; throws when a child's sum is negative or beyond what its height allows (the range check). */
export function addSums(left: readonly bigint[], right: readonly bigint[], childHeight: number): bigint[] {
  if (left.length !== right.length) throw new Error('children carry different numbers of sums');
  const bound = sumBound(childHeight);
  return left.map((l, i) => {
    const r = right[i]!;
    if (l < 0n || r < 0n) throw new Error('a sum is negative');
    if (l >= bound || r >= bound) throw new Error(`a sum exceeds 2^${LEAF_BITS + childHeight} at height ${childHeight}`);
    return l + r;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Amounts: exact decimal strings ↔ integer smallest units (no floating point anywhere).

const DECIMAL_RE = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

/** `"1.5"` at 8 decimals → 150000000n. Throws on a negative, malformed or too precise amount. */
export function toUnits(amount: string, decimals: number): bigint {
  const m = DECIMAL_RE.exec(amount);
  if (!m) throw new Error(`"${amount}" is not a non-negative decimal amount`);
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > decimals) throw new Error(`"${amount}" has more than ${decimals} decimal places`);
  return BigInt(m[1]!) * 10n ** BigInt(decimals) + BigInt(frac.padEnd(decimals, '0') || '0');
}

/** 150000000n at 8 decimals → `"1.5"` (no trailing zeros). */
export function fromUnits(units: bigint, decimals: number): string {
  if (units < 0n) throw new Error('negative units');
  const s = units.toString().padStart(decimals + 1, '0');
  const int = s.slice(0, s.length - decimals);
  const frac = s.slice(s.length - decimals).replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
}

function parseSums(list: readonly string[], what: string): bigint[] {
  return list.map((s) => {
    if (!/^(0|[1-9][0-9]{0,80})$/.test(s)) throw new Error(`${what}: "${s}" is not a non-negative integer`);
    return BigInt(s);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The signed root record

/** The exact bytes the platform signs (UTF-8 of these lines, joined with \n). */
export function signedMessage(r: Omit<RootRecord, 'signature' | 'publicKey'>): string {
  return [
    SIGNED_MESSAGE_HEADER,
    `seq:${r.seq}`,
    `snapshot:${r.snapshotId}`,
    `created:${r.createdAt}`,
    `leaves:${r.leafCount}`,
    `depth:${r.depth}`,
    `root:${r.rootHash}`,
    `previous:${r.previousHash ?? '-'}`,
    ...r.assets.map((a, i) => `asset:${a.symbol}:${a.decimals}:${r.rootSums[i] ?? ''}`),
  ].join('\n');
}

interface Subtle {
  digest(algorithm: string, data: Uint8Array): Promise<ArrayBuffer>;
  importKey(format: 'raw', key: Uint8Array, algorithm: { name: string }, extractable: boolean, usages: string[]): Promise<unknown>;
  verify(algorithm: { name: string }, key: unknown, signature: Uint8Array, data: Uint8Array): Promise<boolean>;
}

function subtle(): Subtle {
  const c = (globalThis as unknown as { crypto?: { subtle?: Subtle } }).crypto;
  if (!c?.subtle) throw new Error('WebCrypto (crypto.subtle) is not available here');
  return c.subtle;
}

export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle().digest('SHA-256', data));
}

/** Hash of a record's signed message: what the next record names as `previousHash`. */
export async function recordHash(r: Omit<RootRecord, 'signature' | 'publicKey'>): Promise<string> {
  return bytesToHex(await sha256(utf8(signedMessage(r))));
}

/** Ed25519 over `signedMessage(record)` with the record's key (WebCrypto). */
export async function verifyRecordSignature(r: RootRecord): Promise<boolean> {
  try {
    const key = await subtle().importKey('raw', base64ToBytes(r.publicKey), { name: 'Ed25519' }, false, ['verify']);
    return await subtle().verify({ name: 'Ed25519' }, key, base64ToBytes(r.signature), utf8(signedMessage(r)));
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Verification

export interface VerifyOptions {
  /** The root published by the platform (its JSON endpoint): the proof's root must be this one. */
  expectedRootHash?: string;
  /** The platform's published key (base64): the proof's record must be signed by it. */
  expectedPublicKey?: string;
}

/**
 * Recomputes the leaf from the account's id, salt and balances, walks the path to the root checking every sum's
 * range, and compares the result with the signed root record. Never throws: problems are in `errors`.
 */
export async function verifyInclusionProof(input: unknown, opts: VerifyOptions = {}): Promise<VerificationResult> {
  const result: VerificationResult = { ok: false, errors: [], leafHash: null, steps: [], signatureValid: null };
  const fail = (msg: string): VerificationResult => {
    result.errors.push(msg);
    result.ok = false;
    return result;
  };
  try {
    const p = input as InclusionProof;
    if (!p || typeof p !== 'object' || p.version !== POL_VERSION) return fail(`not a version ${POL_VERSION} proof of liabilities`);
    const root = p.root;
    if (!root || !Array.isArray(root.assets) || !Array.isArray(root.rootSums) || root.assets.length !== root.rootSums.length) {
      return fail('the proof has no usable root record');
    }
    if (!Array.isArray(p.balances) || p.balances.length !== root.assets.length) return fail('the balances do not match the assets of the root');
    if (!Array.isArray(p.path) || p.path.length > MAX_DEPTH || p.path.length !== root.depth) return fail('the path length does not match the tree depth');
    if (p.snapshotId !== root.snapshotId) return fail('the proof and the root record belong to different snapshots');

    let sums: bigint[];
    try {
      sums = p.balances.map((b, i) => toUnits(String(b), root.assets[i]!.decimals));
    } catch (err) {
      return fail(`a balance is not valid: ${(err as Error).message}`);
    }
    for (const s of sums) if (s >= sumBound(0)) return fail('a balance exceeds the leaf bound');
    let hash = await sha256(leafMessage(hexToBytes(String(p.salt)), String(p.userId), sums));
    result.leafHash = bytesToHex(hash);

    let index = p.leafIndex;
    for (let h = 0; h < p.path.length; h++) {
      const step = p.path[h]!;
      if (step.position !== 'left' && step.position !== 'right') return fail(`step ${h}: position must be left or right`);
      if ((index % 2 === 1) !== (step.position === 'left')) return fail(`step ${h}: the sibling's side does not match the leaf index`);
      let siblingSums: bigint[];
      let siblingHash: Uint8Array;
      try {
        siblingSums = parseSums(step.sums, `step ${h}`);
        siblingHash = hexToBytes(step.hash);
        if (siblingHash.length !== 32) throw new Error(`step ${h}: a hash is 32 bytes`);
      } catch (err) {
        return fail((err as Error).message);
      }
      let parent: bigint[];
      try {
        parent = addSums(sums, siblingSums, h);
      } catch (err) {
        return fail(`step ${h}: ${(err as Error).message}`);
      }
      hash =
        step.position === 'left'
          ? await sha256(nodeMessage(siblingHash, siblingSums, hash, sums))
          : await sha256(nodeMessage(hash, sums, siblingHash, siblingSums));
      sums = parent;
      index = Math.floor(index / 2);
      result.steps.push({ height: h + 1, hash: bytesToHex(hash), sums: sums.map(String), sibling: step });
    }
    if (index !== 0) return fail('the leaf index is outside the tree');
    const rootHash = bytesToHex(hash);
    if (rootHash !== root.rootHash) return fail('the path does not lead to the root hash: the proof was altered');
    if (sums.some((s, i) => s.toString() !== root.rootSums[i])) return fail("the path's sums do not add up to the root's totals");
    if (opts.expectedRootHash !== undefined && opts.expectedRootHash !== root.rootHash) return fail('the root differs from the published root');
    if (opts.expectedPublicKey !== undefined && opts.expectedPublicKey !== root.publicKey)
      return fail("the root is not signed with the platform's published key");
    result.signatureValid = await verifyRecordSignature(root);
    if (!result.signatureValid) return fail("the root record's signature does not verify");
    result.ok = true;
    return result;
  } catch (err) {
    return fail(`the proof could not be read: ${(err as Error).message}`);
  }
}
