import { apiRoutes, type RouteBody } from '@cryptovault/contract';
import { useQuery } from '@tanstack/react-query';
import type { ApiClient } from '../../lib/apiClient.ts';
import { newIdempotencyKey } from '../../lib/forms.ts';
import { useApi } from '../../shared/services.ts';
import { useFallbackInterval } from '../../shared/market.ts';
import { qk } from '../../shared/queryKeys.ts';

export function useDeposits() {
  const api = useApi();
  const refetchInterval = useFallbackInterval();
  return useQuery({ queryKey: qk.deposits, queryFn: () => api.call(apiRoutes.wallet.deposits, { query: { limit: 20 } }), refetchInterval });
}

export function useWithdrawals() {
  const api = useApi();
  const refetchInterval = useFallbackInterval();
  return useQuery({ queryKey: qk.withdrawals, queryFn: () => api.call(apiRoutes.wallet.withdrawals, { query: { limit: 20 } }), refetchInterval });
}

/** What can be withdrawn, on which networks and for which fee (the server's list; USD is never in it). */
export function useWithdrawalAssets() {
  const api = useApi();
  return useQuery({ queryKey: qk.withdrawalAssets, queryFn: () => api.call(apiRoutes.wallet.withdrawalAssets), staleTime: 5 * 60_000 });
}

export function useTransfers() {
  const api = useApi();
  return useQuery({ queryKey: qk.transfers, queryFn: () => api.call(apiRoutes.wallet.transfers, { query: { limit: 20 } }) });
}

/** The wallet's writes; each money movement carries a fresh Idempotency-Key, so a retried POST moves nothing twice. */
export function walletApi(api: ApiClient) {
  return {
    createDeposit: (body: RouteBody<typeof apiRoutes.wallet.createDeposit>) =>
      api.call(apiRoutes.wallet.createDeposit, { body, idempotencyKey: newIdempotencyKey() }),
    /** Development only: settles a deposit as the payment provider would. */
    devCompleteDeposit: (id: string, body: RouteBody<typeof apiRoutes.wallet.devCompleteDeposit>) =>
      api.call(apiRoutes.wallet.devCompleteDeposit, { params: { id }, body }),
    createWithdrawal: (body: RouteBody<typeof apiRoutes.wallet.createWithdrawal>) =>
      api.call(apiRoutes.wallet.createWithdrawal, { body, idempotencyKey: newIdempotencyKey() }),
    cancelWithdrawal: (id: string) => api.call(apiRoutes.wallet.cancelWithdrawal, { params: { id } }),
    createTransfer: (body: RouteBody<typeof apiRoutes.wallet.createTransfer>) =>
      api.call(apiRoutes.wallet.createTransfer, { body, idempotencyKey: newIdempotencyKey() }),
  };
}

export const PAY_CURRENCIES = [
  { value: 'btc', label: 'Bitcoin (BTC)' },
  { value: 'eth', label: 'Ethereum (ETH)' },
  { value: 'usdttrc20', label: 'Tether (USDT, TRC-20)' },
  { value: 'usdterc20', label: 'Tether (USDT, ERC-20)' },
  { value: 'usdc', label: 'USD Coin (USDC)' },
  { value: 'ltc', label: 'Litecoin (LTC)' },
  { value: 'sol', label: 'Solana (SOL)' },
  { value: 'doge', label: 'Dogecoin (DOGE)' },
];

/** "Tether (USDT, ERC-20)" for the provider ticker `usdterc20`; the ticker in capitals when it is not offered. */
export const payCurrencyLabel = (ticker: string): string => PAY_CURRENCIES.find((c) => c.value === ticker)?.label ?? ticker.toUpperCase();
