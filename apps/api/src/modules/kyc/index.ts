/** The KYC module's public surface: the limit checks that deposits, withdrawals and transfers call in their transactions. */
export { checkKycLimit, type LimitInput, recordKycUsage, releaseKycUsage, reserveKycLimit } from './limits.ts';
export { tiersOf } from './kyc.repo.ts';
