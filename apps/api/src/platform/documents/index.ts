import type { Config } from '../../config.ts';
import type { Executor } from '../db/client.ts';
import { type BlobBackend, DirectoryBackend, S3Backend } from './backends.ts';
import { DocumentStore } from './store.ts';

export { type DocumentContentType, detectContentType } from './content-type.ts';
export { type DocumentAccess, DocumentStore, documentFileName, type PutDocument, type StoredDocument } from './store.ts';

/** The path of the signed-access route (modules/documents): GET <path>/<token>. */
export const DOCUMENT_ACCESS_PATH = '/api/documents/access';

/** The backend the configuration names: S3-compatible storage when BUCKET_NAME is set, a directory otherwise. */
export async function createBlobBackend(config: Config): Promise<BlobBackend> {
  const d = config.documents;
  return d.backend.kind === 's3' ? S3Backend.create(d.backend) : new DirectoryBackend(d.backend.dir);
}

export async function createDocumentStore(config: Config, db: Executor): Promise<DocumentStore> {
  const d = config.documents;
  return new DocumentStore(db, await createBlobBackend(config), {
    secret: d.encryptionKey ?? config.auth.dataEncryptionKey,
    maxBytes: d.maxBytes,
    retentionDays: d.retentionDays,
    accessTtlSeconds: d.accessTtlSeconds,
    accessPath: DOCUMENT_ACCESS_PATH,
  });
}
