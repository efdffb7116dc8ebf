/** The withdrawals module's public surface. */
export { checkAddress } from './addresses.ts';
export { approveWithdrawal, completeWithdrawal, rejectWithdrawal, withdrawalQueue } from './withdrawals.admin.ts';
export { countByStatus, listUserWithdrawals } from './withdrawals.repo.ts';
export { cancelWithdrawal, requestWithdrawal, withdrawalAssets } from './withdrawals.service.ts';
