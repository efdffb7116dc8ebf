/** The alerts module's public surface: what other modules may import. */
export { insertAlert, type NewAlert } from './alerts.repo.ts';
