import { z } from 'zod';
import { isoDateTime } from './common.ts';

/**
 * Legal documents, consent and the fee schedule (issue 21).
 *
 * Documents are versioned: every publish adds a version (1, 2, …) with the date it takes effect; earlier versions
 * stay readable. The version in force is the newest whose `effectiveAt` has passed. Bodies are Markdown (headings,
 * paragraphs, lists, bold); clients render them as text, never as HTML.
 */
export const LEGAL_KINDS = ['terms', 'privacy', 'risk'] as const;
export const legalKind = z.enum(LEGAL_KINDS);
export type LegalKind = z.infer<typeof legalKind>;

export const legalKindParams = z.object({ kind: legalKind });
export const legalVersionParams = z.object({ kind: legalKind, version: z.coerce.number().int().positive().max(1_000_000) });

/** One version of a document, without its body (lists). */
export const legalVersionSummary = z.object({
  kind: legalKind,
  version: z.number().int(),
  title: z.string(),
  effectiveAt: isoDateTime,
  publishedAt: isoDateTime,
});
export type LegalVersionSummary = z.infer<typeof legalVersionSummary>;

export const legalDocument = legalVersionSummary.extend({
  /** Markdown: render as text (headings, paragraphs, lists, **bold**); never as HTML. */
  body: z.string(),
  /** This is the version in force now (false for older versions and for one published to take effect later). */
  current: z.boolean(),
});
export type LegalDocument = z.infer<typeof legalDocument>;

/** `GET /api/legal/documents/:kind`: the version in force, and every version (newest first). */
export const legalDocumentPage = z.object({ document: legalDocument, versions: z.array(legalVersionSummary) });
export type LegalDocumentPage = z.infer<typeof legalDocumentPage>;

/** `GET /api/legal/documents`: the version in force of each document (the sign-up form reads the terms' version). */
export const legalCurrentList = z.object({ items: z.array(legalVersionSummary) });
export type LegalCurrentList = z.infer<typeof legalCurrentList>;

/** `POST /api/admin/legal/documents`: publish a new version (operators with the compliance role). */
export const publishLegalRequest = z.object({
  kind: legalKind,
  title: z.string().trim().min(1, 'must not be empty').max(200),
  body: z.string().trim().min(1, 'must not be empty').max(200_000),
  /** When it takes effect; now when omitted. Not in the past (at most a minute's clock difference). */
  effectiveAt: z.iso.datetime({ offset: true }).optional(),
});
export type PublishLegalRequest = z.infer<typeof publishLegalRequest>;

export const adminLegalList = z.object({ items: z.array(legalDocument) });
export type AdminLegalList = z.infer<typeof adminLegalList>;

/**
 * `GET /api/legal/consent`: the signed-in user's standing with the terms. `required`: the version in force is newer
 * than any the user accepted; deposits, orders, quotes and transfers answer 403 TERMS_NOT_ACCEPTED until they accept
 * it (reads, cancelling orders and withdrawals stay allowed).
 */
export const consentState = z.object({
  currentVersion: z.number().int(),
  acceptedVersion: z.number().int().nullable(),
  acceptedAt: isoDateTime.nullable(),
  required: z.boolean(),
});
export type ConsentState = z.infer<typeof consentState>;

export const acceptTermsRequest = z.object({ version: z.number().int().positive().max(1_000_000) });

/**
 * `GET /api/legal/geo`: the country the edge reports for this connection (ISO 3166-1 alpha-2; null when it is not
 * known or not trusted) and whether the platform refuses new business from it.
 */
export const geoState = z.object({ country: z.string().nullable(), blocked: z.boolean() });
export type GeoState = z.infer<typeof geoState>;

/** One example fill on the fee page, computed by the contract's `tradeFigures` at the configured rate. */
export const feeExample = z.object({
  side: z.enum(['buy', 'sell']),
  /** USD value of the trade (amount × price, in cents). */
  value: z.string(),
  fee: z.string(),
  /** buy: value + fee (what you pay); sell: value − fee (what you receive). */
  total: z.string(),
});

/** `GET /api/legal/fees`: generated from the configuration that charges the fees, so the page cannot disagree. */
export const feeSchedule = z.object({
  trading: z.object({
    /** The fee rate on every fill, a fraction (0.001 = 0.1%). */
    rate: z.string(),
    /** The same as a percentage ("0.1"). */
    percent: z.string(),
    /** The currency the fee is charged in. */
    currency: z.string(),
    examples: z.array(feeExample),
  }),
  withdrawals: z.array(z.object({ asset: z.string(), name: z.string(), fee: z.string() })),
  /** CryptoVault charges no fee on deposits ("0"). */
  depositFee: z.string(),
});
export type FeeSchedule = z.infer<typeof feeSchedule>;
