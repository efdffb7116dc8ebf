import type {
  KycDecisionRequest,
  KycDocumentUpload,
  KycDocumentUploaded,
  KycQueue,
  KycReviewDetail,
  KycStatus,
  KycSubmission,
  KycTier1Request,
  KycTier2Request,
} from '@cryptovault/contract';
import { AppError } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import { recordAudit } from '../audit/index.ts';
import { contactOf, contactsOf } from '../auth/index.ts';
import { notify } from '../notifications/index.ts';
import * as repo from './kyc.repo.ts';
import type { KycSubmissionRow } from './kyc.schema.ts';
import { limitsWithUsage, periodsAt, tierLimits } from './limits.ts';

/** What a KYC service call needs from the platform. */
export type KycPlatform = Platform;

export function submissionView(r: KycSubmissionRow): KycSubmission {
  return {
    id: r.id,
    tier: r.tier as 1 | 2,
    status: r.status as KycSubmission['status'],
    reason: r.reason,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    decidedAt: r.decidedAt?.toISOString() ?? null,
  };
}

export async function kycStatus(platform: KycPlatform, userId: string, now = new Date()): Promise<KycStatus> {
  const db = platform.database.db;
  const { tier, limits } = await limitsWithUsage(db, platform.config, userId, now);
  const latest = await repo.latestSubmission(db, userId);
  const p = periodsAt(now);
  return {
    tier,
    enforced: platform.config.kyc.enforced,
    limits,
    nextTier: tier < 2 ? tierLimits(platform.config.kyc.limits, (tier + 1) as 1 | 2) : null,
    submission: latest ? submissionView(latest) : null,
    resets: { day: p.dayEnd.toISOString(), month: p.monthEnd.toISOString() },
  };
}

async function limitSubmissions(platform: KycPlatform, userId: string, what: 'submit' | 'upload'): Promise<void> {
  const rule = what === 'submit' ? { name: 'kyc:submit', limit: 10, windowMs: 3_600_000 } : { name: 'kyc:upload', limit: 30, windowMs: 3_600_000 };
  const rl = await platform.rateLimiter.check(rule, userId);
  if (!rl.allowed) throw new AppError('RATE_LIMITED', 'Too many verification attempts; try again later', undefined, rl.retryAfterSeconds);
}

/**
 * Every submission waits for an operator: a new one (after a rejection too) starts `pending`, an answer to "needs
 * more information" puts the same submission back to `pending`. Nothing a user sends changes their tier.
 */
async function submit(platform: KycPlatform, userId: string, content: Omit<repo.NewSubmission, 'userId'>, requestId: string): Promise<KycSubmission> {
  const row = await platform.database.db.transaction(async (tx) => {
    const tier = await repo.lockProfile(tx, userId);
    if (tier >= content.tier) throw new AppError('CONFLICT', `Your account is already verified at tier ${tier}`);
    if (content.tier === 2 && tier < 1) throw new AppError('INVALID_STATE', 'Verify your details (tier 1) first; the identity document comes after');
    const open = await repo.openSubmission(tx, userId, true);
    let saved: KycSubmissionRow;
    if (open?.status === 'pending') {
      throw new AppError('CONFLICT', 'Your verification is already waiting for review; you will get an email when it is decided');
    } else if (open?.status === 'needs_info') {
      if (open.tier !== content.tier) {
        throw new AppError('INVALID_STATE', `We asked for more information on your tier ${open.tier} verification; answer that first`);
      }
      saved = await repo.resubmit(tx, open.id, content);
    } else {
      saved = await repo.insertSubmission(tx, { userId, ...content });
    }
    await recordAudit(tx, {
      actorId: userId,
      action: open ? 'kyc.resubmit' : 'kyc.submit',
      targetType: 'kyc_submission',
      targetId: saved.id,
      requestId,
      details: { tier: content.tier, ...(open ? { previousQuestion: open.reason } : {}) },
    });
    return saved;
  });
  // After the commit: the operations bot alerts operators (modules/telegram), when it runs.
  platform.events.emit('kyc.submitted', { submissionId: row.id, userId, tier: row.tier });
  return submissionView(row);
}

export async function submitTier1(platform: KycPlatform, userId: string, input: KycTier1Request, requestId: string): Promise<KycSubmission> {
  await limitSubmissions(platform, userId, 'submit');
  return submit(platform, userId, { tier: 1, details: input, documentType: null, documentId: null, selfieId: null }, requestId);
}

export async function uploadDocument(platform: KycPlatform, userId: string, input: KycDocumentUpload): Promise<KycDocumentUploaded> {
  await limitSubmissions(platform, userId, 'upload');
  const bytes = Buffer.from(input.dataBase64, 'base64');
  const doc = await platform.documents.put({ ownerId: userId, purpose: 'kyc', bytes });
  if (input.kind === 'selfie' && doc.contentType === 'application/pdf') {
    await platform.documents.delete(doc.id);
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'The selfie must be a photo (JPEG or PNG), not a PDF');
  }
  return { id: doc.id, kind: input.kind, contentType: doc.contentType, sizeBytes: doc.sizeBytes };
}

