import { createHash } from 'node:crypto';
import { addSums, bytesToHex, hexToBytes, leafMessage, nodeMessage, paddingMessage, sumBound } from '@cryptovault/contract/pol/verify';

/**
 * Server side of the Merkle sum tree: the canonical encoding from the shared verifier module, hashed with
 * node:crypto (synchronous, for building a tree of a million leaves). A node is its hash and one sum per asset.
 */
export interface TreeNode {
  hash: string;
  sums: bigint[];
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Throws on a negative balance or one at or above the leaf bound: such a leaf is never built. */
export function leafNode(salt: Uint8Array, userId: string, balances: bigint[]): TreeNode {
  for (const b of balances) {
    if (b < 0n) throw new Error(`negative balance for a leaf of ${userId}`);
    if (b >= sumBound(0)) throw new Error(`balance beyond the leaf bound for ${userId}`);
  }
  return { hash: sha256Hex(leafMessage(salt, userId, balances)), sums: balances };
}

export function paddingNode(height: number, assets: number): TreeNode {
  return { hash: sha256Hex(paddingMessage(height)), sums: new Array<bigint>(assets).fill(0n) };
}

/** Parent of two nodes at `childHeight` (range-checked: a negative or oversized child sum throws). */
export function parentNode(left: TreeNode, right: TreeNode, childHeight: number): TreeNode {
  const sums = addSums(left.sums, right.sums, childHeight);
  return { hash: sha256Hex(nodeMessage(hexToBytes(left.hash), left.sums, hexToBytes(right.hash), right.sums)), sums };
}

/** Parents of one level, in memory: for tests and small trees. The builder streams the same pairing from the database. */
export function nextLevel(level: TreeNode[], height: number, assets: number): TreeNode[] {
  const out: TreeNode[] = [];
  for (let i = 0; i < level.length; i += 2) out.push(parentNode(level[i]!, level[i + 1] ?? paddingNode(height, assets), height));
  return out;
}

export function encodeSums(sums: bigint[]): string {
  return sums.join(',');
}

export function decodeSums(text: string): bigint[] {
  return text === '' ? [] : text.split(',').map((s) => BigInt(s));
}

export { bytesToHex };
