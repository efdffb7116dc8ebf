import { sign } from 'node:crypto';
import {
  addSums,
  bytesToHex,
  encodeSum,
  hexToBytes,
  type InclusionProof,
  leafMessage,
  nodeMessage,
  type PolAsset,
  type RootRecord,
  signedMessage,
  sumBound,
  verifyInclusionProof,
} from '@cryptovault/contract/pol/verify';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyFromSeed } from './pol.service.ts';
import { leafNode, nextLevel, paddingNode, parentNode, sha256Hex, type TreeNode } from './pol.tree.ts';

/**
 * Property tests of the Merkle sum tree and its verifier, on trees built in memory with the same node functions the
 * database builder uses (pol.service.ts streams the same pairing; pol.test.ts checks that path end to end).
 */

const KEY = keyFromSeed(new Uint8Array(32).map((_, i) => i + 1));
const DECIMALS = 8;

interface Account {
  userId: string;
  salt: Uint8Array;
  balances: bigint[];
}

interface MemTree {
  assets: PolAsset[];
  leaves: { account: Account; node: TreeNode }[];
  levels: TreeNode[][];
  record: RootRecord;
}

function units(u: bigint): string {
  const s = u.toString().padStart(DECIMALS + 1, '0');
  const frac = s.slice(-DECIMALS).replace(/0+$/, '');
  return frac ? `${s.slice(0, -DECIMALS)}.${frac}` : s.slice(0, -DECIMALS);
}

function build(accounts: Account[], nAssets: number): MemTree {
  const assets = Array.from({ length: nAssets }, (_, i) => ({ symbol: `A${i}X`, decimals: DECIMALS }));
  const leaves = accounts
    .map((account) => ({ account, node: leafNode(account.salt, account.userId, account.balances) }))
    .sort((a, b) => (a.node.hash < b.node.hash ? -1 : 1));
  const levels: TreeNode[][] = [leaves.map((l) => l.node)];
  while (levels.at(-1)!.length > 1) levels.push(nextLevel(levels.at(-1)!, levels.length - 1, nAssets));
  const root = levels.at(-1)![0]!;
  const unsigned = {
    seq: 1,
    snapshotId: '00000000-0000-4000-8000-000000000001',
    createdAt: '2026-01-01T00:00:00.000Z',
    leafCount: leaves.length,
    depth: levels.length - 1,
    assets,
    rootHash: root.hash,
    rootSums: root.sums.map(String),
    previousHash: null,
  };
  const record = { ...unsigned, signature: sign(null, Buffer.from(signedMessage(unsigned)), KEY.privateKey).toString('base64'), publicKey: KEY.publicKey };
  return { assets, leaves, levels, record };
}

function proofOf(tree: MemTree, index: number): InclusionProof {
  const { account } = tree.leaves[index]!;
  const path = tree.levels.slice(0, -1).map((level, h) => {
    const sib = (index >> h) ^ 1;
    const node = level[sib] ?? paddingNode(h, tree.assets.length);
    return { position: sib % 2 === 0 ? ('left' as const) : ('right' as const), hash: node.hash, sums: node.sums.map(String) };
  });
  return {
    version: 1,
    snapshotId: tree.record.snapshotId,
    userId: account.userId,
    salt: Buffer.from(account.salt).toString('hex'),
    leafIndex: index,
    balances: account.balances.map(units),
    path,
    root: tree.record,
  };
}

