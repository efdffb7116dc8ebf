import type { AlertTriggeredEvent, CreateAlertRequest, PriceAlert } from '@cryptovault/contract';
import { formatMoney, MAX_ACTIVE_ALERTS, type updateAlertRequest } from '@cryptovault/contract';
import type { z } from 'zod';
import { findAsset } from '../../platform/assets.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import type { PriceTick } from '../../platform/prices.ts';
import { D } from '../ledger/index.ts';
import { notify } from '../notifications/index.ts';
import * as repo from './alerts.repo.ts';
import type { PriceAlertRow } from './alerts.schema.ts';

export function alertView(r: PriceAlertRow): PriceAlert {
  return {
    id: r.id,
    assetId: r.assetId,
    symbol: findAsset(r.assetId)?.symbol ?? r.assetId.toUpperCase(),
    condition: r.condition,
    targetPrice: new D(r.targetPrice).toFixed(),
    channels: r.channels,
    repeat: r.repeat,
    cooldownSeconds: r.cooldownSeconds,
    active: r.active,
    triggerCount: r.triggerCount,
    lastTriggeredAt: r.lastTriggeredAt?.toISOString() ?? null,
    lastTriggeredPrice: r.lastTriggeredPrice === null ? null : new D(r.lastTriggeredPrice).toFixed(),
    createdAt: r.createdAt.toISOString(),
  };
}

const tooMany = () => new AppError('LIMIT_EXCEEDED', `At most ${MAX_ACTIVE_ALERTS} active alerts per account; delete or pause some first`);

/** "$4,495.13": a price to the asset's price precision (as the firing notification writes it). */
const usd = (v: string, assetId: string): string => formatMoney(v, 'USD', { maxDecimals: findAsset(assetId)?.pricePrecision ?? 2 });

/**
 * Refuses an alert the live price already satisfies (it would fire at the next tick) unless the user confirmed it:
 * the same rule, and code, as an order trigger on the wrong side of the market.
 */
function refuseImmediate(
  platform: Pick<Platform, 'prices'>,
  assetId: string,
  symbol: string,
  input: Pick<CreateAlertRequest, 'condition' | 'targetPrice' | 'confirmImmediate'>,
  action = 'create it',
): void {
  if (input.confirmImmediate || platform.prices.isStale()) return;
  const price = platform.prices.get(assetId)?.priceUsd;
  if (!price || !DECIMAL.test(price)) return;
  const now = new D(price);
  const fires = input.condition === 'above' ? now.gte(input.targetPrice) : now.lte(input.targetPrice);
  if (!fires) return;
  const message = `${symbol} is already at ${usd(price, assetId)}, ${input.condition === 'above' ? 'above' : 'below'} your ${usd(input.targetPrice, assetId)}: this alert would fire at once. Confirm to ${action} anyway.`;
  throw new AppError('TRIGGER_WOULD_FIRE_NOW', message, [{ path: ['body', 'targetPrice'], message }]);
}

export async function createAlert(platform: Pick<Platform, 'database' | 'prices'>, userId: string, input: CreateAlertRequest): Promise<PriceAlert> {
  const asset = findAsset(input.assetId);
  if (!asset) throw new AppError('VALIDATION_ERROR', `Unknown asset ${input.assetId}`, [{ path: ['body', 'assetId'], message: 'unknown asset' }]);
  const row = await platform.database.db.transaction(async (tx) => {
    await repo.lockUserAlerts(tx, userId);
    if ((await repo.countActive(tx, userId)) >= MAX_ACTIVE_ALERTS) throw tooMany();
    refuseImmediate(platform, asset.id, asset.symbol, input);
    return repo.insertAlert(tx, {
      userId,
      assetId: asset.id,
      condition: input.condition,
      targetPrice: input.targetPrice,
      channels: [...new Set(input.channels)],
      repeat: input.repeat,
      cooldownSeconds: input.cooldownSeconds,
    });
  });
  return alertView(row);
}

