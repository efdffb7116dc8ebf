/** The payments module's public surface: the deposit review queue for admins. */
export { resolveDeposit, reviewQueue } from './payments.admin.ts';
export { countUserDeposits } from './payments.repo.ts';
export { signIpn } from './signature.ts';
