import type { WatchlistItem, WatchlistResponse } from '@cryptovault/contract';
import { type AssetInfo, findAsset } from '../../platform/assets.ts';
import { AppError } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import * as repo from './watchlist.repo.ts';
import type { WatchlistItemRow } from './watchlist.schema.ts';

type Deps = Pick<Platform, 'database'>;

function view(r: WatchlistItemRow): WatchlistItem {
  return { assetId: r.assetId, symbol: findAsset(r.assetId)?.symbol ?? r.assetId.toUpperCase(), addedAt: r.createdAt.toISOString() };
}

function listedAsset(idOrSymbol: string): AssetInfo {
  const asset = findAsset(idOrSymbol);
  if (!asset) throw new AppError('NOT_FOUND', `We don't list an asset called "${idOrSymbol}", so it cannot be starred.`);
  return asset;
}

export async function listWatchlist(platform: Deps, userId: string): Promise<WatchlistResponse> {
  const rows = await repo.listItems(platform.database.db, userId);
  // An asset that was delisted after being starred is left out rather than shown without a price.
  return { items: rows.filter((r) => findAsset(r.assetId)).map(view) };
}

export async function addToWatchlist(platform: Deps, userId: string, idOrSymbol: string): Promise<WatchlistItem> {
  const asset = listedAsset(idOrSymbol);
  return view(await repo.upsertItem(platform.database.db, userId, asset.id));
}

export async function removeFromWatchlist(platform: Deps, userId: string, idOrSymbol: string): Promise<void> {
  const asset = listedAsset(idOrSymbol);
  await repo.deleteItem(platform.database.db, userId, asset.id);
}
