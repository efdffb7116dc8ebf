import { createHash, createPrivateKey, createPublicKey, type KeyObject, randomBytes, randomUUID, sign } from 'node:crypto';
import {
  fromUnits,
  type InclusionProof,
  MAX_DEPTH,
  type PathStep,
  POL_VERSION,
  type PolAsset,
  type RootRecord,
  signedMessage,
  toUnits,
} from '@cryptovault/contract/pol/verify';
import { sql } from 'drizzle-orm';
import type { Db, Executor } from '../../platform/db/client.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import { recordAudit } from '../audit/index.ts';
import { pgError, rows } from '../../platform/db/sql.ts';
import { D, reconcile, userHoldingsPage, type UserHoldingsRow } from '../ledger/index.ts';
import { decodeSums, encodeSums, leafNode, paddingNode, parentNode, sha256Hex, type TreeNode } from './pol.tree.ts';

/**
 * Every balance is committed in units of 10^-18 of its asset: the ledger's NUMERIC(38,18) scale, so every stored
 * balance converts exactly (USD balances carry fee and cost places beyond the cent; see docs/proof-of-liabilities.md).
 */
export const POL_DECIMALS = 18;
/** Users per round trip while reading balances and staging their leaves (the tree is built in LEVEL_PAGE pages). */
export const PAGE = 2000;

// ---------------------------------------------------------------------------------------------------------------
// Signing key