const balance = fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.bigInt({ min: 0n, max: (1n << 127n) - 1n }));
const treeInput = fc.integer({ min: 1, max: 3 }).chain((nAssets) =>
  fc.record({
    nAssets: fc.constant(nAssets),
    accounts: fc.uniqueArray(
      fc.record({
        userId: fc.uuid(),
        salt: fc.uint8Array({ minLength: 32, maxLength: 32 }),
        balances: fc.array(balance, { minLength: nAssets, maxLength: nAssets }),
      }),
      { minLength: 1, maxLength: 24, selector: (a) => a.userId },
    ),
  }),
);

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('Merkle sum tree', () => {
  it('encodes exactly as version 1 always has: fixed vectors (a proof saved years ago must still verify)', () => {
    expect(bytesToHex(encodeSum((1n << 256n) - 1n))).toBe('f'.repeat(64));
    expect(bytesToHex(encodeSum(0x0102n))).toBe(`${'0'.repeat(60)}0102`);
    expect(() => encodeSum(1n << 256n)).toThrow(/range/);
    expect(() => encodeSum(-1n)).toThrow(/range/);
    expect(() => hexToBytes('0A')).toThrow(/hex/);
    expect(bytesToHex(hexToBytes('00ff7a'))).toBe('00ff7a');
    expect(bytesToHex(nodeMessage(hexToBytes('11'.repeat(32)), [1n], hexToBytes('22'.repeat(32)), [2n])).slice(0, 80)).toBe(
      `01${'11'.repeat(32)}0001${'0'.repeat(10)}`,
    );
    const a = leafNode(hexToBytes('00ff'.repeat(16)), 'e3b0c442-98fc-1c14-9afb-f4c8996fb924', [0n, 1n, (1n << 128n) - 1n]);
    const b = leafNode(hexToBytes('a5'.repeat(32)), 'ü-user', [1234567890123456789012n, 0n, 255n]);
    const p = parentNode(a, b, 0);
    const root = parentNode(p, paddingNode(1, 3), 1);
    expect([a.hash, b.hash, p.hash, root.hash]).toEqual([
      '03335d341342f01f710b1104dac999ed434ec3364bc0cd1e090f91aa40344130',
      '40687cda64106d22c0cb967612800aa7a9042b83561eb1919486e4a9c93dece5',
      'cbd5fc5468d37ea55720f5ece1aac7ed9dc985f1f929fec11664652280fd425d',
      '9490f646c284220166f4a4fba06ea26406be39e105e17bf0e160806bded3ad29',
    ]);
    expect(root.sums).toEqual([1234567890123456789012n, 1n, 340282366920938463463374607431768211710n]);
  });

  it('property: every leaf proves its inclusion, and the root sums are the sums of the leaves', async () => {
    await fc.assert(
      fc.asyncProperty(treeInput, fc.nat(), async ({ nAssets, accounts }, pick) => {
        const tree = build(accounts, nAssets);
        for (let a = 0; a < nAssets; a++) {
          expect(tree.record.rootSums[a]).toBe(accounts.reduce((s, acc) => s + acc.balances[a]!, 0n).toString());
        }
        const i = pick % accounts.length;
        const r = await verifyInclusionProof(proofOf(tree, i), { expectedRootHash: tree.record.rootHash, expectedPublicKey: KEY.publicKey });
        expect(r.errors).toEqual([]);
        expect(r.ok).toBe(true);
        expect(r.steps).toHaveLength(tree.record.depth);
      }),
      { numRuns: 60 },
    );
  });

  it("property: any change to a user's balance, salt or id, or to any node of the path, fails verification", async () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('balance' as const), asset: fc.nat(), delta: fc.bigInt({ min: 1n, max: 10n ** 20n }), down: fc.boolean() }),
      fc.record({ kind: fc.constant('salt' as const), byte: fc.nat(31), bit: fc.nat(7) }),
      fc.record({ kind: fc.constant('user' as const), other: fc.uuid() }),
      fc.record({ kind: fc.constant('pathHash' as const), step: fc.nat(), byte: fc.nat(31), bit: fc.nat(7) }),
      fc.record({ kind: fc.constant('pathSum' as const), step: fc.nat(), asset: fc.nat(), delta: fc.bigInt({ min: 1n, max: 10n ** 20n }), down: fc.boolean() }),
      fc.record({ kind: fc.constant('side' as const), step: fc.nat() }),
      fc.record({ kind: fc.constant('index' as const), delta: fc.integer({ min: 1, max: 64 }) }),
      fc.record({ kind: fc.constant('rootSum' as const), asset: fc.nat(), delta: fc.bigInt({ min: 1n, max: 10n ** 20n }) }),
    );
    await fc.assert(
      fc.asyncProperty(treeInput, fc.nat(), mutation, async ({ nAssets, accounts }, pick, m) => {
        const tree = build(accounts, nAssets);
        const i = pick % accounts.length;
        const p = clone(proofOf(tree, i));
        const flip = (hex: string, byte: number, bit: number) => {
          const b = Buffer.from(hex, 'hex');
          b[byte]! ^= 1 << bit;
          return b.toString('hex');
        };
        switch (m.kind) {
          case 'balance': {
            const a = m.asset % nAssets;
            const u = BigInt(accounts[i]!.balances[a]!);
            const next = m.down ? u - m.delta : u + m.delta;
            if (next < 0n) return; // not a balance anyone could claim (the verifier refuses it anyway)
            p.balances[a] = units(next);
            break;
          }
          case 'salt':
            p.salt = flip(p.salt, m.byte, m.bit);
            break;
          case 'user':
            if (m.other === p.userId) return;
            p.userId = m.other;
            break;
          case 'pathHash':
          case 'pathSum':
          case 'side': {
            if (p.path.length === 0) return;
            const step = p.path[m.step % p.path.length]!;
            if (m.kind === 'pathHash') step.hash = flip(step.hash, m.byte, m.bit);
            else if (m.kind === 'side') step.position = step.position === 'left' ? 'right' : 'left';
            else {
              const a = m.asset % nAssets;
              const next = m.down ? BigInt(step.sums[a]!) - m.delta : BigInt(step.sums[a]!) + m.delta;
              step.sums[a] = next < 0n ? `${next}` : next.toString();
            }
            break;
          }
          case 'index':
            p.leafIndex += m.delta;
            break;
          case 'rootSum': {
            const a = m.asset % nAssets;
            p.root.rootSums[a] = (BigInt(p.root.rootSums[a]!) + m.delta).toString();
            break;
          }
        }
        const r = await verifyInclusionProof(p, { expectedRootHash: tree.record.rootHash, expectedPublicKey: KEY.publicKey });
        expect(r.ok).toBe(false);
        expect(r.errors.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('property: any change to any leaf of the tree changes the root', () => {
    fc.assert(
      fc.property(treeInput, fc.nat(), fc.nat(), fc.bigInt({ min: 1n, max: 10n ** 18n }), ({ nAssets, accounts }, pick, asset, delta) => {
        const before = build(accounts, nAssets).record;
        const changed = clone(accounts.map((a) => ({ ...a, salt: Array.from(a.salt), balances: a.balances.map(String) }))).map((a) => ({
          userId: a.userId,
          salt: Uint8Array.from(a.salt),
          balances: a.balances.map(BigInt),
        }));
        const target = changed[pick % changed.length]!;
        target.balances[asset % nAssets]! += delta;
        expect(build(changed, nAssets).record.rootHash).not.toBe(before.rootHash);
      }),
      { numRuns: 100 },
    );
  });

  it('a negative balance cannot become a leaf, and no encoding of one yields a valid proof', async () => {
    expect(() => leafNode(new Uint8Array(32), 'u', [-1n])).toThrow(/negative/);
    expect(() => addSums([5n], [-3n], 0)).toThrow(/negative/);
    // The classic attack: a sum that wraps modulo 2^256 acts as a negative number in fixed-width arithmetic.
    const wrap = (n: bigint) => (1n << 256n) - n;
    await fc.assert(
      fc.asyncProperty(treeInput, fc.nat(), fc.bigInt({ min: 1n, max: 10n ** 20n }), async ({ nAssets, accounts }, pick, hidden) => {
        // A dishonest operator builds the tree honestly except for one forged sibling whose sum is "-hidden" in 256
        // bits, so the root total shrinks by `hidden` (mod 2^256): the proof is internally consistent, signed, and
        // still refused, because every sum must lie in [0, 2^(128+height)).
        const tree = build(accounts, nAssets);
        const i = pick % accounts.length;
        const me = tree.leaves[i]!;
        const forged = {
          hash: sha256Hex(leafMessage(new Uint8Array(32).fill(7), 'ghost', [])),
          sums: tree.assets.map((_, a) => (a === 0 ? wrap(hidden) : 0n)),
        };
        const mod = (x: bigint) => x % (1n << 256n);
        const rootSums = me.node.sums.map((s, a) => mod(s + forged.sums[a]!));
        const rootHash = sha256Hex(nodeMessage(Buffer.from(me.node.hash, 'hex'), me.node.sums, Buffer.from(forged.hash, 'hex'), forged.sums));
        const unsigned = { ...tree.record, depth: 1, leafCount: 2, rootHash, rootSums: rootSums.map(String) };
        const record = { ...unsigned, signature: sign(null, Buffer.from(signedMessage(unsigned)), KEY.privateKey).toString('base64') };
        const p: InclusionProof = {
          ...proofOf(tree, i),
          leafIndex: 0,
          path: [{ position: 'right', hash: forged.hash, sums: forged.sums.map(String) }],
          root: record,
        };
        const r = await verifyInclusionProof(p);
        expect(r.ok).toBe(false);
        expect(r.errors.join(' ')).toMatch(/exceeds|negative/);
      }),
      { numRuns: 60 },
    );
    // Fixed-width encoding cannot carry a negative number at all.
    expect(() => encodeSum(-1n)).toThrow();
    expect(sumBound(0)).toBe(1n << 128n);
  });

  it('refuses a balance written as a negative decimal', async () => {
    const tree = build([{ userId: 'a', salt: new Uint8Array(32), balances: [5n] }], 1);
    const p = proofOf(tree, 0);
    expect((await verifyInclusionProof(p)).ok).toBe(true);
    expect((await verifyInclusionProof({ ...p, balances: ['-0.00000005'] })).ok).toBe(false);
  });

  it('a forged signature or a different key is refused', async () => {
    const tree = build([{ userId: 'a', salt: new Uint8Array(32), balances: [5n] }], 1);
    const p = proofOf(tree, 0);
    const other = keyFromSeed(new Uint8Array(32).fill(9));
    const resigned = { ...p.root, publicKey: other.publicKey, signature: sign(null, Buffer.from(signedMessage(p.root)), other.privateKey).toString('base64') };
    expect((await verifyInclusionProof({ ...p, root: resigned })).ok).toBe(true);
    expect((await verifyInclusionProof({ ...p, root: resigned }, { expectedPublicKey: KEY.publicKey })).errors).toEqual([
      "the root is not signed with the platform's published key",
    ]);
    const badSig = { ...p.root, signature: resigned.signature };
    expect((await verifyInclusionProof({ ...p, root: badSig })).errors).toEqual(["the root record's signature does not verify"]);
  });
});
