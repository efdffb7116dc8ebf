import { z } from 'zod';
import { isoDateTime } from './common.ts';

/** One starred asset of the signed-in user. */
export const watchlistItem = z.object({
  /** CoinCap slug (`bitcoin`), the id of `/api/crypto/:id`. */
  assetId: z.string(),
  symbol: z.string(),
  addedAt: isoDateTime,
});
export type WatchlistItem = z.infer<typeof watchlistItem>;

/** The user's starred assets, oldest first. */
export const watchlistResponse = z.object({ items: z.array(watchlistItem) });
export type WatchlistResponse = z.infer<typeof watchlistResponse>;

/** `:assetId` is an asset id (`bitcoin`) or symbol (`BTC`, any case). */
export const watchlistParams = z.object({ assetId: z.string().trim().min(1).max(64) });