export async function updateAlert(
  platform: Pick<Platform, 'database' | 'prices'>,
  userId: string,
  id: string,
  { confirmImmediate, ...input }: z.infer<typeof updateAlertRequest>,
): Promise<PriceAlert> {
  const row = await platform.database.db.transaction(async (tx) => {
    const cur = await repo.findAlert(tx, userId, id);
    if (!cur) throw notFound('Alert');
    if (input.active === true && !cur.active) {
      await repo.lockUserAlerts(tx, userId);
      if ((await repo.countActive(tx, userId)) >= MAX_ACTIVE_ALERTS) throw tooMany();
    }
    const changesTrigger = input.targetPrice !== undefined || input.condition !== undefined || input.active === true;
    // Turning an alert on, or moving an active one, to where the price already is: the create rule, same code.
    // ("on" again for an alert already on is neither.)
    const turnsOn = input.active === true && !cur.active;
    const moves = input.targetPrice !== undefined || input.condition !== undefined;
    if ((turnsOn || moves) && (input.active ?? cur.active)) {
      const condition = input.condition ?? cur.condition;
      const targetPrice = input.targetPrice ?? new D(cur.targetPrice).toFixed();
      refuseImmediate(
        platform,
        cur.assetId,
        findAsset(cur.assetId)?.symbol ?? cur.assetId,
        { condition, targetPrice, confirmImmediate },
        turnsOn ? 'turn it on' : 'move it',
      );
    }
    return repo.updateAlert(tx, userId, id, {
      ...input,
      channels: input.channels ? [...new Set(input.channels)] : undefined,
      // A changed threshold or a re-activation starts fresh, without the old cooldown.
      nextEligibleAt: changesTrigger ? null : undefined,
    });
  });
  if (!row) throw notFound('Alert');
  return alertView(row);
}

export async function deleteAlert(platform: Pick<Platform, 'database'>, userId: string, id: string): Promise<void> {
  if (!(await repo.deleteAlert(platform.database.db, userId, id))) throw notFound('Alert');
}

export async function listAlerts(platform: Pick<Platform, 'database'>, userId: string) {
  return { items: (await repo.listAlerts(platform.database.db, userId)).map(alertView) };
}

const DECIMAL = /^\d{1,20}(\.\d{1,18})?$/;

/** Fires the alerts a tick crossed. Never on stale prices: a frozen feed must not trigger anything. */
export async function evaluateTick(platform: Platform, tick: PriceTick): Promise<number> {
  if (platform.prices.isStale()) return 0;
  const ids: string[] = [];
  const prices: string[] = [];
  for (const [assetId, price] of Object.entries(tick.prices)) {
    if (DECIMAL.test(price) && findAsset(assetId)) {
      ids.push(assetId);
      prices.push(price);
    }
  }
  if (ids.length === 0) return 0;
  const fired = await repo.claimCrossed(platform.database.db, ids, prices);
  for (const f of fired) {
    const info = findAsset(f.asset_id);
    const symbol = info?.symbol ?? f.asset_id;
    const target = new D(f.target_price).toFixed();
    const price = new D(f.price).toFixed();
    const event: AlertTriggeredEvent = {
      alertId: f.id,
      assetId: f.asset_id,
      symbol,
      condition: f.condition,
      targetPrice: target,
      priceUsd: price,
      triggeredAt: new Date(f.triggered_at).toISOString(),
    };
    platform.realtime.toUser(f.user_id, 'alert:triggered', event);
    await notify(platform, {
      userId: f.user_id,
      type: 'alert',
      title: `${symbol} is ${f.condition} ${usd(target, f.asset_id)}`,
      body: `${symbol} reached ${usd(price, f.asset_id)} (your alert: ${f.condition} ${usd(target, f.asset_id)}).`,
      data: { ...event },
      email: f.channels.includes('email'),
    });
  }
  return fired.length;
}

/**
 * Subscribes to price ticks. Evaluations never overlap: a tick that arrives while one runs is merged into the next
 * run (latest price per asset wins), so a burst of ticks costs at most one query in flight.
 */
export function startAlertEvaluation(platform: Platform): () => void {
  let running = false;
  let pending: PriceTick | null = null;
  const run = async (tick: PriceTick) => {
    running = true;
    try {
      await evaluateTick(platform, tick);
    } catch (err) {
      platform.log.error({ err }, 'alert evaluation failed');
    } finally {
      running = false;
      const next = pending;
      pending = null;
      if (next) void run(next);
    }
  };
  return platform.events.on('price.tick', (tick) => {
    if (running) {
      pending = { ts: tick.ts, prices: { ...(pending?.prices ?? {}), ...tick.prices } };
      return;
    }
    void run(tick);
  });
}
