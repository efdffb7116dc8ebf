import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { describeIssue, type ErrorBody, type ErrorCode, fieldLabel, type IssueLike } from '@cryptovault/contract';
import { AppError } from '../platform/errors.ts';
import { readsBalances } from '../platform/principal.ts';
import { reportError } from '../platform/sentry.ts';

function report(err: unknown, request: FastifyRequest): void {
  reportError(err, { requestId: String(request.id), method: request.method, route: request.routeOptions.url ?? 'unmatched' });
}

const BY_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};

export function sendError(reply: FastifyReply, request: FastifyRequest, status: number, code: string, message: string, details?: unknown): FastifyReply {
  const body: ErrorBody = { error: { code, message, requestId: String(request.id) } };
  if (details !== undefined) body.error.details = details;
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

const WHERE: Record<string, string> = { querystring: ' (in the query string)', params: ' (in the address)', headers: ' (header)' };

/**
 * "Amount must be a number such as 12.5"; several problems are joined, the first three named. A schema's own message
 * that is a whole sentence (it starts with a capital: "Only market orders take a quote") is used without the label.
 */
export function validationMessage(context: string | undefined, details: { field: string; message: string }[]): string {
  const where = WHERE[context ?? ''] ?? '';
  const parts = details.slice(0, 3).map((d) => (/^[A-Z]/.test(d.message) ? d.message.replace(/\.$/, '') : `${d.field}${where} ${d.message}`));
  if (details.length > 3) parts.push(`and ${details.length - 3} more`);
  return parts.join('; ') || 'The request is not valid';
}

/** Normalises every error into the contract's shape; 5xx bodies never carry internals. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError | Error, request, reply) => {
    if (err instanceof AppError) {
      const e = err.withoutBalances && !readsBalances(request.principal) ? err.withoutBalances : err;
      if (e.retryAfter !== undefined) reply.header('retry-after', String(e.retryAfter));
      if (e.statusCode >= 500) {
        request.log.error({ err: e }, e.message);
        report(e, request);
      }
      return sendError(reply, request, e.statusCode, e.code, e.message, e.details);
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const details = err.validation.map((v) => {
        const fieldPath = v.instancePath.split('/').filter(Boolean);
        // params is the zod issue without code/path/message (fastify-type-provider-zod's createValidationError).
        const issue: IssueLike = { ...(v.params as Partial<IssueLike>), code: v.keyword, message: v.message ?? '', path: fieldPath };
        const message = describeIssue(issue);
        return { path: [err.validationContext, ...fieldPath].filter(Boolean), field: fieldLabel(fieldPath), message };
      });
      return sendError(reply, request, 400, 'VALIDATION_ERROR', validationMessage(err.validationContext, details), details);
    }
    if (isResponseSerializationError(err)) {
      request.log.error({ err, cause: err.cause }, 'response did not match its schema');
      report(err, request);
      return sendError(reply, request, 500, 'INTERNAL', 'Internal server error');
    }
    const fe = err as FastifyError;
    const status = typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 600 ? fe.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err }, 'unhandled error');
      report(err, request);
      if (status === 503) return sendError(reply, request, 503, 'UNAVAILABLE', 'Service temporarily unavailable');
      return sendError(reply, request, 500, 'INTERNAL', 'Internal server error');
    }
    const code = BY_STATUS[status] ?? 'VALIDATION_ERROR';
    const message =
      fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? 'Request body is too large'
        : fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError
          ? 'Request body is not valid JSON'
          : fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? 'Unsupported Content-Type; send application/json'
            : fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
              ? 'Request body is empty but Content-Type is application/json'
              : err.message.slice(0, 200);
    if (status === 429) reply.header('retry-after', reply.getHeader('retry-after') ?? '60');
    return sendError(reply, request, status, code, message);
  });

  app.setNotFoundHandler((request, reply) => sendError(reply, request, 404, 'NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}`));
}
