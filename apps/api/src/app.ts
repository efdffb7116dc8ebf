import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import compress from '@fastify/compress';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from './config.ts';
import { installErrorHandlers, sendError } from './http/errors.ts';
import { FastPath, rateVerdictOf } from './http/fast-path.ts';
import { completeDocument, openapiBase, RouteCatalog } from './http/openapi.ts';
import { securityHeaders } from './http/security-headers.ts';
import { registerModules } from './modules/index.ts';
import { PINNED_TRUST, pinClientAddress } from './platform/client-address.ts';
import { originAllowedFor, servedHosts } from './platform/same-origin.ts';
import { CSRF_COOKIE, CSRF_HEADER, csrfRequestValid } from './platform/csrf.ts';
import type { Platform } from './platform/index.ts';
import type { Root } from './compose.ts';
import { apiIpRule } from './platform/ratelimit.ts';
import { keepRawJsonBodies } from './platform/raw-body.ts';
import { presentsApiKey } from './modules/apikeys/index.ts';
import { routeRoleHook } from './http/route-roles.ts';
import { defaultWebDistDir } from './platform/paths.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: the route is exempt from CSRF (it authenticates otherwise, e.g. a signed webhook). */
    csrf?: boolean;
    /** false: the route is exempt from the global per-IP rate limit (health checks, metrics). */
    rateLimit?: boolean;
  }
  interface FastifyInstance {
    /** Public GETs answered before the request pipeline (http/fast-path.ts). */
    fastPath: FastPath;
    /** Shutdown's first phase (lifecycle.ts): new requests answered 503 while the ones in flight finish. */
    drain: Drain;
  }
}

export type App = FastifyInstance;

/** Probes and scrapes keep their own answers while draining (/health and /health/live say `draining`). */
const DRAIN_EXEMPT = /^\/(health|api\/health|metrics|api\/fly\/health)(\/|\?|$)/;

/**
 * While the process drains it keeps listening: a request that arrives on a new connection (Fly's proxy may still
 * send one before it notices) or on a kept-alive one is answered 503 in the contract's error shape with
 * `Connection: close`, instead of the connection being refused, and the requests already in flight finish.
 */
export interface Drain {
  /** Requests being answered right now (drain answers excluded). */
  readonly inFlight: number;
  /** Runs `fn` when draining starts (Socket.IO closes its sockets so that clients reconnect elsewhere at once). */
  onStart(fn: () => Promise<void> | void): void;
  /** Starts answering 503 (platform.draining must be set) and runs the start hooks. */
  start(): Promise<void>;
  /** Resolves once no request is in flight. */
  settled(): Promise<void>;
}

