import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';

/**
 * Where the encrypted bytes live. Both backends see only ciphertext (envelope.ts) under keys the store makes
 * (`<purpose>/<uuid>.bin`); they know nothing of owners, types or retention (the `documents` table does).
 */
export interface BlobBackend {
  readonly kind: 'directory' | 's3';
  put(key: string, bytes: Buffer): Promise<void>;
  /** null when nothing is stored under the key. */
  get(key: string): Promise<Buffer | null>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

const KEY_RE = /^[a-z0-9][a-z0-9_-]*\/[a-z0-9-]+\.bin$/;

function checkKey(key: string): string {
  if (!KEY_RE.test(key)) throw new Error(`invalid storage key ${JSON.stringify(key)}`);
  return key;
}

/** A directory (embedded mode: under DATA_DIR): one file per document, mode 0600, written whole then renamed. */
export class DirectoryBackend implements BlobBackend {
  readonly kind = 'directory' as const;
  private readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
  }

  private path(key: string): string {
    const p = resolve(this.root, ...checkKey(key).split('/'));
    if (!p.startsWith(this.root + sep)) throw new Error('storage key escapes the document directory');
    return p;
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    const file = this.path(key);
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    const tmp = join(dirname(file), `.${randomUUID()}.tmp`);
    await writeFile(tmp, bytes, { mode: 0o600 });
    await rename(tmp, file);
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.path(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  async close(): Promise<void> {}
}

export interface S3Settings {
  bucket: string;
  /** AWS_ENDPOINT_URL_S3 (Tigris: https://fly.storage.tigris.dev); null for AWS itself. */
  endpoint: string | null;
  region: string;
  accessKeyId: string | null;
  secretAccessKey: string | null;
  /** Path-style URLs (`endpoint/bucket/key`): local S3-protocol servers need them. */
  forcePathStyle: boolean;
  /** 'when_required': send and check checksums only where S3 requires them (stores that lack the newer ones). */
  checksums: 'when_supported' | 'when_required';
}

/** S3-compatible object storage (Tigris on Fly, AWS S3, MinIO…). The SDK is loaded only when this backend is used. */
export class S3Backend implements BlobBackend {
  readonly kind = 's3' as const;
  private constructor(
    private readonly client: S3Client,
    private readonly sdk: typeof import('@aws-sdk/client-s3'),
    private readonly bucket: string,
  ) {}

  static async create(s: S3Settings): Promise<S3Backend> {
    const sdk = await import('@aws-sdk/client-s3');
    const checksum = s.checksums === 'when_required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED';
    const client = new sdk.S3Client({
      region: s.region,
      ...(s.endpoint ? { endpoint: s.endpoint } : {}),
      ...(s.accessKeyId && s.secretAccessKey ? { credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } } : {}),
      forcePathStyle: s.forcePathStyle,
      requestChecksumCalculation: checksum,
      responseChecksumValidation: checksum,
    });
    return new S3Backend(client, sdk, s.bucket);
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    await this.client.send(new this.sdk.PutObjectCommand({ Bucket: this.bucket, Key: checkKey(key), Body: bytes, ContentType: 'application/octet-stream' }));
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      const out = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.bucket, Key: checkKey(key) }));
      if (!out.Body) return null;
      return Buffer.from(await out.Body.transformToByteArray());
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new this.sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: checkKey(key) }));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
