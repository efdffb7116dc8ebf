import { apiRoutes, type WatchlistResponse } from '@cryptovault/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { MouseEvent } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { describeError } from '../../lib/errors.ts';
import { useAuth } from '../../shared/auth.ts';
import { qk } from '../../shared/queryKeys.ts';
import { useApi } from '../../shared/services.ts';
import { useToast } from '../../ui/Toasts.tsx';

/** The signed-in user's starred asset ids (empty and not fetched for visitors). */
export function useWatchlist() {
  const api = useApi();
  const { user } = useAuth();
  const query = useQuery({ queryKey: qk.watchlist, queryFn: () => api.call(apiRoutes.watchlist.list), enabled: user !== null, staleTime: 60_000 });
  const ids = new Set((user ? query.data?.items : undefined)?.map((i) => i.assetId) ?? []);
  return { ids, signedIn: user !== null, isPending: user !== null && query.isPending };
}

/** Stars or unstars an asset; the star changes at once and goes back if the server refuses. */
function useToggleWatch() {
  const api = useApi();
  const client = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: ({ assetId, starred }: { assetId: string; symbol: string; starred: boolean }) =>
      starred ? api.call(apiRoutes.watchlist.add, { params: { assetId } }) : api.call(apiRoutes.watchlist.remove, { params: { assetId } }),
    onMutate: async ({ assetId, symbol, starred }) => {
      await client.cancelQueries({ queryKey: qk.watchlist });
      const before = client.getQueryData<WatchlistResponse>(qk.watchlist);
      const items = (before?.items ?? []).filter((i) => i.assetId !== assetId);
      if (starred) items.push({ assetId, symbol, addedAt: new Date().toISOString() });
      client.setQueryData<WatchlistResponse>(qk.watchlist, { items });
      return { before };
    },
    onError: (e, _v, ctx) => {
      if (ctx?.before) client.setQueryData(qk.watchlist, ctx.before);
      toast.show('error', 'Could not update your watchlist', describeError(e));
    },
    onSettled: () => client.invalidateQueries({ queryKey: qk.watchlist }),
  });
}

/**
 * The star of an asset (markets table, asset page). Signed-in users toggle it; visitors are taken to the sign-in
 * page and brought back. `aria-pressed` tells screen readers whether the asset is on the watchlist.
 */
export function WatchStar({
  assetId,
  symbol,
  name,
  starred,
  signedIn,
}: {
  assetId: string;
  symbol: string;
  name: string;
  starred: boolean;
  signedIn: boolean;
}) {
  const toggle = useToggleWatch();
  const navigate = useNavigate();
  const location = useLocation();
  const onClick = (e: MouseEvent) => {
    // The star sits inside a clickable table row: starring must not open the asset.
    e.stopPropagation();
    if (!signedIn) {
      navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
      return;
    }
    toggle.mutate({ assetId, symbol, starred: !starred });
  };
  const label = signedIn ? (starred ? `Remove ${name} from your watchlist` : `Add ${name} to your watchlist`) : `Sign in to add ${name} to a watchlist`;
  return (
    <button
      type="button"
      className={`star-btn${starred ? ' starred' : ''}`}
      aria-label={label}
      title={label}
      aria-pressed={signedIn ? starred : undefined}
      onClick={onClick}
      data-testid={`star-${symbol}`}
    >
      <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
        <path
          d="M12 2.8l2.8 5.9 6.4.8-4.7 4.4 1.2 6.4L12 17.2l-5.7 3.1 1.2-6.4-4.7-4.4 6.4-.8z"
          fill={starred ? 'currentColor' : 'none'}
          stroke="currentColor"
          strokeWidth="1.8"
          strokeLinejoin="round"
        />
      </svg>
    </button>
  );
}

/** The star of the asset page's heading. */
export function AssetStar({ assetId, symbol, name }: { assetId: string; symbol: string; name: string }) {
  const watch = useWatchlist();
  return <WatchStar assetId={assetId} symbol={symbol} name={name} starred={watch.ids.has(assetId)} signedIn={watch.signedIn} />;
}
