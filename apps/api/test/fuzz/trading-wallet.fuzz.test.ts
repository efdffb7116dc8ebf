import { fuzzSuite, isAccountsAdmin } from './suite.ts';

/** Every operation accounts-admin.fuzz.test.ts does not take: markets, orders, wallet, alerts, notifications, ... */
fuzzSuite('fuzz: markets, trading, wallet and the remaining routes', (op) => !isAccountsAdmin(op.path));
