/** The transactions module's public surface: a user's history, paged or streamed. */
export { allTransactions, listTransactions } from './transactions.service.ts';
