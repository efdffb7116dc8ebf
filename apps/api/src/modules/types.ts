import type { FastifyInstance } from 'fastify';

/**
 * A module's route registrar: registers its routes and hooks on its own encapsulated Fastify scope, given only the
 * parts of the composition root (compose.ts) it uses. modules/index.ts calls every registrar.
 */
export type Registrar<Deps> = (app: FastifyInstance, deps: Deps) => Promise<void>;
