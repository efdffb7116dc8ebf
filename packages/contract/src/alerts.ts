import { z } from 'zod';
import { isoDateTime, positiveDecimalString } from './common.ts';

export const MAX_ACTIVE_ALERTS = 50;
export const alertChannel = z.enum(['in_app', 'email']);

export const createAlertRequest = z.object({
  /** Asset id (`bitcoin`) or symbol (`BTC`). */
  assetId: z.string().trim().min(1).max(40),
  condition: z.enum(['above', 'below']),
  targetPrice: positiveDecimalString,
  channels: z.array(alertChannel).min(1).max(2).default(['in_app']),
  /** false: fires once and turns itself off; true: fires again after `cooldownSeconds`. */
  repeat: z.boolean().default(false),
  cooldownSeconds: z
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .default(3600),
  /**
   * An alert the current price already satisfies ("ETH above $100" with ETH at $4,495) would fire at once: it is
   * refused with TRIGGER_WOULD_FIRE_NOW unless this is true (the user confirmed it), as wrong-side order triggers are.
   */
  confirmImmediate: z.boolean().optional(),
});
export type CreateAlertRequest = z.infer<typeof createAlertRequest>;

export const updateAlertRequest = z
  .object({
    condition: z.enum(['above', 'below']),
    targetPrice: positiveDecimalString,
    channels: z.array(alertChannel).min(1).max(2),
    repeat: z.boolean(),
    cooldownSeconds: z
      .number()
      .int()
      .min(60)
      .max(7 * 86_400),
    active: z.boolean(),
    /** As on create: turning on (or moving) an alert the price already satisfies needs this, or it is refused. */
    confirmImmediate: z.boolean(),
  })
  .partial();

export const priceAlert = z.object({
  id: z.string(),
  assetId: z.string(),
  symbol: z.string(),
  condition: z.enum(['above', 'below']),
  targetPrice: z.string(),
  channels: z.array(alertChannel),
  repeat: z.boolean(),
  cooldownSeconds: z.number().int(),
  active: z.boolean(),
  triggerCount: z.number().int(),
  lastTriggeredAt: isoDateTime.nullable(),
  lastTriggeredPrice: z.string().nullable(),
  createdAt: isoDateTime,
});
export type PriceAlert = z.infer<typeof priceAlert>;
export const alertList = z.object({ items: z.array(priceAlert) });

/** Socket event `alert:triggered`. */
export const alertTriggeredEvent = z.object({
  alertId: z.string(),
  assetId: z.string(),
  symbol: z.string(),
  condition: z.enum(['above', 'below']),
  targetPrice: z.string(),
  priceUsd: z.string(),
  triggeredAt: isoDateTime,
});
export type AlertTriggeredEvent = z.infer<typeof alertTriggeredEvent>;
