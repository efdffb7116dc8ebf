import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDatabase } from '../../../test/helpers.ts';
import type { Database } from '../db/client.ts';
import { type BlobBackend, DirectoryBackend, S3Backend } from './backends.ts';
import { detectContentType } from './content-type.ts';
import { SAMPLE } from './documents.fixtures.ts';
import { DocumentStore } from './store.ts';

// A real S3-protocol server on a free port (s3rver keeps objects as files under its directory).
const S3rver = createRequire(import.meta.url)('@20minutes/s3rver') as new (
  o: Record<string, unknown>,
) => {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
};

const BUCKET = 'cv-documents';
const SECRET = 'a document store test secret that is long enough';

interface Harness {
  name: string;
  backend(): Promise<BlobBackend>;
  /** Every stored object's raw bytes, as the bucket or directory holds them. */
  raw(): Buffer[];
}

let s3dir = '';
let fsdir = '';
let s3server: InstanceType<typeof S3rver> | null = null;
let endpoint = '';
let db: Database;

beforeAll(async () => {
  db = await sharedDatabase();
  s3dir = mkdtempSync(join(tmpdir(), 'cv-s3rver-'));
  fsdir = mkdtempSync(join(tmpdir(), 'cv-docdir-'));
  s3server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: s3dir,
    allowMismatchedSignatures: true,
    configureBuckets: [{ name: BUCKET }],
  });
  const addr = await s3server.run();
  endpoint = `http://127.0.0.1:${addr.port}`;
});

