/** The admin module's public surface: other modules import nothing from admin; its routes are its interface. */
export type { AdminCtx } from './admin.service.ts';
