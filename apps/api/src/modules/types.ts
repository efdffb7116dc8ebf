import type { FastifyInstance } from 'fastify';
import type { Platform } from '../platform/index.ts';

/** A domain module: registers its routes and event subscriptions on its own encapsulated Fastify scope. */
export interface AppModule {
  name: string;
  register(app: FastifyInstance, platform: Platform): Promise<void>;
}
