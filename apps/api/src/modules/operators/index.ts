/** The operators module (issue 21): role management and maker-checker adjustments; its routes are its interface. */
export type { OperatorCtx } from './adjustments.service.ts';
