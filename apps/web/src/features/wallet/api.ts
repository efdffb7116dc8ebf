import type { Deposit, Transfer, Withdrawal } from '@cryptovault/contract';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../app/services.ts';
import { useFallbackInterval } from '../../shared/market.ts';
import { qk } from '../../shared/queryKeys.ts';

type Page<T> = { items: T[]; nextCursor: string | null };

export function useDeposits() {
  const api = useApi();
  const refetchInterval = useFallbackInterval();
  return useQuery({ queryKey: qk.deposits, queryFn: () => api.get<Page<Deposit>>('/api/wallet/deposits', { limit: 20 }), refetchInterval });
}

export function useWithdrawals() {
  const api = useApi();
  const refetchInterval = useFallbackInterval();
  return useQuery({ queryKey: qk.withdrawals, queryFn: () => api.get<Page<Withdrawal>>('/api/wallet/withdrawals', { limit: 20 }), refetchInterval });
}

export function useTransfers() {
  const api = useApi();
  return useQuery({ queryKey: qk.transfers, queryFn: () => api.get<Page<Transfer>>('/api/wallet/transfers', { limit: 20 }) });
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
