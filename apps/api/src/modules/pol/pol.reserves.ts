import type { PolPublication, PolReserveRequest } from '@cryptovault/contract';
import { sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import type { Platform } from '../../platform/index.ts';
import { recordAudit } from '../audit/index.ts';
import { D } from '../ledger/index.ts';
import { rows } from '../../platform/db/sql.ts';
import { latestRoot, signingKey, totals } from './pol.service.ts';

/** What the page says, so the platform never claims more than it proves. */
export const PROVEN =
  'Proven: every account with a balance is a leaf of the published Merkle sum tree, whose root commits to the per-asset ' +
  'totals shown as liabilities. Each user can check that their own balances are included (inclusion proof) and that no ' +
  'node hides a negative amount; the signed history shows that no published root was rewritten.';
export const DECLARED =
  'Declared, not proven: reserves are addresses and balances an operator recorded, with a signed message where the chain ' +
  'allows. The platform has not proven here that it controls them or that they are not owed to anyone else.';

interface ReserveRow {
  id: string;
  asset: string;
  chain: string;
  address: string;
  balance: string;
  message: string | null;
  signature: string | null;
  note: string | null;
  created_at: string | Date;
}

/** An operator's declaration for one address (a later one for the same asset, chain and address replaces it). */
export async function declareReserve(platform: Pick<Platform, 'database'>, actor: { adminId: string; requestId: string }, body: PolReserveRequest) {
  return platform.database.db.transaction(async (tx) => {
    const [row] = await rows<ReserveRow>(
      tx,
      sql`insert into pol_reserves (asset, chain, address, balance, message, signature, note, recorded_by)
          values (${body.asset}, ${body.chain}, ${body.address}, ${body.balance}, ${body.message ?? null}, ${body.signature ?? null}, ${body.note ?? null}, ${actor.adminId})
          returning id::text as id, asset, chain, address, balance::text as balance, message, signature, note, created_at`,
    );
    await recordAudit(tx, {
      actorId: actor.adminId,
      action: 'pol.reserve.declare',
      targetType: 'pol_reserve',
      targetId: row!.id,
      requestId: actor.requestId,
      details: { asset: body.asset, chain: body.chain, address: body.address, balance: new D(body.balance).toFixed(), signed: Boolean(body.signature) },
    });
    return toReserve(row!);
  });
}

function toReserve(r: ReserveRow) {
  return {
    id: r.id,
    chain: r.chain,
    address: r.address,
    balance: new D(r.balance).toFixed(),
    message: r.message,
    signature: r.signature,
    note: r.note,
    declaredAt: (r.created_at instanceof Date ? r.created_at : new Date(r.created_at)).toISOString(),
    asset: r.asset,
  };
}

async function currentReserves(executor: Executor) {
  const list = await rows<ReserveRow>(
    executor,
    sql`select distinct on (asset, chain, address) id::text as id, asset, chain, address, balance::text as balance, message, signature, note, created_at
        from pol_reserves order by asset, chain, address, created_at desc, id`,
  );
  return list.map(toReserve).filter((r) => !new D(r.balance).isZero());
}

/** The public page's data: the latest signed root, liabilities beside declared reserves per asset, and the key. */
export async function publication(platform: Platform): Promise<PolPublication> {
  const db = platform.database.db;
  const [root, reserves, key] = await Promise.all([latestRoot(db), currentReserves(db), signingKey(platform)]);
  const liabilities = new Map((root ? totals(root) : []).map((t) => [t.asset, t.liabilities]));
  const symbols = [...new Set([...liabilities.keys(), ...reserves.map((r) => r.asset)])].sort();
  const assets = symbols.map((asset) => {
    const mine = reserves.filter((r) => r.asset === asset);
    const owed = new D(liabilities.get(asset) ?? '0');
    const declared = mine.length > 0 ? mine.reduce((s, r) => s.plus(r.balance), new D(0)) : null;
    return {
      asset,
      liabilities: owed.toFixed(),
      declaredReserves: declared ? declared.toFixed() : null,
      ratio: declared && owed.gt(0) ? declared.div(owed).toDecimalPlaces(4, D.ROUND_DOWN).toFixed() : null,
      reserves: mine.map(({ asset: _a, ...r }) => r),
    };
  });
  return { publicKey: key.publicKey, latest: root, assets, proven: PROVEN, declared: DECLARED };
}