function createDrain(platform: Pick<Platform, 'draining'>, answer: (req: IncomingMessage, res: ServerResponse) => void) {
  let inFlight = 0;
  let waiters: (() => void)[] = [];
  const starters: (() => Promise<void> | void)[] = [];
  const drain: Drain = {
    get inFlight() {
      return inFlight;
    },
    onStart(fn) {
      starters.push(fn);
    },
    async start() {
      for (const fn of starters) await fn();
    },
    settled() {
      return inFlight === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve));
    },
  };
  const wrap = (handle: (req: IncomingMessage, res: ServerResponse) => void) => (req: IncomingMessage, res: ServerResponse) => {
    if (platform.draining && !DRAIN_EXEMPT.test(req.url ?? '')) {
      answer(req, res);
      return;
    }
    inFlight += 1;
    res.once('close', () => {
      inFlight -= 1;
      if (inFlight === 0) {
        const ready = waiters;
        waiters = [];
        for (const w of ready) w();
      }
    });
    handle(req, res);
  };
  return { drain, wrap };
}

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** No request of the contract nests deeper than this; JSON walkers (ours and libraries') recurse per level. */
const MAX_INPUT_DEPTH = 32;

/**
 * One walk over a parsed body, query or params: 'nul' when a string holds U+0000 (PostgreSQL text cannot), 'deep'
 * when objects or arrays nest beyond MAX_INPUT_DEPTH (refused rather than walked, here or anywhere later).
 */
function inspectInput(value: unknown, depth = 0): 'ok' | 'nul' | 'deep' {
  if (typeof value === 'string') return value.includes('\u0000') ? 'nul' : 'ok';
  if (value === null || typeof value !== 'object') return 'ok';
  if (depth >= MAX_INPUT_DEPTH) return 'deep';
  for (const [k, v] of Object.entries(value)) {
    if (k.includes('\u0000')) return 'nul';
    const r = inspectInput(v, depth + 1);
    if (r !== 'ok') return r;
  }
  return 'ok';
}

/** The caller's X-Request-Id when it is sane, a fresh one otherwise. */
function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * Builds the HTTP application (no listen) from the composition root (compose.ts). Socket.IO attaches to
 * `app.server` in server.ts.
 */
export async function buildApp(root: Root): Promise<App> {
  const { platform } = root;
  const { config } = platform;
  const { authenticator } = root.auth;
  const keys = root.apiKeys.authenticator;
  const security = securityHeaders(config);
  // Global per-IP limit on the API (counted locally, shared through the cache every 100 ms: RateLimiter.checkCoalesced);
  // the auth module adds stricter per-route and per-account limits.
  const apiRule = apiIpRule(config.rateLimitPerMinute);
  const pinning = config.trustProxy !== false;
  const fastPath = new FastPath({
    apiHeaders: security.api,
    requestId: requestIdOf,
    clientIp: (req) => platform.clientAddress(req).ip,
    rateLimit: (ip) => platform.rateLimiter.checkCoalesced(apiRule, ip),
    observe: (route, status, seconds) => platform.metrics.observeHttp('GET', route, status, seconds),
    log: platform.log,
  });
  const { drain, wrap } = createDrain(platform, (req, res) => {
    const requestId = requestIdOf(req);
    const body = JSON.stringify({ error: { code: 'UNAVAILABLE', message: 'This server is shutting down; retry the request', requestId } });
    res.writeHead(503, {
      ...security.api,
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
      'retry-after': '1',
      'x-request-id': requestId,
      connection: 'close',
    });
    res.end(body);
  });
  const app = Fastify({
    loggerInstance: platform.log as FastifyBaseLogger,
    genReqId: requestIdOf,
    // The HTTP server Fastify would make itself, with the fast path in front of Fastify's handler.
    serverFactory: (handler, opts) => {
      // Fastify passes its options with its defaults filled in (typed loosely): set what it would set itself.
      const option = (name: string) => (typeof opts[name] === 'number' ? opts[name] : 0);
      const server = createServer(
        wrap((req, res) => {
          // The caller's address is decided before Fastify (or its request log line) reads request.ip.
          if (pinning) pinClientAddress(req, platform.clientAddress);
          fastPath.dispatch(req, res, handler);
        }),
      );
      server.keepAliveTimeout = option('keepAliveTimeout');
      server.requestTimeout = option('requestTimeout');
      server.setTimeout(option('connectionTimeout'));
      if (option('maxRequestsPerSocket') > 0) server.maxRequestsPerSocket = option('maxRequestsPerSocket');
      return server;
    },
    logController: new LogController({
      requestIdLogLabel: 'requestId',
      // Health probes and scrapes every few seconds would drown the log.
      disableRequestLogging: (req) => config.logLevel === 'silent' || /^\/(health|metrics|ping)/.test(req.url),
    }),
    // request.ip is the resolver's answer, pinned into X-Forwarded-For (platform/client-address.ts).
    trustProxy: pinning ? PINNED_TRUST : false,
    bodyLimit: config.bodyLimitBytes,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // Router-level refusals (bad URL encoding, over-long path parameters) in the contract's error shape too.
    frameworkErrors: (err, request, reply) => {
      const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
      sendError(reply, request, tooLong ? 414 : 400, 'VALIDATION_ERROR', tooLong ? 'A path parameter is too long' : 'Malformed URL');
    },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('principal', null);
  app.decorate('fastPath', fastPath);
  app.decorate('drain', drain);
  app.addHook('preClose', (done) => {
    fastPath.close();
    done();
  });
  installErrorHandlers(app);

  app.addHook('onRequest', (request, reply, done) => {
    // Requests injected in tests do not pass the HTTP server's handler: pin their address here, before any reader.
    if (pinning) pinClientAddress(request.raw, platform.clientAddress);
    reply.header('x-request-id', request.id);
    done();
  });
  // What an API key changed is in the audit log, with the key id, before the answer leaves.
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.principal?.via === 'apikey') await keys.recordUse(request, reply, payload);
    return payload;
  });
  app.addHook('onResponse', (request, reply, done) => {
    platform.metrics.observeHttp(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  app.addHook('onRequest', (request, reply, done) => {
    // /api/docs (an HTML page) sets its own CSP in @fastify/swagger-ui.
    reply.headers(request.url.startsWith('/api/') ? security.api : security.document);
    done();
  });
  const corsOptions = {
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['content-type', 'authorization', 'x-csrf-token', 'x-request-id', 'idempotency-key'],
    exposedHeaders: ['x-request-id', 'retry-after'],
    maxAge: 600,
    strictPreflight: true,
  };
  const served = servedHosts(config);
  await app.register(cors, {
    // Per request: the page's own origin (Origin equal to this request's scheme and Host, platform/same-origin.ts)
    // is allowed beside the configured rules. Requests without Origin (same-origin navigations, curl) carry no CORS
    // headers at all.
    delegator: (request, cb) => {
      const origin = request.headers.origin;
      cb(null, { ...corsOptions, origin: origin ? originAllowedFor(origin, request.raw, config, served) : false });
    },
  });
  await app.register(compress, {
    global: true,
    threshold: 1024,
    encodings: ['br', 'gzip'],
    brotliOptions: { params: { 2: 4 } }, // BROTLI_PARAM_QUALITY: 4 keeps CPU low on small machines
  });
  await app.register(cookie);
  // A request signed with an API key signs its body's bytes: keep them (modules/apikeys, docs/api-keys.md).
  keepRawJsonBodies(app, (req) => presentsApiKey(req.headers));

  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config?.rateLimit === false) return;
    if (!request.url.startsWith('/api/')) return;
    const r = rateVerdictOf(request.raw) ?? (await platform.rateLimiter.checkCoalesced(apiRule, request.ip));
    if (!r.allowed) {
      reply.header('retry-after', String(r.retryAfterSeconds));
      return sendError(reply, request, 429, 'RATE_LIMITED', 'Too many requests; slow down and retry later', {
        retryAfterSeconds: r.retryAfterSeconds,
      });
    }
  });

  // Who is calling, then CSRF for cookie-authenticated state changes.
  app.addHook('preValidation', async (request, reply) => {
    if (!request.routeOptions.url) return;
    // PostgreSQL text cannot hold U+0000: refuse it at the edge rather than fail a query later.
    for (const input of [request.body, request.query, request.params]) {
      const r = inspectInput(input);
      if (r === 'nul') return sendError(reply, request, 400, 'VALIDATION_ERROR', 'Text must not contain NUL (U+0000) characters');
      if (r === 'deep') {
        return sendError(reply, request, 400, 'VALIDATION_ERROR', `The request nests objects or arrays more than ${MAX_INPUT_DEPTH} levels deep`);
      }
    }
    // A request with API key headers is judged as a signed request only (it throws the contract's error otherwise).
    if (presentsApiKey(request.headers)) {
      request.principal = await keys.authenticate(request);
      return;
    }
    // No credential at all (no Authorization header, no cookies): anonymous, without a trip to the authenticator.
    const anonymous = request.headers.authorization === undefined && request.headers.cookie === undefined;
    request.principal = anonymous ? null : await authenticator.authenticate(request);
    const p = request.principal;
    if (p?.via === 'cookie' && STATE_CHANGING.has(request.method) && request.routeOptions.config?.csrf !== false) {
      if (!csrfRequestValid(config.auth.csrfSecret, request.headers[CSRF_HEADER], request.cookies[CSRF_COOKIE], p.sessionId)) {
        return sendError(reply, request, 403, 'CSRF_INVALID', 'Missing or invalid CSRF token; fetch /api/csrf and send it as X-CSRF-Token');
      }
    }
  });

  // The document is completed centrally from what routes declare (http/openapi.ts); routes register after this.
  const catalog = new RouteCatalog();
  app.addHook('onRoute', (route) => catalog.record(route));
  // Operator roles: every route declaring one is checked in one place; an /api/admin route without one fails here.
  app.addHook('onRoute', routeRoleHook());
  await app.register(swagger, {
    openapi: openapiBase(config.version),
    transform: jsonSchemaTransform,
    // Only the OpenAPI 3 branch of the union occurs (the options above are `openapi`).
    transformObject: (documents) => completeDocument(('openapiObject' in documents ? documents.openapiObject : {}) as Record<string, unknown>, catalog),
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true, uiConfig: { docExpansion: 'list' } });
  app.get('/api/openapi.json', { schema: { hide: true }, config: { rateLimit: false } }, async () => app.swagger());

  await registerModules(app, root);

  await registerWeb(app, config);
  return app;
}

