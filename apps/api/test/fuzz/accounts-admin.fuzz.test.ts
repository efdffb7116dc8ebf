import { fuzzSuite, isAccountsAdmin } from './suite.ts';

fuzzSuite('fuzz: accounts, admin, dev and platform routes', (op) => isAccountsAdmin(op.path));
