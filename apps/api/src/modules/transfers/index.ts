/** The transfers module's public surface. */
export { createTransfer } from './transfers.service.ts';
