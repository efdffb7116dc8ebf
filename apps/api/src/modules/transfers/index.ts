/** The transfers module's public surface. */
export { counterparties, createTransfer } from './transfers.service.ts';
