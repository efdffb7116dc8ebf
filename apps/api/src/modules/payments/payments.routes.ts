import { createHash } from 'node:crypto';
import { apiRoutes, errorBodySchema, webhookAck } from '@cryptovault/contract';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError, notFound } from '../../platform/errors.ts';
import { D } from '../ledger/index.ts';
import { parseIdempotencyKey } from '../../platform/idempotency/idempotency.ts';
import type { Platform } from '../../platform/index.ts';
import { requireUser } from '../../platform/principal.ts';
import { startPaymentMaintenance } from './maintenance.ts';
import { NowPaymentsClient } from './nowpayments.client.ts';
import * as repo from './payments.repo.ts';
import { createDeposit, depositView, getDeposit, listDeposits, type PaymentsDeps } from './payments.service.ts';
import type { PaymentProvider } from './provider.ts';
import { signIpn } from './signature.ts';
import { SimulatedPaymentProvider } from './simulated.provider.ts';
import { handleIpn, WEBHOOK_BODY_LIMIT_BYTES } from './webhook.ts';
import { endpoint } from '../../http/route-table.ts';

const tags = ['wallet'];
const WEBHOOK_URL = '/api/webhooks/nowpayments';

declare module 'fastify' {
  interface FastifyRequest {
    /** The webhook's body exactly as received (set by the webhook scope's content-type parser only). */
    rawBody?: string;
  }
}

export function createProvider(platform: Pick<Platform, 'config' | 'prices'>): PaymentProvider {
  const p = platform.config.payments;
  return p.provider === 'nowpayments' && p.apiKey
    ? new NowPaymentsClient({ apiKey: p.apiKey, baseUrl: p.baseUrl })
    : new SimulatedPaymentProvider(platform.prices);
}

/** The callback in its own scope: only here is the body kept raw (inbox, faithful signature check). */
async function webhookScope(scope: FastifyInstance, d: PaymentsDeps): Promise<void> {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    request.rawBody = body as string;
    done(null, body);
  });
  const app = scope.withTypeProvider<ZodTypeProvider>();
  app.post(
    WEBHOOK_URL,
    {
      config: { csrf: false },
      bodyLimit: WEBHOOK_BODY_LIMIT_BYTES,
      schema: {
        tags: ['webhooks'],
        summary: 'NOWPayments IPN callback (x-nowpayments-sig HMAC-SHA512 required; idempotent, forward-only)',
        response: {
          200: webhookAck,
          202: webhookAck,
          400: errorBodySchema,
          401: errorBodySchema,
          404: errorBodySchema,
          413: errorBodySchema,
          500: errorBodySchema,
        },
      },
    },
    async (request, reply) => {
      const answer = await handleIpn(d, request.rawBody ?? '', request.headers['x-nowpayments-sig']);
      if ('code' in answer.body) {
        return reply.code(answer.httpStatus).send({ error: { ...answer.body, requestId: String(request.id) } });
      }
      return reply.code(answer.httpStatus).send(answer.body);
    },
  );
}

export async function registerPayments(root: FastifyInstance, d: PaymentsDeps): Promise<void> {
  const { platform } = d;
  const app = root.withTypeProvider<ZodTypeProvider>();

  app.route({
    ...endpoint(apiRoutes.wallet.createDeposit, { tags, summary: 'Create a deposit (a payment with the provider) for a USD amount; Idempotency-Key accepted' }),
    handler: async (request, reply) => {
      const { userId } = requireUser(request);
      const r = await createDeposit(d, userId, request.body, parseIdempotencyKey(request.headers['idempotency-key']));
      if (r.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(r.status as 201).send(r.body);
    },
  });
  app.route({
    ...endpoint(apiRoutes.wallet.deposits, { tags, summary: 'Deposit history, newest first' }),
    handler: async (request) => listDeposits(d, requireUser(request).userId, request.query),
  });
  app.route({
    ...endpoint(apiRoutes.wallet.deposit, { tags, summary: 'One deposit and its status' }),
    handler: async (request) => getDeposit(d, requireUser(request).userId, request.params.id),
  });

  await app.register(async (scope) => webhookScope(scope, d));

  if (platform.config.devToolsEnabled) {
    app.route({
      ...endpoint(apiRoutes.wallet.devCompleteDeposit, {
        tags: ['development'],
        summary: 'Simulated provider: send a signed callback for this deposit through the real webhook (absent in production)',
      }),
      handler: async (request) => {
        const p = requireUser(request);
        const dep = await repo.findDeposit(platform.database.db, request.params.id, p.role === 'admin' ? undefined : p.userId);
        if (!dep) throw notFound('Deposit');
        if (dep.provider !== 'simulated') throw new AppError('INVALID_STATE', 'Only deposits of the simulated provider can be completed here');
        const status = request.body?.status ?? 'finished';
        const payAmount = dep.payAmount ?? '0';
        const paid = status === 'partially_paid' ? new D(payAmount).div(2).toDecimalPlaces(8).toFixed() : payAmount;
        // NOWPayments sends amounts as JSON numbers; the simulated callback does the same.
        const ipn = {
          payment_id: Number.isSafeInteger(Number(dep.providerPaymentId)) ? Number(dep.providerPaymentId) : dep.providerPaymentId,
          payment_status: status,
          pay_address: dep.payAddress,
          price_amount: JSON.parse(dep.amountUsd) as number,
          price_currency: 'usd',
          pay_amount: JSON.parse(payAmount) as number,
          actually_paid: JSON.parse(paid) as number,
          // The provider reports the paying transaction once it has seen it (a made-up hash: nothing is on chain).
          ...(status === 'failed' || status === 'expired' ? {} : { payin_hash: createHash('sha256').update(`simulated payment ${dep.id}`).digest('hex') }),
          pay_currency: dep.payCurrency,
          order_id: dep.id,
          order_description: `CryptoVault deposit ${dep.id}`,
          outcome_amount: JSON.parse(paid) as number,
          outcome_currency: dep.payCurrency,
          fee: { currency: dep.payCurrency, depositFee: 0, withdrawalFee: 0, serviceFee: 0 },
          updated_at: Date.now(),
        };
        const res = await app.inject({
          method: 'POST',
          url: WEBHOOK_URL,
          headers: { 'content-type': 'application/json', 'x-nowpayments-sig': signIpn(ipn, platform.config.payments.ipnSecret) },
          payload: JSON.stringify(ipn),
        });
        if (res.statusCode >= 300) throw new AppError('INVALID_STATE', `The webhook answered ${res.statusCode}: ${res.body.slice(0, 200)}`);
        const after = await repo.findDeposit(platform.database.db, dep.id);
        return depositView(after ?? dep);
      },
    });
  }

  if (platform.config.environment !== 'test') platform.onClose(startPaymentMaintenance(d));
}
