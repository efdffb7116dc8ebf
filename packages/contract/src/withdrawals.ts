import { z } from 'zod';
import { isoDateTime, pageOf, paginationQuery, positiveDecimalString } from './common.ts';

export const WITHDRAWAL_STATUSES = ['pending_review', 'approved', 'completed', 'rejected', 'canceled'] as const;
export const withdrawalStatus = z.enum(WITHDRAWAL_STATUSES);
export type WithdrawalStatus = z.infer<typeof withdrawalStatus>;

export const createWithdrawalRequest = z
  .object({
    /** Asset symbol, e.g. `BTC`. */
    asset: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z0-9]{2,10}$/),
    amount: positiveDecimalString,
    /** The destination; or `addressId`, a usable entry of the address book (required in "address book only" mode unless the address matches one). */
    address: z.string().trim().min(20).max(128).optional(),
    network: z.string().trim().toLowerCase().max(20).optional(),
    addressId: z.uuid().optional(),
  })
  .refine((r) => (r.address === undefined) !== (r.addressId === undefined), {
    message: 'is required: type one or choose one from your address book, not both',
    path: ['address'],
  });
// No code in the request: a withdrawal needs a recent step-up on the session (POST /api/auth/step-up), like every
// sensitive action; without one the answer is 403 STEP_UP_REQUIRED.
export type CreateWithdrawalRequest = z.infer<typeof createWithdrawalRequest>;

export const withdrawal = z.object({
  id: z.string(),
  asset: z.string(),
  amount: z.string(),
  fee: z.string(),
  /** amount + fee: what was locked on request. */
  total: z.string(),
  address: z.string(),
  network: z.string(),
  status: withdrawalStatus,
  amountUsd: z.string(),
  approvals: z.number().int(),
  requiredApprovals: z.number().int(),
  txHash: z.string().nullable(),
  rejectReason: z.string().nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type Withdrawal = z.infer<typeof withdrawal>;

export const withdrawalList = pageOf(withdrawal);
export const withdrawalListQuery = paginationQuery.extend({ status: withdrawalStatus.optional() });

/** Networks withdrawals leave on: the name a person reads and the block explorer's page of a transaction. */
export const NETWORKS: Readonly<Record<string, { name: string; explorerTx: string }>> = {
  bitcoin: { name: 'Bitcoin', explorerTx: 'https://mempool.space/tx/{tx}' },
  litecoin: { name: 'Litecoin', explorerTx: 'https://litecoinspace.org/tx/{tx}' },
  ethereum: { name: 'Ethereum', explorerTx: 'https://etherscan.io/tx/{tx}' },
  erc20: { name: 'Ethereum (ERC-20)', explorerTx: 'https://etherscan.io/tx/{tx}' },
  solana: { name: 'Solana', explorerTx: 'https://solscan.io/tx/{tx}' },
  bep20: { name: 'BNB Smart Chain (BEP-20)', explorerTx: 'https://bscscan.com/tx/{tx}' },
  'c-chain': { name: 'Avalanche C-Chain', explorerTx: 'https://snowtrace.io/tx/{tx}' },
};

/** The explorer page of `txHash` on `network`; null for a network without one. */
export function explorerTxUrl(network: string, txHash: string): string | null {
  const n = Object.hasOwn(NETWORKS, network) ? NETWORKS[network] : undefined;
  return n ? n.explorerTx.replace('{tx}', encodeURIComponent(txHash)) : null;
}

export const withdrawalNetwork = z.object({ id: z.string(), name: z.string() });

/** GET /api/wallet/withdrawal-assets: what can be withdrawn, on which networks, for which fee. */
export const withdrawalAsset = z.object({
  asset: z.string(),
  name: z.string(),
  /** Decimal places an amount may have. */
  precision: z.number().int(),
  /** Network fee, in the asset, added to the amount and locked with it. */
  fee: z.string(),
  networks: z.array(withdrawalNetwork).min(1),
  defaultNetwork: z.string(),
});
export type WithdrawalAsset = z.infer<typeof withdrawalAsset>;
export const withdrawalAssetList = z.object({ items: z.array(withdrawalAsset) });
