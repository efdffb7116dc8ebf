import { and, asc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import { type WatchlistItemRow, watchlistItems } from './watchlist.schema.ts';

export async function listItems(ex: Executor, userId: string): Promise<WatchlistItemRow[]> {
  return ex.select().from(watchlistItems).where(eq(watchlistItems.userId, userId)).orderBy(asc(watchlistItems.createdAt), asc(watchlistItems.assetId));
}

/** Inserts the star, or keeps the existing one (its first `created_at`); answers the stored row either way. */
export async function upsertItem(ex: Executor, userId: string, assetId: string): Promise<WatchlistItemRow> {
  const [row] = await ex
    .insert(watchlistItems)
    .values({ userId, assetId })
    .onConflictDoUpdate({ target: [watchlistItems.userId, watchlistItems.assetId], set: { createdAt: sql`${watchlistItems.createdAt}` } })
    .returning();
  return row!;
}

export async function deleteItem(ex: Executor, userId: string, assetId: string): Promise<void> {
  await ex.delete(watchlistItems).where(and(eq(watchlistItems.userId, userId), eq(watchlistItems.assetId, assetId)));
}
