import { createHash } from 'node:crypto';
import type { DepositStatus } from '@cryptovault/contract';
import { errorSummary } from '../../platform/logger.ts';
import { D } from '../ledger/index.ts';
import type { ApplyOutcome, PaymentsDeps, StatusUpdate } from './payments.service.ts';
import { applyStatus } from './payments.service.ts';
import * as repo from './payments.repo.ts';
import { DEPOSIT_STATUS_SET, txHash } from './provider.ts';
import { TooDeepError, verifyIpnSignature } from './signature.ts';

/** NOWPayments must hear back within 3 s; past this the callback is acknowledged and finished from the inbox. */
const ANSWER_WITHIN_MS = 2500;

export interface WebhookAnswer {
  httpStatus: 200 | 202 | 400 | 401 | 404 | 500;
  body: { status: 'ok' | 'accepted' } | { code: string; message: string };
}

/** Amounts arrive as JSON numbers; String() gives back the digits the provider sent. */
function amount(v: unknown): string | null {
  if (typeof v !== 'number' && typeof v !== 'string') return null;
  try {
    const d = new D(String(v));
    return d.isFinite() && d.gte(0) ? d.toFixed() : null;
  } catch {
    return null;
  }
}

export function parseIpn(body: unknown): StatusUpdate | null {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  const b = body as Record<string, unknown>;
  const paymentId = typeof b.payment_id === 'number' || typeof b.payment_id === 'string' ? String(b.payment_id) : '';
  const status = b.payment_status;
  if (!/^[0-9A-Za-z_-]{1,64}$/.test(paymentId) || typeof status !== 'string' || !DEPOSIT_STATUS_SET.has(status)) return null;
  return {
    paymentId,
    status: status as DepositStatus,
    actuallyPaid: amount(b.actually_paid),
    payinHash: txHash(b.payin_hash),
    priceAmount: amount(b.price_amount),
    payCurrency: typeof b.pay_currency === 'string' ? b.pay_currency : null,
    outcomeAmount: amount(b.outcome_amount),
    outcomeCurrency: typeof b.outcome_currency === 'string' ? b.outcome_currency : null,
  };
}

/** Processes a stored, verified callback and records the outcome on its inbox row. */
export async function processInbox(d: PaymentsDeps, inboxId: number, update: StatusUpdate): Promise<ApplyOutcome> {
  const db = d.platform.database.db;
  try {
    const r = await applyStatus(d, update, 'ipn');
    await repo.finishInbox(db, inboxId, { outcome: r.outcome });
    return r.outcome;
  } catch (err) {
    d.platform.log.error({ err, inboxId, paymentId: update.paymentId }, 'payment callback processing failed');
    await repo.finishInbox(db, inboxId, { outcome: 'error', error: errorSummary(err).slice(0, 500) }).catch(() => undefined);
    throw err;
  }
}

/** Real callbacks are a few hundred bytes; the route refuses bodies above this with 413 before reading them whole. */
export const WEBHOOK_BODY_LIMIT_BYTES = 64 * 1024;
/** What is kept of a body whose signature did not verify: enough to recognise it, not enough to fill a disk. */
export const UNSIGNED_KEEP_CHARS = 512;

function digest(rawBody: string) {
  return { bodyBytes: Buffer.byteLength(rawBody), bodySha256: createHash('sha256').update(rawBody).digest('hex') };
}

/** A callback that proves nothing: its first bytes, size and digest, pruned after UNSIGNED_RETENTION_MS. */
async function keepUnsigned(d: PaymentsDeps, rawBody: string, outcome: 'invalid_signature' | 'invalid_body'): Promise<number> {
  return repo.insertInbox(d.platform.database.db, {
    provider: d.provider.name,
    rawBody: rawBody.slice(0, UNSIGNED_KEEP_CHARS),
    ...digest(rawBody),
    signatureValid: outcome === 'invalid_signature' ? false : null,
    outcome,
    processedAt: new Date(),
  });
}

/**
 * The callback: the signature is checked first (401 when it is missing or wrong, 400 for a body that is not JSON
 * or nests too deep); such a body proves nothing and is kept only truncated, for a retention period. A verified
 * callback is stored whole in the inbox, then applied. Unknown payment ids are 404 and logged, never a success.
 */
export async function handleIpn(d: PaymentsDeps, rawBody: string, signature: unknown): Promise<WebhookAnswer> {
  const { platform } = d;
  const db = platform.database.db;
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    await keepUnsigned(d, rawBody, 'invalid_body');
    return { httpStatus: 400, body: { code: 'VALIDATION_ERROR', message: 'Body is not JSON' } };
  }
  let verified: boolean;
  try {
    verified = verifyIpnSignature(parsed, signature, platform.config.payments.ipnSecret);
  } catch (err) {
    if (!(err instanceof TooDeepError)) throw err;
    await keepUnsigned(d, rawBody, 'invalid_body');
    return { httpStatus: 400, body: { code: 'VALIDATION_ERROR', message: `Body is not a payment callback: it is ${err.message}` } };
  }
  if (!verified) {
    const inboxId = await keepUnsigned(d, rawBody, 'invalid_signature');
    platform.log.warn({ inboxId, hasSignature: typeof signature === 'string' }, 'payment callback with a missing or invalid signature');
    return { httpStatus: 401, body: { code: 'UNAUTHENTICATED', message: 'Missing or invalid x-nowpayments-sig' } };
  }
  const inboxId = await repo.insertInbox(db, { provider: d.provider.name, rawBody, ...digest(rawBody), signatureValid: true });
  const update = parseIpn(parsed);
  if (!update) {
    await repo.finishInbox(db, inboxId, { outcome: 'invalid_body', signatureValid: true });
    return { httpStatus: 400, body: { code: 'VALIDATION_ERROR', message: 'payment_id or payment_status missing or unknown' } };
  }
  await repo.finishInbox(db, inboxId, { outcome: 'pending', signatureValid: true, paymentId: update.paymentId, paymentStatus: update.status });

  const work = processInbox(d, inboxId, update);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ANSWER_WITHIN_MS);
  });
  try {
    const outcome = await Promise.race([work, late]);
    if (outcome === 'late') {
      work.catch(() => undefined); // stays in the inbox as pending/error; the maintenance job retries it
      return { httpStatus: 202, body: { status: 'accepted' } };
    }
    if (outcome === 'unknown_payment') {
      platform.log.warn({ inboxId, paymentId: update.paymentId, status: update.status }, 'payment callback for an unknown payment id');
      return { httpStatus: 404, body: { code: 'NOT_FOUND', message: 'Unknown payment_id' } };
    }
    return { httpStatus: 200, body: { status: 'ok' } };
  } catch {
    return { httpStatus: 500, body: { code: 'INTERNAL', message: 'Callback stored; processing failed and will be retried' } };
  } finally {
    clearTimeout(timer);
  }
}