interface SigningKey {
  privateKey: KeyObject;
  /** Raw 32-byte public key, base64. */
  publicKey: string;
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function keyFromSeed(seed: Uint8Array): SigningKey {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { privateKey, publicKey: spki.subarray(spki.length - 32).toString('base64') };
}

const keys = new WeakMap<Platform, Promise<SigningKey>>();

/**
 * PROOF_SIGNING_KEY when configured (required in production and staging); elsewhere a key generated once and kept
 * in the database, so the roots it signed still verify after a restart on the same data.
 */
export function signingKey(platform: Platform): Promise<SigningKey> {
  let k = keys.get(platform);
  if (!k) {
    k = loadSigningKey(platform);
    keys.set(platform, k);
    k.catch(() => keys.delete(platform));
  }
  return k;
}

async function loadSigningKey(platform: Pick<Platform, 'config' | 'database' | 'log'>): Promise<SigningKey> {
  const configured = platform.config.proof.signingKey;
  if (configured) return keyFromSeed(configured);
  if (platform.config.isProduction) throw new Error('PROOF_SIGNING_KEY is required in production and staging');
  const db = platform.database.db;
  const seed = randomBytes(32);
  await db.execute(
    sql`insert into pol_signing_keys (id, seed, public_key) values (1, ${seed.toString('base64')}, ${keyFromSeed(seed).publicKey}) on conflict (id) do nothing`,
  );
  const [row] = await rows<{ seed: string }>(db, sql`select seed from pol_signing_keys where id = 1`);
  if (!row) throw new Error('the development signing key could not be stored');
  platform.log.warn('proof of liabilities: roots are signed with a development key kept in the database (PROOF_SIGNING_KEY is not set)');
  return keyFromSeed(Buffer.from(row.seed, 'base64'));
}

// ---------------------------------------------------------------------------------------------------------------
// Roots

interface RootRow {
  seq: string;
  snapshot_id: string;
  created_at: string | Date;
  leaf_count: number;
  depth: number;
  assets: PolAsset[] | string;
  root_hash: string;
  root_sums: string[] | string;
  previous_hash: string | null;
  signature: string;
  public_key: string;
  trigger: string;
  published_at: string | Date;
}

const iso = (v: string | Date): string => (v instanceof Date ? v : new Date(v)).toISOString();
const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

export function toRecord(r: RootRow): RootRecord {
  return {
    seq: Number(r.seq),
    snapshotId: r.snapshot_id,
    createdAt: iso(r.created_at),
    leafCount: r.leaf_count,
    depth: r.depth,
    assets: json<PolAsset[]>(r.assets),
    rootHash: r.root_hash,
    rootSums: json<string[]>(r.root_sums),
    previousHash: r.previous_hash,
    signature: r.signature,
    publicKey: r.public_key,
  };
}

const ROOT_COLUMNS = sql`seq::text as seq, snapshot_id::text as snapshot_id, created_at, leaf_count, depth, assets, root_hash, root_sums,
  previous_hash, signature, public_key, trigger, published_at`;

export async function latestRoot(executor: Executor): Promise<RootRecord | null> {
  const [r] = await rows<RootRow>(executor, sql`select ${ROOT_COLUMNS} from pol_roots order by pol_roots.seq desc limit 1`);
  return r ? toRecord(r) : null;
}

export async function rootBySnapshot(executor: Executor, snapshotId: string): Promise<RootRecord | null> {
  const [r] = await rows<RootRow>(executor, sql`select ${ROOT_COLUMNS} from pol_roots where snapshot_id = ${snapshotId}::uuid`);
  return r ? toRecord(r) : null;
}

/** Newest first; `beforeSeq` pages back. */
export async function rootHistory(
  executor: Executor,
  limit: number,
  beforeSeq?: number,
): Promise<(RootRecord & { trigger: 'schedule' | 'operator'; publishedAt: string })[]> {
  const list = await rows<RootRow>(
    executor,
    sql`select ${ROOT_COLUMNS} from pol_roots ${beforeSeq ? sql`where pol_roots.seq < ${beforeSeq}` : sql``} order by pol_roots.seq desc limit ${limit}`,
  );
  return list.map((r) => ({ ...toRecord(r), trigger: r.trigger === 'operator' ? 'operator' : 'schedule', publishedAt: iso(r.published_at) }));
}

/** Per asset, the root's sums as decimal amounts. */
export function totals(r: RootRecord): { asset: string; liabilities: string }[] {
  return r.assets.map((a, i) => ({ asset: a.symbol, liabilities: fromUnits(BigInt(r.rootSums[i] ?? '0'), a.decimals) }));
}

// ---------------------------------------------------------------------------------------------------------------
// Snapshot

export interface SnapshotOptions {
  trigger: 'schedule' | 'operator';
  requestedBy: string | null;
  requestId?: string | null;
  /**
   * Called as each phase ends with its wall time in ms (the bench's breakdown): `reconcile`; `balances` (the pages
   * of balances read, hashed into leaves and staged); `leaves` (stored in hash order); `tree` (every level built).
   * What follows (signing, the root row, the commit with its deferred foreign-key checks) is the rest of the total.
   */
  onPhase?: (phase: SnapshotPhase, ms: number) => void;
  /** Users per page of balances (PAGE unless a test wants many pages of a few users). */
  pageSize?: number;
}

export type SnapshotPhase = 'reconcile' | 'balances' | 'leaves' | 'tree';

const batchJson = (list: unknown[]) => JSON.stringify(list);

/** A statement sent ahead and awaited later: its rejection is handled where it is awaited, not reported as unhandled. */
function settled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/**
 * Takes a snapshot and publishes its root, all in one repeatable-read transaction: the ledger must reconcile, every
 * user's balances are read page by page (one consistent view), each becomes a salted leaf, the leaves' sums must
 * equal the ledger's user liabilities, the tree is built level by level through the database (memory stays bounded
 * by a page whatever the number of accounts), then the root is signed and appended to the history. Any failure
 * rolls everything back. Only one snapshot is built at a time: another caller gets 409.
 */
export async function takeSnapshot(platform: Platform, opts: SnapshotOptions): Promise<RootRecord> {
  const key = await signingKey(platform);
  const db: Db = platform.database.db;
  let mark = performance.now();
  const phase = (name: SnapshotPhase): void => {
    const now = performance.now();
    opts.onPhase?.(name, now - mark);
    mark = now;
  };
  try {
    return await db.transaction(
      async (tx) => {
        // Taken before the transaction's snapshot (the first query): a builder that waited would see the new root.
        await tx.execute(sql`lock table pol_roots in exclusive mode nowait`);
        if (platform.database.kind === 'postgres') await tx.execute(sql`set local statement_timeout = 0`);
        const [{ now } = { now: '' }] = await rows<{ now: string | Date }>(tx, sql`select now() as now`);
        const createdAt = iso(now);

        const rec = await reconcile(tx);
        phase('reconcile');
        if (!rec.ok) throw new AppError('INVALID_STATE', 'The ledger does not reconcile: no snapshot is published until it does', { items: rec.items.length });
        const assets: PolAsset[] = rec.items
          .map((i) => i.asset)
          .sort()
          .map((symbol) => ({ symbol, decimals: POL_DECIMALS }));
        const position = new Map(assets.map((a, i) => [a.symbol, i]));
        const expected = assets.map((a) => toUnits(new D(rec.items.find((i) => i.asset === a.symbol)!.usersTotal).toFixed(), a.decimals));

        const snapshotId = randomUUID();
        await tx.execute(sql`create temp table pol_build (user_id uuid, salt text, hash text, sums text) on commit drop`);
        const sums = assets.map(() => 0n);
        let leafCount = 0;
        // Pipelined on the transaction's one connection, which runs statements in the order they are sent: while a
        // page is hashed here, PostgreSQL stages the previous page's leaves and reads the next page. Every statement is
        // awaited before the phase ends (a failure rejects there and rolls everything back).
        const pageSize = opts.pageSize ?? PAGE;
        let next: Promise<UserHoldingsRow[]> | null = settled(userHoldingsPage(tx, null, pageSize));
        let staged: Promise<unknown> = Promise.resolve();
        while (next) {
          const page: UserHoldingsRow[] = await next;
          next = page.length === pageSize ? settled(userHoldingsPage(tx, page[page.length - 1]!.user_id, pageSize)) : null;
          if (page.length === 0) break;
          // One call for the page's salts: a million calls of randomBytes(32) cost more than the hashing.
          const salts = randomBytes(32 * page.length);
          const batch = page.map((row, k) => {
            const balances = assets.map(() => 0n);
            for (const part of row.holdings.split(',')) {
              const c = part.indexOf(':');
              const i = position.get(part.slice(0, c));
              if (i === undefined) throw new Error(`asset ${part.slice(0, c)} is missing from the reconciliation`);
              // NUMERIC(38,18) as text: plain digits, no exponent; toUnits refuses anything else (a sign included).
              balances[i] = toUnits(part.slice(c + 1), POL_DECIMALS);
            }
            const salt = salts.subarray(32 * k, 32 * (k + 1));
            const leaf = leafNode(salt, row.user_id, balances);
            balances.forEach((b, i) => {
              sums[i]! += b;
            });
            return { user_id: row.user_id, salt: salt.toString('hex'), hash: leaf.hash, sums: encodeSums(balances) };
          });
          await staged;
          staged = settled(
            rows(
              tx,
              sql`insert into pol_build (user_id, salt, hash, sums)
                select user_id, salt, hash, sums from jsonb_to_recordset(${batchJson(batch)}::jsonb) as x(user_id uuid, salt text, hash text, sums text)`,
            ),
          );
          leafCount += page.length;
        }
        await staged;
        phase('balances');
        const off = assets.filter((_, i) => sums[i] !== expected[i]).map((a) => a.symbol);
        if (off.length > 0) throw new AppError('INVALID_STATE', `The snapshot's leaves do not add up to the ledger's user liabilities (${off.join(', ')})`);

        // Leaves in the order of their hashes: the position of a leaf says nothing about its account.
        await tx.execute(sql`insert into pol_leaves (snapshot_id, idx, user_id, salt, hash, sums)
          select ${snapshotId}::uuid, (row_number() over (order by hash collate "C") - 1)::int, user_id, salt, hash, sums from pol_build`);
        phase('leaves');

        const root = await buildLevels(tx, snapshotId, leafCount, assets.length);
        phase('tree');
        if (root.depth > MAX_DEPTH) throw new Error('tree too deep');
        if (root.node.sums.some((s, i) => s !== expected[i])) throw new Error("the root's sums differ from the ledger's user liabilities");

        const [prev] = await rows<{ seq: string; message: string }>(
          tx,
          sql`select seq::text as seq, message from pol_roots order by pol_roots.seq desc limit 1`,
        );
        const unsigned = {
          seq: prev ? Number(prev.seq) + 1 : 1,
          snapshotId,
          createdAt,
          leafCount,
          depth: root.depth,
          assets,
          rootHash: root.node.hash,
          rootSums: root.node.sums.map(String),
          previousHash: prev ? createHash('sha256').update(prev.message).digest('hex') : null,
        };
        const message = signedMessage(unsigned);
        const record: RootRecord = { ...unsigned, signature: sign(null, Buffer.from(message), key.privateKey).toString('base64'), publicKey: key.publicKey };
        await tx.execute(sql`insert into pol_roots (seq, snapshot_id, created_at, trigger, requested_by, leaf_count, depth, assets, root_hash, root_sums,
            previous_hash, message, signature, public_key)
          values (${record.seq}, ${snapshotId}::uuid, ${createdAt}::timestamptz, ${opts.trigger}, ${opts.requestedBy}, ${leafCount}, ${root.depth},
            ${JSON.stringify(assets)}::jsonb, ${record.rootHash}, ${JSON.stringify(record.rootSums)}::jsonb, ${record.previousHash}, ${message},
            ${record.signature}, ${record.publicKey})`);
        if (opts.trigger === 'operator') {
          await recordAudit(tx, {
            actorId: opts.requestedBy,
            action: 'pol.snapshot',
            targetType: 'pol_snapshot',
            targetId: snapshotId,
            requestId: opts.requestId ?? null,
            details: { seq: record.seq, leafCount, rootHash: record.rootHash },
          });
        }
        return record;
      },
      { isolationLevel: 'repeatable read' },
    );
  } catch (err) {
    if (pgError(err).code === '55P03') throw new AppError('CONFLICT', 'A snapshot is being built right now; try again when it is published');
    throw err;
  }
}

/**
 * Heights built per pass: a page of 2^LEVELS_PER_PASS nodes of one level (aligned on that size) is a whole subtree, so
 * its nodes up to LEVELS_PER_PASS heights higher are computed in memory from that one read, and stored in one insert.
 * A million leaves take two passes (leaves → height 11, 489 nodes → the root) instead of reading back every level.
 */
const LEVELS_PER_PASS = 11;
const LEVEL_PAGE = 2 ** LEVELS_PER_PASS;

/** Builds every level above the leaves, a page at a time, storing each node; returns the root and the depth (exported for its test). */
export async function buildLevels(tx: Executor, snapshotId: string, leafCount: number, assets: number): Promise<{ node: TreeNode; depth: number }> {
  if (leafCount === 0) return { node: paddingNode(0, assets), depth: 0 };
  let count = leafCount;
  let height = 0;
  let last: TreeNode | null = null;
  while (count > 1) {
    // This pass: up to LEVELS_PER_PASS heights, fewer when the root comes first.
    let levels = 0;
    let top = count;
    while (top > 1 && levels < LEVELS_PER_PASS) {
      top = Math.ceil(top / 2);
      levels++;
    }
    for (let start = 0; start < count; start += LEVEL_PAGE) {
      let level = await readLevel(tx, snapshotId, height, start, LEVEL_PAGE);
      const made: { height: number; idx: number; hash: string; sums: string }[] = [];
      // Every page but the last holds LEVEL_PAGE nodes, so no pair straddles two pages at any height of the pass, and
      // the odd node that pairs with padding is always the last of its level, in the last page: the same pairing as
      // one level at a time.
      let first = start;
      for (let h = height; h < height + levels; h++) {
        const parents: TreeNode[] = [];
        for (let i = 0; i < level.length; i += 2) {
          const p = parentNode(level[i]!, level[i + 1] ?? paddingNode(h, assets), h);
          made.push({ height: h + 1, idx: first / 2 + i / 2, hash: p.hash, sums: encodeSums(p.sums) });
          parents.push(p);
        }
        first /= 2;
        level = parents;
      }
      last = level[level.length - 1] ?? last;
      await tx.execute(sql`insert into pol_nodes (snapshot_id, height, idx, hash, sums)
        select ${snapshotId}::uuid, height, idx, hash, sums from jsonb_to_recordset(${batchJson(made)}::jsonb) as x(height int, idx int, hash text, sums text)`);
    }
    count = top;
    height += levels;
  }
  if (!last) {
    const [leaf] = await readLevel(tx, snapshotId, 0, 0, 1);
    return { node: leaf!, depth: 0 };
  }
  return { node: last, depth: height };
}

async function readLevel(tx: Executor, snapshotId: string, height: number, start: number, limit: number): Promise<TreeNode[]> {
  const list =
    height === 0
      ? await rows<{ hash: string; sums: string }>(
          tx,
          sql`select hash, sums from pol_leaves where snapshot_id = ${snapshotId}::uuid and idx >= ${start} and idx < ${start + limit} order by idx`,
        )
      : await rows<{ hash: string; sums: string }>(
          tx,
          sql`select hash, sums from pol_nodes where snapshot_id = ${snapshotId}::uuid and height = ${height} and idx >= ${start} and idx < ${start + limit} order by idx`,
        );
  return list.map((r) => ({ hash: r.hash, sums: decodeSums(r.sums) }));
}

// ---------------------------------------------------------------------------------------------------------------
// Proofs

/** A user's inclusion proof in a snapshot (the latest by default). 404 when there is none or the user has no leaf. */
export async function inclusionProof(executor: Executor, userId: string, snapshotId?: string): Promise<InclusionProof> {
  const root = snapshotId ? await rootBySnapshot(executor, snapshotId) : await latestRoot(executor);
  if (!root) throw notFound('Proof-of-liabilities snapshot');
  const [leaf] = await rows<{ idx: number; salt: string; sums: string }>(
    executor,
    sql`select idx, salt, sums from pol_leaves where snapshot_id = ${root.snapshotId}::uuid and user_id = ${userId}::uuid`,
  );
  if (!leaf) throw new AppError('NOT_FOUND', 'Your account had no balances when this snapshot was taken, so it has no leaf in it');
  const wanted: { height: number; idx: number }[] = [];
  for (let h = 0; h < root.depth; h++) wanted.push({ height: h, idx: (leaf.idx >> h) ^ 1 });
  const found = new Map<string, { hash: string; sums: string }>();
  if (wanted.length > 0) {
    const list = await rows<{ height: number; idx: number; hash: string; sums: string }>(
      executor,
      sql`select 0 as height, l.idx, l.hash, l.sums from pol_leaves l where l.snapshot_id = ${root.snapshotId}::uuid and l.idx = ${wanted[0]!.idx}
          union all
          select n.height::int, n.idx, n.hash, n.sums
          from jsonb_to_recordset(${JSON.stringify(wanted.slice(1))}::jsonb) as k(height int, idx int),
            lateral (select height, idx, hash, sums from pol_nodes where snapshot_id = ${root.snapshotId}::uuid and height = k.height and idx = k.idx) n`,
    );
    for (const r of list) found.set(`${r.height}:${r.idx}`, r);
  }
  const path: PathStep[] = wanted.map((w) => {
    const r = found.get(`${w.height}:${w.idx}`);
    const node = r ? { hash: r.hash, sums: decodeSums(r.sums) } : paddingNode(w.height, root.assets.length);
    return { position: w.idx % 2 === 0 ? 'left' : 'right', hash: node.hash, sums: node.sums.map(String) };
  });
  return {
    version: POL_VERSION,
    snapshotId: root.snapshotId,
    userId,
    salt: leaf.salt,
    leafIndex: leaf.idx,
    balances: decodeSums(leaf.sums).map((u, i) => fromUnits(u, root.assets[i]!.decimals)),
    path,
    root,
  };
}

export { sha256Hex };
