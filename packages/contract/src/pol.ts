import { z } from 'zod';
import { decimalString, isoDateTime } from './common.ts';

/** Proof of liabilities (docs/proof-of-liabilities.md). The verifier and the byte encoding are in ./pol/verify.ts. */

export const polAsset = z.object({ symbol: z.string(), decimals: z.number().int() });

export const polRootRecord = z.object({
  seq: z.number().int(),
  snapshotId: z.string(),
  createdAt: isoDateTime,
  leafCount: z.number().int(),
  depth: z.number().int(),
  assets: z.array(polAsset),
  rootHash: z.string().describe('SHA-256 of the root node, hex'),
  rootSums: z.array(z.string()).describe("per asset, the root's sum in smallest units (10^-decimals), as an integer string"),
  previousHash: z.string().nullable().describe("SHA-256 (hex) of the previous record's signed message; null for the first"),
  signature: z.string().describe('Ed25519 signature (base64) over the signed message of this record'),
  publicKey: z.string().describe('the Ed25519 public key (raw 32 bytes, base64) that signed it'),
});

export const polHistoryItem = polRootRecord.extend({ trigger: z.enum(['schedule', 'operator']), publishedAt: isoDateTime });
export const polHistory = z.object({ items: z.array(polHistoryItem), nextBeforeSeq: z.number().int().nullable() });
export const polHistoryQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  beforeSeq: z.coerce.number().int().min(1).optional(),
});

export const polReserveAddress = z.object({
  id: z.string(),
  chain: z.string(),
  address: z.string(),
  balance: z.string(),
  message: z.string().nullable(),
  signature: z.string().nullable(),
  note: z.string().nullable(),
  declaredAt: isoDateTime,
});

export const polAssetSummary = z.object({
  asset: z.string(),
  liabilities: z.string().describe('proven: the sum of every account in the published tree'),
  declaredReserves: z.string().nullable().describe('declared by the operator, not proven; null when nothing is declared'),
  ratio: z.string().nullable().describe('declaredReserves / liabilities to 4 places; null without a declaration or liabilities'),
  reserves: z.array(polReserveAddress),
});

export const polPublication = z.object({
  /** The platform's signing key: every record must be signed by it. */
  publicKey: z.string(),
  latest: polRootRecord.nullable(),
  assets: z.array(polAssetSummary),
  proven: z.string(),
  declared: z.string(),
});

export const polProofQuery = z.object({ snapshotId: z.uuid().optional() });

const pathStep = z.object({ position: z.enum(['left', 'right']), hash: z.string(), sums: z.array(z.string()) });
export const polInclusionProof = z.object({
  version: z.number().int(),
  snapshotId: z.string(),
  userId: z.string(),
  salt: z.string(),
  leafIndex: z.number().int(),
  balances: z.array(z.string()),
  path: z.array(pathStep),
  root: polRootRecord,
});

export const polReserveRequest = z.object({
  asset: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9]{2,10}$/, 'must be an asset symbol such as BTC'),
  chain: z.string().trim().min(1).max(40),
  address: z.string().trim().min(1).max(200),
  balance: decimalString,
  message: z.string().max(2000).optional(),
  signature: z.string().max(2000).optional(),
  note: z.string().trim().max(500).optional(),
});

export type PolPublication = z.infer<typeof polPublication>;
export type PolHistory = z.infer<typeof polHistory>;
export type PolReserveRequest = z.infer<typeof polReserveRequest>;