/** In embedded mode the API serves the built web app, with an SPA fallback for client-side routes. */
async function registerWeb(app: FastifyInstance, config: Config): Promise<void> {
  const dist = config.web.distDir ?? defaultWebDistDir();
  const indexHtml = join(dist, 'index.html');
  if (!config.web.serve || !existsSync(indexHtml)) return;
  await app.register(fastifyStatic, {
    root: dist,
    wildcard: false,
    index: false,
    maxAge: 0,
    setHeaders: (res, path) => {
      if (path.includes(`${join(dist, 'assets')}`)) res.header('cache-control', 'public, max-age=31536000, immutable');
      else res.header('cache-control', 'no-cache');
    },
  });
  app.get('/', { schema: { hide: true }, config: { rateLimit: false } }, (_req, reply) => reply.sendFile('index.html'));
  app.get('/*', { schema: { hide: true }, config: { rateLimit: false } }, (request, reply) => {
    const path = (request.params as { '*': string })['*'];
    const reserved = /^(api|socket\.io|health|metrics)(\/|$)/.test(path);
    if (!reserved && existsSync(join(dist, path)) && !path.includes('..')) return reply.sendFile(path);
    const wantsHtml = (request.headers.accept ?? '').includes('text/html');
    if (reserved || !wantsHtml || /\.[a-z0-9]{1,8}$/i.test(path)) {
      return sendError(reply, request, 404, 'NOT_FOUND', `No route for GET /${path}`);
    }
    return reply.sendFile('index.html');
  });
}
