/** Query keys in one place, so live socket events can update or invalidate exactly what they affect. */
export const qk = {
  me: ['me'] as const,
  assets: ['assets'] as const,
  asset: (id: string) => ['assets', id] as const,
  history: (id: string, interval: string) => ['history', id, interval] as const,
  pairs: ['trading-pairs'] as const,
  balances: ['balances'] as const,
  portfolio: ['portfolio'] as const,
  portfolioHistory: (range: string) => ['portfolio', 'history', range] as const,
  orders: ['orders'] as const,
  transactions: ['transactions'] as const,
  deposits: ['deposits'] as const,
  withdrawals: ['withdrawals'] as const,
  transfers: ['transfers'] as const,
  alerts: ['alerts'] as const,
  notifications: ['notifications'] as const,
  unread: ['notifications', 'unread'] as const,
  sessions: ['sessions'] as const,
  passkeys: ['passkeys'] as const,
  backupCodes: ['backup-codes'] as const,
  securityEvents: ['security-events'] as const,
  addressBook: ['withdrawal-addresses'] as const,
  antiPhishing: ['anti-phishing'] as const,
  admin: ['admin'] as const,
};

/** Everything that belongs to the signed-in user: dropped on logout or when the session expires. */
export const PRIVATE_KEYS = [qk.balances, qk.portfolio, qk.orders, qk.transactions, qk.deposits, qk.withdrawals, qk.transfers, qk.alerts, qk.notifications, qk.sessions, qk.passkeys, qk.backupCodes, qk.securityEvents, qk.addressBook, qk.antiPhishing, qk.admin];
