/** The security module's public surface: the freeze check and the address book's destination rules. */
export { resolveDestination } from './address-book.service.ts';
export { assertNotFrozen } from './security.repo.ts';
