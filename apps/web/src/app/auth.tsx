import { apiRoutes, type UserProfile } from '@cryptovault/contract';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useCallback, useEffect, useMemo } from 'react';
import { ApiError } from '../lib/errors.ts';
import { AuthContext, type AuthState } from '../shared/auth.ts';
import { PRIVATE_KEYS, qk } from '../shared/queryKeys.ts';
import { useServices } from '../shared/services.ts';

export function AuthProvider({ children }: { children: ReactNode }) {
  const { api, realtime, sessionExpired } = useServices();
  const qc = useQueryClient();
  const me = useQuery({
    queryKey: qk.me,
    // /api/auth/session answers 200 to everyone: an anonymous visitor's first load makes no failing request (the
    // console stays clean). A visitor whose access token expired but who still has a refresh cookie is refreshed
    // once, then asked again.
    queryFn: async (): Promise<UserProfile | null> => {
      try {
        const s = await api.call(apiRoutes.auth.session);
        if (s.authenticated || !s.canRefresh) return s.user;
        if (!(await api.refresh())) return null;
        return (await api.call(apiRoutes.auth.session)).user;
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return null;
        throw err;
      }
    },
    staleTime: 5 * 60_000,
    retry: 2,
  });

  const forget = useCallback(() => {
    qc.setQueryData(qk.me, null);
    for (const key of PRIVATE_KEYS) qc.removeQueries({ queryKey: key });
  }, [qc]);

  useEffect(() => {
    sessionExpired.handler = () => {
      api.resetCsrf();
      // An anonymous visitor's first /me also ends here: nothing to forget, and the socket is already anonymous.
      if (!qc.getQueryData(qk.me)) return;
      forget();
      realtime.reconnect();
    };
  }, [api, qc, realtime, sessionExpired, forget]);

  const signedIn = useCallback(
    (user: UserProfile) => {
      api.resetCsrf();
      qc.setQueryData(qk.me, user);
      // A new handshake carries the new cookie and joins the user's private room.
      realtime.reconnect();
    },
    [api, qc, realtime],
  );

  const logout = useCallback(
    async (all = false) => {
      try {
        await api.call(all ? apiRoutes.auth.logoutAll : apiRoutes.auth.logout, { skipRefresh: true });
      } catch {
        // Logging out of an already-expired session is still logging out.
      }
      api.resetCsrf();
      forget();
      realtime.reconnect();
    },
    [api, forget, realtime],
  );

  const refreshUser = useCallback(async () => {
    await qc.invalidateQueries({ queryKey: qk.me });
  }, [qc]);

  const value = useMemo<AuthState>(
    () => ({ user: me.data ?? null, loading: me.isPending, signedIn, logout, refreshUser }),
    [me.data, me.isPending, signedIn, logout, refreshUser],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
