import { z } from 'zod';
import { isoDateTime } from './common.ts';

/**
 * KYC (identity verification). Tier 0: email verified. Tier 1: legal name, date of birth, country and address,
 * reviewed by an operator. Tier 2: an identity document and a selfie, reviewed. Each tier has USD limits on
 * deposits, withdrawals and transfers per UTC calendar day and month (configured on the server).
 */
export const kycTier = z.union([z.literal(0), z.literal(1), z.literal(2)]);
export type KycTier = z.infer<typeof kycTier>;
export const kycKind = z.enum(['deposit', 'withdrawal', 'transfer']);
export type KycKind = z.infer<typeof kycKind>;
export const kycSubmissionStatus = z.enum(['pending', 'needs_info', 'approved', 'rejected']);
export type KycSubmissionStatus = z.infer<typeof kycSubmissionStatus>;
export const kycDocumentType = z.enum(['passport', 'id_card', 'driving_licence']);
export type KycDocumentType = z.infer<typeof kycDocumentType>;

/** A limit and what has been used against it in the current period (USD decimal strings, cents). */
export const kycAllowance = z.object({ limitUsd: z.string(), usedUsd: z.string(), remainingUsd: z.string() });
export const kycLimitUsage = z.object({ kind: kycKind, daily: kycAllowance, monthly: kycAllowance });
export type KycLimitUsage = z.infer<typeof kycLimitUsage>;
/** A tier's limits without usage (to show what the next tier gives). */
export const kycTierLimits = z.object({
  tier: kycTier,
  limits: z.array(z.object({ kind: kycKind, dailyUsd: z.string(), monthlyUsd: z.string() })),
});
export type KycTierLimits = z.infer<typeof kycTierLimits>;

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date such as 1990-04-23')
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), 'is not a real date');

/** Tier 1: who the person is and where they live. */
export const kycTier1Request = z.object({
  legalName: z.string().trim().min(2, 'enter your full legal name').max(120),
  dateOfBirth: isoDate.refine((v) => {
    const dob = new Date(`${v}T00:00:00Z`);
    const now = new Date();
    const adult = new Date(Date.UTC(now.getUTCFullYear() - 18, now.getUTCMonth(), now.getUTCDate()));
    return dob <= adult && dob.getUTCFullYear() >= 1900;
  }, 'you must be at least 18 years old'),
  country: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{2}$/, 'must be a two-letter country code such as FR or US'),
  addressLine1: z.string().trim().min(3, 'enter your street address').max(200),
  addressLine2: z.string().trim().max(200).optional(),
  city: z.string().trim().min(1, 'enter your city').max(100),
  postalCode: z.string().trim().min(2, 'enter your postal code').max(20),
});
export type KycTier1Request = z.infer<typeof kycTier1Request>;
export const kycDetails = kycTier1Request;
export type KycDetails = z.infer<typeof kycDetails>;

/** One file for tier 2, sent as base64 (JPEG, PNG or PDF; the server checks the bytes, not the name). */
export const kycDocumentUpload = z.object({
  kind: z.enum(['document', 'selfie']),
  /** Only for the person's own reference; the server never uses it to decide the type. */
  fileName: z.string().trim().max(200).optional(),
  dataBase64: z
    .string()
    .min(4)
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64'),
});
export type KycDocumentUpload = z.infer<typeof kycDocumentUpload>;
export const kycDocumentUploaded = z.object({
  id: z.string().uuid(),
  kind: z.enum(['document', 'selfie']),
  contentType: z.enum(['image/jpeg', 'image/png', 'application/pdf']),
  sizeBytes: z.number().int(),
});
export type KycDocumentUploaded = z.infer<typeof kycDocumentUploaded>;

/** Tier 2: the uploaded identity document and selfie. */
export const kycTier2Request = z.object({ documentType: kycDocumentType, documentId: z.string().uuid(), selfieId: z.string().uuid() });
export type KycTier2Request = z.infer<typeof kycTier2Request>;

/** A submission as its owner sees it. */
export const kycSubmission = z.object({
  id: z.string(),
  tier: z.union([z.literal(1), z.literal(2)]),
  status: kycSubmissionStatus,
  /** The reviewer's reason (rejected) or question (needs_info); null otherwise. */
  reason: z.string().nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  decidedAt: isoDateTime.nullable(),
});
export type KycSubmission = z.infer<typeof kycSubmission>;

/** GET /api/kyc: the signed-in user's tier, its limits with usage, the next tier, the latest submission. */
export const kycStatus = z.object({
  tier: kycTier,
  /** false when the server does not enforce the limits (KYC_LIMITS=off). */
  enforced: z.boolean(),
  limits: z.array(kycLimitUsage),
  nextTier: kycTierLimits.nullable(),
  submission: kycSubmission.nullable(),
  /** When the daily and monthly usage start again (UTC midnight; first of the month). */
  resets: z.object({ day: isoDateTime, month: isoDateTime }),
});
export type KycStatus = z.infer<typeof kycStatus>;

/** What LIMIT_EXCEEDED carries in `details` when a tier's limit refuses a movement. */
export const kycLimitExceededDetails = z.object({
  tier: kycTier,
  kind: kycKind,
  period: z.enum(['daily', 'monthly']),
  limitUsd: z.string(),
  usedUsd: z.string(),
  remainingUsd: z.string(),
  amountUsd: z.string(),
  /** The tier that raises it (null at the top tier) and its limit for that period. */
  nextTier: kycTier.nullable(),
  nextTierLimitUsd: z.string().nullable(),
});
export type KycLimitExceededDetails = z.infer<typeof kycLimitExceededDetails>;

// ---- operators (role: compliance) ----

export const kycQueueQuery = z.object({
  status: kycSubmissionStatus.default('pending'),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});
export const kycQueueItem = z.object({
  id: z.string(),
  userId: z.string(),
  userEmail: z.string(),
  userName: z.string(),
  currentTier: kycTier,
  tier: z.union([z.literal(1), z.literal(2)]),
  status: kycSubmissionStatus,
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type KycQueueItem = z.infer<typeof kycQueueItem>;
export const kycQueue = z.object({ items: z.array(kycQueueItem) });
export type KycQueue = z.infer<typeof kycQueue>;

/** A document of a submission, viewable through a short-lived signed link. */
export const kycReviewDocument = z.object({
  kind: z.enum(['document', 'selfie']),
  contentType: z.string(),
  sizeBytes: z.number().int(),
  /** null when the document was deleted (retention). */
  url: z.string().nullable(),
  expiresAt: isoDateTime.nullable(),
});
export const kycReviewDetail = kycQueueItem.extend({
  details: kycDetails.partial(),
  documentType: kycDocumentType.nullable(),
  documents: z.array(kycReviewDocument),
  reason: z.string().nullable(),
  reviewerId: z.string().nullable(),
  decidedAt: isoDateTime.nullable(),
  /** The user's earlier submissions, newest first (what was decided and why). */
  history: z.array(kycSubmission),
});
export type KycReviewDetail = z.infer<typeof kycReviewDetail>;

export const kycDecisionRequest = z
  .object({ decision: z.enum(['approve', 'reject', 'needs_info']), reason: z.string().trim().max(500).optional() })
  .refine((b) => b.decision === 'approve' || (b.reason?.length ?? 0) >= 3, {
    message: 'say why (at least 3 characters): the user reads it',
    path: ['reason'],
  });
export type KycDecisionRequest = z.infer<typeof kycDecisionRequest>;
