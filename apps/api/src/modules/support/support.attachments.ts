import type { SupportAttachment } from '@cryptovault/contract';
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import { documentFileName } from '../../platform/documents/index.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import { type SupportAttachmentRow, supportAttachments } from './support.schema.ts';

/**
 * Attachments: files a ticket's owner sends with a message, kept in the platform's document store (purpose
 * `support`): the store checks the type by the bytes (JPEG, PNG, PDF), the size, encrypts them and serves them only
 * through short-lived links signed for one viewer. Uploaded first, then linked to the message that sends them.
 */

export type AttachmentDeps = Pick<Platform, 'database' | 'documents' | 'rateLimiter'>;

export const UPLOAD_LIMIT = { name: 'support:upload:user', limit: 20, windowMs: 60 * 60_000 };

function view(r: Pick<SupportAttachmentRow, 'documentId' | 'contentType' | 'sizeBytes' | 'createdAt'>): SupportAttachment {
  const contentType = r.contentType as SupportAttachment['contentType'];
  const fileName = documentFileName({ id: r.documentId, purpose: 'support', contentType } as Parameters<typeof documentFileName>[0]);
  return { id: r.documentId, contentType, sizeBytes: r.sizeBytes, fileName };
}

export async function uploadAttachment(d: AttachmentDeps, userId: string, base64: string): Promise<SupportAttachment> {
  await d.rateLimiter.consume(UPLOAD_LIMIT, userId);
  const bytes = Buffer.from(base64, 'base64');
  return d.database.db.transaction(async (tx) => {
    const doc = await d.documents.put({ ownerId: userId, purpose: 'support', bytes }, tx);
    const [row] = await tx
      .insert(supportAttachments)
      .values({ documentId: doc.id, uploadedBy: userId, contentType: doc.contentType, sizeBytes: doc.sizeBytes })
      .returning();
    return view(row!);
  });
}

/** Links the owner's unsent uploads to their message; an id that is not one of them is refused (nothing linked). */
export async function linkAttachments(tx: Executor, userId: string, ticketId: string, messageId: string, ids: readonly string[]): Promise<void> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return;
  const linked = await tx
    .update(supportAttachments)
    .set({ ticketId, messageId })
    .where(and(inArray(supportAttachments.documentId, unique), eq(supportAttachments.uploadedBy, userId), isNull(supportAttachments.messageId)))
    .returning({ id: supportAttachments.documentId });
  if (linked.length !== unique.length) {
    throw new AppError('VALIDATION_ERROR', 'A file to send was not found or was already sent; upload it again', [
      { path: ['body', 'attachmentIds'], message: 'unknown or already sent file' },
    ]);
  }
}

/** The files of each message of a ticket, by message id. */
export async function attachmentsByMessage(ex: Executor, ticketId: string): Promise<Map<string, SupportAttachment[]>> {
  const rows = await ex
    .select()
    .from(supportAttachments)
    .where(eq(supportAttachments.ticketId, ticketId))
    .orderBy(asc(supportAttachments.createdAt), asc(supportAttachments.documentId));
  const out = new Map<string, SupportAttachment[]>();
  for (const r of rows) if (r.messageId) out.set(r.messageId, [...(out.get(r.messageId) ?? []), view(r)]);
  return out;
}

/**
 * A signed link to one file of a ticket, for `viewerId`: the caller has checked the viewer may read the ticket
 * (its owner, or an operator). A file of another ticket is a 404.
 */
export async function signAttachment(d: AttachmentDeps, ticketId: string, attachmentId: string, viewerId: string, audience: 'owner' | 'operator') {
  const [row] = await d.database.db
    .select()
    .from(supportAttachments)
    .where(and(eq(supportAttachments.documentId, attachmentId), eq(supportAttachments.ticketId, ticketId)));
  if (!row) throw notFound('Attachment');
  const { url, expiresAt } = d.documents.signAccess(row.documentId, viewerId, audience);
  return { url, expiresAt };
}
