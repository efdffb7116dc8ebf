import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

/**
 * The JSON body exactly as received, kept only for requests signed with an API key (their signature covers the body's
 * bytes, not its parsed value). Installed on the root instance by app.ts: Fastify's own JSON parser still parses it
 * (with its prototype-poisoning protection and the body limit).
 */
const raw = new WeakMap<IncomingMessage, string>();

export function keepRawJsonBodies(app: FastifyInstance, when: (req: IncomingMessage) => boolean): void {
  const parse = app.getDefaultJsonParser(app.initialConfig.onProtoPoisoning ?? 'error', app.initialConfig.onConstructorPoisoning ?? 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (when(request.raw)) raw.set(request.raw, body as string);
    parse(request, body as string, done);
  });
}

/** The raw JSON body of a request `keepRawJsonBodies` kept; undefined when it had none (or was not kept). */
export function rawBodyOf(req: IncomingMessage): string | undefined {
  return raw.get(req);
}