export async function submitTier2(platform: KycPlatform, userId: string, input: KycTier2Request, requestId: string): Promise<KycSubmission> {
  await limitSubmissions(platform, userId, 'submit');
  if (input.documentId === input.selfieId) {
    throw new AppError('VALIDATION_ERROR', 'The selfie must be a different file from the identity document', [
      { path: ['body', 'selfieId'], message: 'same file as the document' },
    ]);
  }
  for (const [field, id] of [
    ['documentId', input.documentId],
    ['selfieId', input.selfieId],
  ] as const) {
    const doc = await platform.documents.find(id);
    // Someone else's document (or a support attachment) is, to this user, a document that does not exist.
    if (!doc || doc.ownerId !== userId || doc.purpose !== 'kyc') {
      throw new AppError('NOT_FOUND', 'Document not found; upload it again', [{ path: ['body', field], message: 'not found' }]);
    }
  }
  return submit(
    platform,
    userId,
    { tier: 2, details: {}, documentType: input.documentType, documentId: input.documentId, selfieId: input.selfieId },
    requestId,
  );
}

// ---- operators (role: compliance) ----

export async function reviewQueue(platform: KycPlatform, q: { status: KycSubmission['status']; limit: number }): Promise<KycQueue> {
  const db = platform.database.db;
  const found = await repo.queue(db, q.status, q.limit);
  const userIds = [...new Set(found.map((r) => r.userId))];
  const [contacts, tiers] = await Promise.all([contactsOf(db, userIds), repo.tiersOf(db, userIds)]);
  return {
    items: found.map((r) => ({
      id: r.id,
      userId: r.userId,
      userEmail: contacts.get(r.userId)?.email ?? '',
      userName: contacts.get(r.userId)?.name ?? '',
      currentTier: tiers.get(r.userId) ?? 0,
      tier: r.tier as 1 | 2,
      status: r.status as KycSubmission['status'],
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    })),
  };
}

export async function reviewDetail(platform: KycPlatform, reviewerId: string, id: string): Promise<KycReviewDetail> {
  const db = platform.database.db;
  const r = await repo.findSubmission(db, id);
  if (!r) throw new AppError('NOT_FOUND', 'Verification request not found');
  const [contact, tier, history] = await Promise.all([contactOf(db, r.userId), repo.tierOf(db, r.userId), repo.submissionsOf(db, r.userId)]);
  const documents: KycReviewDetail['documents'] = [];
  for (const [kind, docId] of [
    ['document', r.documentId],
    ['selfie', r.selfieId],
  ] as const) {
    if (!docId) continue;
    const doc = await platform.documents.find(docId);
    if (!doc) {
      documents.push({ kind, contentType: '', sizeBytes: 0, url: null, expiresAt: null });
      continue;
    }
    // A link for this reviewer only, for a few minutes (DOCUMENT_ACCESS_MINUTES).
    const access = platform.documents.signAccess(doc.id, reviewerId, 'operator');
    documents.push({ kind, contentType: doc.contentType, sizeBytes: doc.sizeBytes, url: access.url, expiresAt: access.expiresAt });
  }
  return {
    id: r.id,
    userId: r.userId,
    userEmail: contact?.email ?? '',
    userName: contact?.name ?? '',
    currentTier: tier,
    tier: r.tier as 1 | 2,
    status: r.status as KycSubmission['status'],
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    details: r.details as KycReviewDetail['details'],
    documentType: r.documentType as KycReviewDetail['documentType'],
    documents,
    reason: r.reason,
    reviewerId: r.reviewerId,
    decidedAt: r.decidedAt?.toISOString() ?? null,
    history: history.filter((h) => h.id !== r.id).map(submissionView),
  };
}

const STATUS = { approve: 'approved', reject: 'rejected', needs_info: 'needs_info' } as const;

/** Approve (the tier rises), reject with a reason, or ask for more; audited in the same transaction, then emailed. */
export async function decideSubmission(
  platform: KycPlatform,
  reviewerId: string,
  id: string,
  body: KycDecisionRequest,
  requestId: string,
): Promise<KycReviewDetail> {
  const decided = await platform.database.db.transaction(async (tx) => {
    const r = await repo.findSubmission(tx, id, true);
    if (!r) throw new AppError('NOT_FOUND', 'Verification request not found');
    if (r.userId === reviewerId) throw new AppError('FORBIDDEN', 'You cannot review your own verification; another operator must');
    if (r.status !== 'pending') {
      throw new AppError(
        'INVALID_STATE',
        r.status === 'needs_info' ? 'This request waits for the user to send more information' : `This request was already ${r.status}`,
      );
    }
    const status = STATUS[body.decision];
    const reason = body.decision === 'approve' ? (body.reason ?? null) : (body.reason as string);
    const row = await repo.decide(tx, id, { status, reason, reviewerId });
    if (status === 'approved') await repo.raiseTier(tx, r.userId, r.tier as 1 | 2);
    await recordAudit(tx, {
      actorId: reviewerId,
      action: `kyc.${body.decision}`,
      targetType: 'user',
      targetId: r.userId,
      requestId,
      details: { submissionId: id, tier: r.tier, ...(reason ? { reason } : {}) },
    });
    return row;
  });
  const tier = decided.tier;
  const message =
    decided.status === 'approved'
      ? {
          title: `Verification approved: tier ${tier}`,
          body: `Your verification was approved. Your account is now at tier ${tier}, with higher deposit, withdrawal and transfer limits (see the Verification page).`,
        }
      : decided.status === 'rejected'
        ? {
            title: 'Verification not approved',
            body: `Your tier ${tier} verification was not approved: ${decided.reason}. You can correct it and submit again on the Verification page.`,
          }
        : {
            title: 'Verification: more information needed',
            body: `We need more information to verify you (tier ${tier}): ${decided.reason}. Answer on the Verification page.`,
          };
  await notify(platform, { userId: decided.userId, type: 'kyc', ...message, data: { submissionId: decided.id, status: decided.status }, email: true });
  return reviewDetail(platform, reviewerId, id);
}
