import { createHash, createHmac, hkdfSync, randomUUID, timingSafeEqual } from 'node:crypto';
import { and, eq, isNull, lte, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { AppError } from '../errors.ts';
import type { BlobBackend } from './backends.ts';
import { type DocumentContentType, detectContentType, extensionOf } from './content-type.ts';
import { type DocumentRow, documents } from './documents.schema.ts';
import { documentKey, open, seal } from './envelope.ts';

/** A stored document as callers see it (never its storage key). */
export interface StoredDocument {
  id: string;
  ownerId: string | null;
  purpose: string;
  contentType: DocumentContentType;
  sizeBytes: number;
  sha256: string;
  createdAt: Date;
  deleteAfter: Date;
}

export interface PutDocument {
  /** The user the document belongs to (null for platform documents). */
  ownerId: string | null;
  /** What it is for, e.g. `kyc`, `support` (lower-case, 2–32 characters). */
  purpose: string;
  bytes: Uint8Array;
  /** Days to keep it before the retention sweep deletes it; the configured DOCUMENT_RETENTION_DAYS by default. */
  retainDays?: number;
}

/** What a signed access token grants: one document, to one viewer, until `expiresAt`. */
export interface DocumentAccess {
  documentId: string;
  viewerId: string;
  /** `operator`: the viewer must still be an operator when opening it; `owner`: the viewer is the owner. */
  audience: 'operator' | 'owner';
  expiresAt: Date;
}

export interface DocumentStoreSettings {
  /** The secret documents are encrypted with (DOCUMENT_ENCRYPTION_KEY, else DATA_ENCRYPTION_KEY); keys derive from it. */
  secret: string;
  maxBytes: number;
  retentionDays: number;
  accessTtlSeconds: number;
  /** The path of the access route, e.g. `/api/documents/access` (the token is appended). */
  accessPath: string;
}

/**
 * The one interface for stored files (KYC documents, support attachments): checked by their bytes, encrypted
 * before they are written, never public, deleted on schedule. The row in `documents` is written after the bytes,
 * so a row always has its blob; a blob whose row failed is deleted at once.
 */
export class DocumentStore {
  private readonly key: Buffer;
  private readonly macKey: Buffer;

  constructor(
    private readonly db: Executor,
    private readonly backend: BlobBackend,
    private readonly settings: DocumentStoreSettings,
  ) {
    this.key = documentKey(settings.secret);
    this.macKey = Buffer.from(hkdfSync('sha256', settings.secret, 'cryptovault', 'document-access v1', 32));
  }

  get backendKind(): 'directory' | 's3' {
    return this.backend.kind;
  }

  get maxBytes(): number {
    return this.settings.maxBytes;
  }

  /**
   * Checks the type by the bytes (JPEG, PNG or PDF; 415 UNSUPPORTED_MEDIA_TYPE otherwise) and the size (413
   * PAYLOAD_TOO_LARGE), encrypts and stores. `ex` lets the caller write the row in its own transaction.
   */
  async put(input: PutDocument, ex: Executor = this.db): Promise<StoredDocument> {
    const { bytes } = input;
    if (bytes.length === 0) throw new AppError('VALIDATION_ERROR', 'The file is empty', [{ path: ['file'], message: 'empty file' }]);
    if (bytes.length > this.settings.maxBytes) {
      throw new AppError('PAYLOAD_TOO_LARGE', `The file is ${megabytes(bytes.length)}; files of at most ${megabytes(this.settings.maxBytes)} are accepted`, {
        maxBytes: this.settings.maxBytes,
        sizeBytes: bytes.length,
      });
    }
    const contentType = detectContentType(bytes);
    if (!contentType) {
      throw new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        'This file is not a JPEG, PNG or PDF (its contents were checked, not its name); send a photo or a PDF scan',
        {
          accepted: ['image/jpeg', 'image/png', 'application/pdf'],
        },
      );
    }
    if (!/^[a-z][a-z0-9_-]{1,31}$/.test(input.purpose)) throw new Error(`invalid document purpose ${input.purpose}`);
    const id = randomUUID();
    const storageKey = `${input.purpose}/${id}.bin`;
    await this.backend.put(storageKey, seal(this.key, storageKey, bytes));
    const retainDays = input.retainDays ?? this.settings.retentionDays;
    try {
      const [row] = await ex
        .insert(documents)
        .values({
          id,
          ownerId: input.ownerId,
          purpose: input.purpose,
          storageKey,
          contentType,
          sizeBytes: bytes.length,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          deleteAfter: sql`now() + make_interval(days => ${retainDays})`,
        })
        .returning();
      return view(row as DocumentRow);
    } catch (err) {
      await this.backend.delete(storageKey).catch(() => undefined);
      throw err;
    }
  }

  /** The document's description, or null when unknown or already deleted. */
  async find(id: string, ex: Executor = this.db): Promise<StoredDocument | null> {
    if (!UUID_RE.test(id)) return null;
    const [row] = await ex
      .select()
      .from(documents)
      .where(and(eq(documents.id, id), isNull(documents.deletedAt)));
    return row ? view(row) : null;
  }

  /** The decrypted bytes. NOT_FOUND when the document is unknown or deleted. */
  async read(id: string): Promise<{ document: StoredDocument; bytes: Buffer }> {
    const row = await this.row(id);
    const sealed = await this.backend.get(row.storageKey);
    if (!sealed) throw new AppError('NOT_FOUND', 'This document is no longer stored');
    return { document: view(row), bytes: open(this.key, row.storageKey, sealed) };
  }

  /** Deletes the bytes and marks the row deleted (the row stays: what was held, and when it went). */
  async delete(id: string): Promise<void> {
    const [row] = await this.db.select().from(documents).where(eq(documents.id, id));
    if (!row || row.deletedAt) return;
    await this.backend.delete(row.storageKey);
    await this.db.update(documents).set({ deletedAt: new Date() }).where(eq(documents.id, id));
  }

  /** Moves a document's deletion date (e.g. keep KYC evidence for the retention period after a decision). */
  async retainUntil(id: string, deleteAfter: Date, ex: Executor = this.db): Promise<void> {
    await ex.update(documents).set({ deleteAfter }).where(eq(documents.id, id));
  }

  /** Deletes every document whose `delete_after` has passed; returns how many. Safe to run on several machines. */
  async sweepExpired(now: Date = new Date()): Promise<number> {
    let deleted = 0;
    for (;;) {
      const due = await this.db
        .select({ id: documents.id, storageKey: documents.storageKey })
        .from(documents)
        .where(and(isNull(documents.deletedAt), lte(documents.deleteAfter, now)))
        .limit(100);
      if (due.length === 0) return deleted;
      for (const d of due) {
        await this.backend.delete(d.storageKey);
        await this.db
          .update(documents)
          .set({ deletedAt: new Date() })
          .where(and(eq(documents.id, d.id), isNull(documents.deletedAt)));
        deleted++;
      }
    }
  }

  /** A short-lived signed URL for one viewer (DOCUMENT_ACCESS_MINUTES by default). */
  signAccess(documentId: string, viewerId: string, audience: DocumentAccess['audience'], opts: { ttlSeconds?: number; now?: number } = {}) {
    const expiresAt = Math.floor((opts.now ?? Date.now()) / 1000) + (opts.ttlSeconds ?? this.settings.accessTtlSeconds);
    const payload = Buffer.from(JSON.stringify({ d: documentId, v: viewerId, a: audience, e: expiresAt })).toString('base64url');
    const token = `${payload}.${this.mac(payload)}`;
    return { token, url: `${this.settings.accessPath}/${token}`, expiresAt: new Date(expiresAt * 1000).toISOString() };
  }

  /** The grant in a token, or an AppError: a bad signature is NOT_FOUND, an expired token FORBIDDEN with that wording. */
  verifyAccess(token: string, now: number = Date.now()): DocumentAccess {
    const [payload, mac] = token.split('.');
    if (!payload || !mac || !safeEqual(mac, this.mac(payload))) throw new AppError('NOT_FOUND', 'Document not found');
    let grant: { d?: unknown; v?: unknown; a?: unknown; e?: unknown };
    try {
      grant = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw new AppError('NOT_FOUND', 'Document not found');
    }
    if (typeof grant.d !== 'string' || typeof grant.v !== 'string' || typeof grant.e !== 'number' || (grant.a !== 'operator' && grant.a !== 'owner')) {
      throw new AppError('NOT_FOUND', 'Document not found');
    }
    if (grant.e * 1000 <= now) throw new AppError('FORBIDDEN', 'This document link has expired; open the document again from the review page');
    return { documentId: grant.d, viewerId: grant.v, audience: grant.a, expiresAt: new Date(grant.e * 1000) };
  }

  async close(): Promise<void> {
    await this.backend.close();
  }

  private async row(id: string): Promise<DocumentRow> {
    if (!UUID_RE.test(id)) throw new AppError('NOT_FOUND', 'Document not found');
    const [row] = await this.db
      .select()
      .from(documents)
      .where(and(eq(documents.id, id), isNull(documents.deletedAt)));
    if (!row) throw new AppError('NOT_FOUND', 'Document not found');
    return row;
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.macKey).update(payload).digest('base64url');
  }
}

/** The file name a document is offered under (its type's extension; never a name the uploader chose). */
export function documentFileName(d: StoredDocument): string {
  return `${d.purpose}-${d.id.slice(0, 8)}.${extensionOf(d.contentType)}`;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function view(r: DocumentRow): StoredDocument {
  return {
    id: r.id,
    ownerId: r.ownerId,
    purpose: r.purpose,
    contentType: r.contentType as DocumentContentType,
    sizeBytes: r.sizeBytes,
    sha256: r.sha256,
    createdAt: r.createdAt,
    deleteAfter: r.deleteAfter,
  };
}

function megabytes(n: number): string {
  return `${(n / 1024 / 1024).toFixed(n < 1024 * 1024 ? 2 : 1)} MB`;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
