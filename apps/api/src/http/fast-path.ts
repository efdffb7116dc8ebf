import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyPluginAsync, FastifySchema } from 'fastify';
import type { Logger } from 'pino';
import type { RateResult } from '../platform/ratelimit.ts';
import { type PrebuiltBody, represent } from './prebuilt.ts';

export interface FastPathDeps {
  /** The security headers of every API response (http/security-headers.ts). */
  apiHeaders: Readonly<Record<string, string>>;
  /** The same id Fastify would give the request (genReqId in app.ts). */
  requestId(req: IncomingMessage): string;
  /** The same address Fastify's request.ip gives under the configured trust of proxies. */
  clientIp(req: IncomingMessage): string;
  /** The global per-IP API limit, the one Fastify's onRequest hook applies (synchronous when known locally). */
  rateLimit(ip: string): RateResult | Promise<RateResult>;
  observe(route: string, status: number, seconds: number): void;
  log: Logger;
}

interface FastRoute {
  body(): PrebuiltBody;
  cacheControl: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A verdict the fast path already counted, for Fastify's rate-limit hook to use (not to count again). */
const verdicts = new WeakMap<IncomingMessage, RateResult>();

export function rateVerdictOf(req: IncomingMessage): RateResult | undefined {
  return verdicts.get(req);
}

/**
 * Answers the hottest public reads (the price list, polled by every open page) before Fastify's request pipeline,
 * which costs more than the prebuilt answer itself: request and reply objects, a child logger, a dozen hooks.
 *
 * Only what is the same for every caller goes this way: a GET of a registered path, exactly (no query string),
 * without an Origin header, from a caller under the API rate limit, while the app is not closing. Everything else
 * (CORS requests, HEAD, queries, refusals, shutdown) goes to Fastify unchanged, where the same route is
 * registered and answers with the same bytes and headers (the fast path test compares the two).
 * The answer does not depend on who asks, so credentials are not looked at.
 */
export class FastPath {
  private readonly routes = new Map<string, FastRoute>();
  /** The headers every answer carries, flattened once. */
  private readonly common: readonly string[];
  private open = true;
  /** Requests answered here (for tests and the bench). */
  answered = 0;

  constructor(private readonly deps: FastPathDeps) {
    // Vary as @fastify/cors (Vary: Origin, sent with or without one) and the route (Accept-Encoding) send it there.
    this.common = [...Object.entries(deps.apiHeaders).flat(), 'vary', 'Origin, Accept-Encoding'];
  }

  /** Registers a public GET answered with a prebuilt body; the route must also exist in Fastify. */
  get(path: string, route: FastRoute): void {
    this.routes.set(path, route);
  }

  /** From now on everything goes to Fastify (which answers 503 while closing). */
  close(): void {
    this.open = false;
  }

  dispatch(req: IncomingMessage, res: ServerResponse, next: Handler): void {
    // A request signed with an API key is checked by Fastify's hooks (and refused there if its key may not read prices).
    const signed = req.headers['cv-access-key'] !== undefined || req.headers['cv-access-sign'] !== undefined;
    const route = this.open && req.method === 'GET' && req.headers.origin === undefined && !signed ? this.routes.get(req.url ?? '') : undefined;
    if (!route) {
      next(req, res);
      return;
    }
    const started = performance.now();
    const toFastify = (verdict: RateResult) => {
      verdicts.set(req, verdict);
      next(req, res);
    };
    const proceed = (verdict: RateResult) => {
      if (!verdict.allowed || !this.open) {
        toFastify(verdict);
        return;
      }
      try {
        this.answer(req, res, route, started);
      } catch (err) {
        // Nothing sent yet (the body is built before the head is written): Fastify runs the route and its error
        // handling, with the verdict already counted.
        if (!res.headersSent) {
          toFastify(verdict);
          return;
        }
        this.deps.log.error({ err, url: req.url }, 'fast path failed after answering');
        res.destroy();
      }
    };
    let verdict: RateResult | Promise<RateResult>;
    try {
      verdict = this.deps.rateLimit(this.deps.clientIp(req));
    } catch {
      next(req, res);
      return;
    }
    if (verdict instanceof Promise) {
      // Should the limiter fail, Fastify's hook asks it again and answers whatever comes of that.
      verdict.then(proceed, () => next(req, res));
    } else {
      proceed(verdict);
    }
  }

  private answer(req: IncomingMessage, res: ServerResponse, route: FastRoute, started: number): void {
    const requestId = this.deps.requestId(req);
    const r = represent(route.body(), req.headers, route.cacheControl);
    res.writeHead(r.status, ['x-request-id', requestId, ...this.common, ...r.flat]);
    res.end(r.payload ?? undefined);
    this.answered++;
    const seconds = (performance.now() - started) / 1000;
    this.deps.observe(req.url ?? '', r.status, seconds);
    if (this.deps.log.isLevelEnabled('info')) {
      this.deps.log.info(
        { requestId, req: { method: req.method, url: req.url }, res: { statusCode: r.status }, responseTime: seconds * 1000 },
        'request completed',
      );
    }
  }
}

export interface PrebuiltGetOptions {
  path: string;
  /** The route's schema for the OpenAPI document (its 200 response describes the body's JSON). */
  schema: FastifySchema;
  /** The current body, built and validated once per change (http/prebuilt.ts). */
  body(): PrebuiltBody;
  cacheControl: string;
}

/**
 * A public GET answered with a prebuilt body, declared once for both ways in: the fast path in front of Fastify
 * (`FastPath.get`, for plain GETs) and the Fastify route (CORS requests, HEAD, query strings, rate-limit refusals,
 * shutdown, injected requests). Both answer through `represent`, so the bytes and headers are the same
 * (fast-path.test.ts compares them). A route opts in by being registered with this plugin; the cost and the gain
 * are in docs/decisions/0002-fast-path-for-prebuilt-gets.md.
 */
export const prebuiltGet: FastifyPluginAsync<PrebuiltGetOptions> = async (app, o) => {
  const route = { body: o.body, cacheControl: o.cacheControl };
  app.fastPath.get(o.path, route);
  // Compressed once per change (PrebuiltBody), not per request by @fastify/compress; a Buffer is sent as it is,
  // without the per-request serialiser (the bytes were validated against the response schema when built).
  app.get(o.path, { compress: false, schema: o.schema }, async (request, reply) => {
    const r = represent(route.body(), request.headers, route.cacheControl);
    const vary = reply.getHeader('vary');
    reply
      .code(r.status)
      .headers(r.headers)
      .header('vary', vary ? `${String(vary)}, Accept-Encoding` : 'Accept-Encoding');
    return reply.send(r.payload ?? undefined);
  });
};