afterAll(async () => {
  await s3server?.close();
  rmSync(s3dir, { recursive: true, force: true });
  rmSync(fsdir, { recursive: true, force: true });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

const harnesses: Harness[] = [
  {
    name: 'S3-compatible (s3rver)',
    backend: () =>
      S3Backend.create({
        bucket: BUCKET,
        endpoint,
        region: 'auto',
        accessKeyId: 'S3RVER',
        secretAccessKey: 'S3RVER',
        forcePathStyle: true,
        checksums: 'when_required',
      }),
    // s3rver keeps each object's body in a file named `<key>._S3rver_object`.
    raw: () =>
      filesUnder(s3dir)
        .filter((f) => f.endsWith('._S3rver_object'))
        .map((f) => readFileSync(f)),
  },
  {
    name: 'directory',
    backend: async () => new DirectoryBackend(fsdir),
    raw: () => filesUnder(fsdir).map((f) => readFileSync(f)),
  },
];

const settings = { secret: SECRET, maxBytes: 4096, retentionDays: 30, accessTtlSeconds: 300, accessPath: '/api/documents/access' };

describe('content types by magic bytes', () => {
  it('recognises JPEG, PNG and PDF by their first bytes, and nothing else whatever its name', () => {
    expect(detectContentType(SAMPLE.jpeg)).toBe('image/jpeg');
    expect(detectContentType(SAMPLE.png)).toBe('image/png');
    expect(detectContentType(SAMPLE.pdf)).toBe('application/pdf');
    expect(detectContentType(SAMPLE.exe)).toBeNull();
    expect(detectContentType(SAMPLE.html)).toBeNull();
    expect(detectContentType(Buffer.from([0xff, 0xd8]))).toBeNull();
  });
});

describe.each(harnesses)('document store: $name', (h) => {
  it('stores, reads back, and keeps only ciphertext at rest', async () => {
    const store = new DocumentStore(db.db, await h.backend(), settings);
    const before = h.raw().length;
    const doc = await store.put({ ownerId: null, purpose: 'kyc', bytes: SAMPLE.jpeg });
    expect(doc).toMatchObject({ contentType: 'image/jpeg', sizeBytes: SAMPLE.jpeg.length, purpose: 'kyc' });
    const back = await store.read(doc.id);
    expect(back.bytes.equals(SAMPLE.jpeg)).toBe(true);
    const raw = h.raw();
    expect(raw.length).toBe(before + 1);
    for (const blob of raw) {
      expect(blob.includes(Buffer.from('a passport photo'))).toBe(false);
      expect(blob.subarray(0, 4).toString()).toBe('CVD1');
    }
    // A different key cannot read it (GCM authentication).
    const other = new DocumentStore(db.db, await h.backend(), { ...settings, secret: `${SECRET} but another` });
    await expect(other.read(doc.id)).rejects.toThrow();
  });

  it('refuses a .jpg that is an executable or HTML (415), an oversize file (413) and an empty one, storing nothing', async () => {
    const store = new DocumentStore(db.db, await h.backend(), settings);
    const before = h.raw().length;
    await expect(store.put({ ownerId: null, purpose: 'kyc', bytes: SAMPLE.exe })).rejects.toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', statusCode: 415 });
    await expect(store.put({ ownerId: null, purpose: 'kyc', bytes: SAMPLE.html })).rejects.toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    const big = Buffer.concat([SAMPLE.png, Buffer.alloc(5000, 1)]);
    await expect(store.put({ ownerId: null, purpose: 'kyc', bytes: big })).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE', statusCode: 413 });
    await expect(store.put({ ownerId: null, purpose: 'kyc', bytes: Buffer.alloc(0) })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(h.raw().length).toBe(before);
  });

  it('deletes: the bytes go and the document is not found', async () => {
    const store = new DocumentStore(db.db, await h.backend(), settings);
    const doc = await store.put({ ownerId: null, purpose: 'support', bytes: SAMPLE.pdf });
    const before = h.raw().length;
    await store.delete(doc.id);
    expect(h.raw().length).toBe(before - 1);
    await expect(store.read(doc.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await store.find(doc.id)).toBeNull();
    await store.delete(doc.id); // twice is fine
  });

  it('survives a restart: a new store on the same database and storage reads what the first wrote', async () => {
    const first = new DocumentStore(db.db, await h.backend(), settings);
    const doc = await first.put({ ownerId: null, purpose: 'kyc', bytes: SAMPLE.png });
    await first.close();
    const second = new DocumentStore(db.db, await h.backend(), settings);
    expect((await second.read(doc.id)).bytes.equals(SAMPLE.png)).toBe(true);
  });

  it('the retention sweep deletes documents past their date and only those', async () => {
    const store = new DocumentStore(db.db, await h.backend(), settings);
    const short = await store.put({ ownerId: null, purpose: 'kyc', bytes: SAMPLE.png, retainDays: 1 });
    const long = await store.put({ ownerId: null, purpose: 'kyc', bytes: SAMPLE.pdf, retainDays: 90 });
    expect(await store.sweepExpired(new Date())).toBe(0);
    const inTwoDays = new Date(Date.now() + 2 * 86_400_000);
    expect(await store.sweepExpired(inTwoDays)).toBeGreaterThanOrEqual(1);
    await expect(store.read(short.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await store.read(long.id)).bytes.equals(SAMPLE.pdf)).toBe(true);
    await store.delete(long.id);
  });
});

describe('signed access', () => {
  it('is bound to a document and a viewer, expires, and a tampered token is not found', async () => {
    const store = new DocumentStore(db.db, new DirectoryBackend(fsdir), settings);
    const t0 = Date.now();
    const { token, url, expiresAt } = store.signAccess('00000000-0000-4000-8000-000000000001', 'viewer-1', 'operator', { ttlSeconds: 60, now: t0 });
    expect(url).toBe(`/api/documents/access/${token}`);
    expect(new Date(expiresAt).getTime()).toBeGreaterThan(t0);
    expect(store.verifyAccess(token, t0 + 1000)).toMatchObject({
      documentId: '00000000-0000-4000-8000-000000000001',
      viewerId: 'viewer-1',
      audience: 'operator',
    });
    expect(() => store.verifyAccess(token, t0 + 61_000)).toThrow(/expired/);
    const [payload] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ d: 'x', v: 'viewer-2', a: 'operator', e: 9e9 })).toString('base64url');
    expect(() => store.verifyAccess(`${forged}.${token.split('.')[1]}`)).toThrow(/not found/);
    expect(() => store.verifyAccess(`${payload}.AAAA`)).toThrow(/not found/);
    // Another deployment's secret does not verify this one's tokens.
    const other = new DocumentStore(db.db, new DirectoryBackend(fsdir), { ...settings, secret: `${SECRET}!` });
    expect(() => other.verifyAccess(token, t0)).toThrow(/not found/);
  });
});

describe('directory backend', () => {
  it('keeps files private to the process owner (0600)', async () => {
    const store = new DocumentStore(db.db, new DirectoryBackend(fsdir), settings);
    await store.put({ ownerId: null, purpose: 'kyc', bytes: SAMPLE.jpeg });
    for (const f of filesUnder(fsdir)) expect(statSync(f).mode & 0o077).toBe(0);
  });
});
