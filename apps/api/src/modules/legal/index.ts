/** The legal module's public surface: documents, consent and the country check (the service), the route gate. */
export { CURRENT_TERMS_TTL_MS, LegalService } from './legal.service.ts';
export { GATED_ROUTES, legalGate } from './gate.ts';
export { feeSchedule } from './fees.ts';
