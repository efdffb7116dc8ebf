/** The ops module's public surface: health and readiness. */
export { liveness, readiness } from './ops.service.ts';
