import type { NotificationPreferenceType } from '@cryptovault/contract';
import { asc, inArray, isNull, sql } from 'drizzle-orm';
import type { Platform } from '../../platform/index.ts';
import { D } from '../ledger/index.ts';
import { preferencesOf } from './notification-preferences.ts';
import { type NotificationRow, notifications, orderEvents } from './notifications.schema.ts';
import { emailUser, notificationView } from './notifications.service.ts';

type OrderEvent = typeof orderEvents.$inferSelect;

/** The order row as the change left it (to_jsonb of `orders`, migration 0021): snake_case, numbers as JSON numbers. */
interface Snapshot {
  id: string;
  symbol: string;
  base: string;
  quote: string;
  side: 'buy' | 'sell';
  type: string;
  amount: string | number;
  filled?: string | number | null;
  average?: string | number | null;
  cost?: string | number | null;
  fee_cost?: string | number | null;
  price?: string | number | null;
  trigger_price?: string | number | null;
  reject_reason?: string | null;
  /** Orders that wait after their trigger (stop-limit, migration 0020): when it triggered. */
  triggered_at?: string | null;
}

const BATCH = 50;
/** Safety net: events committed on another machine, or left by a process that stopped before handling them. */
const SWEEP_MS = 30_000;
/**
 * A pass starts at most this long after the previous one ended: the changes of that interval share one claim
 * transaction (six round trips) instead of one each. At one order in flight per trader, a pass per order cost more
 * database work than the order itself (docs/performance.md). A fill's notification reaches the browser within it.
 */
export const ORDER_EVENTS_GAP_MS = 100;
/** Processed events are kept this long (to look into a notification that went wrong), then deleted. */
export const ORDER_EVENTS_KEPT_DAYS = 30;
const PRUNE_EVERY_MS = 3_600_000;
const PRUNE_BATCH = 5_000;

function grouped(int: string): string {
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `$1,942.46` for USD (more places below $1), `0.02 BTC` otherwise: how server-written text shows money. */
export function money(value: string | number | null | undefined, asset: string): string {
  const d = new D(value ?? 0);
  if (asset === 'USD') {
    const places = d.abs().lt(1) && !d.isZero() ? Math.max(2, Math.min(8, d.decimalPlaces())) : 2;
    const [int = '0', frac] = d.abs().toFixed(places).split('.');
    return `${d.isNegative() ? '-' : ''}$${grouped(int)}${frac ? `.${frac}` : ''}`;
  }
  const [int = '0', frac] = d.toFixed().split('.');
  return `${grouped(int)}${frac ? `.${frac}` : ''} ${asset}`;
}

const TYPE_WORDS: Record<string, string> = {
  market: 'market',
  limit: 'limit',
  stop_loss: 'stop-loss',
  take_profit: 'take-profit',
  stop_limit: 'stop-limit',
  trailing_stop: 'trailing stop',
};
const typeWords = (t: string) => TYPE_WORDS[t] ?? t.replaceAll('_', ' ');
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * A stop, take-profit or trailing stop filled the moment its trigger fired. A stop-limit that triggered earlier
 * (and had its own 'triggered' notification) fills later as a limit order: that fill is a plain fill.
 */
const firedOnTrigger = (s: Snapshot) => s.trigger_price !== null && s.trigger_price !== undefined && !s.triggered_at;

/** Which preference type an order event is: a stop that fired and filled is a trigger, not a plain fill. */
export function preferenceType(e: Pick<OrderEvent, 'event'>, s: Snapshot): NotificationPreferenceType {
  if (e.event === 'filled') return firedOnTrigger(s) ? 'order_triggered' : 'order_filled';
  return `order_${e.event}`;
}

/** The title and body of an order event's notification (and email), money formatted by currency. */
export function describe(e: Pick<OrderEvent, 'event'>, s: Snapshot): { title: string; body: string } {
  const what = `${typeWords(s.type)} ${s.side} of ${money(s.amount, s.base)}`;
  const at = s.price !== null && s.price !== undefined ? ` at ${money(s.price, s.quote)}` : '';
  switch (e.event) {
    case 'filled': {
      const done = `${s.side === 'buy' ? 'Bought' : 'Sold'} ${money(s.filled, s.base)} at ${money(s.average, s.quote)}`;
      const paid = `for ${money(s.cost, s.quote)}, fee ${money(s.fee_cost, s.quote)}`;
      if (firedOnTrigger(s)) {
        return {
          title: `${capital(typeWords(s.type))} triggered: ${s.side === 'buy' ? 'bought' : 'sold'} ${money(s.filled, s.base)}`,
          body: `Your ${typeWords(s.type)} at ${money(s.trigger_price, s.quote)} triggered. ${done} ${paid}.`,
        };
      }
      return { title: `Order filled: ${s.side === 'buy' ? 'bought' : 'sold'} ${money(s.filled, s.base)}`, body: `${done} ${paid}.` };
    }
    case 'triggered':
      return {
        title: `${capital(typeWords(s.type))} triggered`,
        body: `Your ${what} triggered at ${money(s.trigger_price, s.quote)}${at ? `; it now waits as a limit order${at}` : ''}.`,
      };
    case 'canceled':
      return { title: 'Order canceled', body: `Your ${what}${at} was canceled; the funds it held are available again.` };
    case 'expired':
      return { title: 'Order expired', body: `Your ${what}${at} expired; the funds it held are available again.` };
    default:
      return { title: 'Order rejected', body: `Your ${what}${at} was rejected${s.reject_reason ? ` (${humanReason(s.reject_reason)})` : ''}.` };
  }
}

function humanReason(code: string): string {
  return code === 'INSUFFICIENT_FUNDS' ? 'insufficient funds when it triggered' : code.toLowerCase().replaceAll('_', ' ');
}

/**
 * Turns the order events the database recorded (order_events, written by a trigger in the same transaction as the
 * change) into notifications, at most once each: a batch is claimed with SKIP LOCKED, each notification inserted
 * with the key `order:<id>:<event>` (a second insert does nothing), and the events marked processed in the same
 * transaction. After the commit, the new notifications go to the user's sockets and, when chosen, by email (the
 * mailer adds the anti-phishing code). A process that stops before the commit leaves the events for the next pass.
 * Returns how many events were processed.
 */
export async function processOrderEvents(platform: Platform): Promise<number> {
  let total = 0;
  for (;;) {
    const out = await platform.database.db.transaction(async (tx) => {
      const batch = await tx
        .select()
        .from(orderEvents)
        .where(isNull(orderEvents.processedAt))
        .orderBy(asc(orderEvents.id))
        .limit(BATCH)
        .for('update', { skipLocked: true });
      if (batch.length === 0) return { count: 0, stored: [] as NotificationRow[], emails: [] as { userId: string; title: string; body: string }[] };
      const prefs = await preferencesOf(tx, [...new Set(batch.map((e) => e.userId))]);
      const described = batch.map((e) => {
        const s = e.snapshot as unknown as Snapshot;
        const type = preferenceType(e, s);
        return { e, s, type, choice: prefs(e.userId, type), text: describe(e, s), dedupeKey: `order:${e.orderId}:${e.event}` };
      });
      // Every in-app notification of the batch in one statement; a key already stored (a second pass over the same
      // event) inserts nothing and is not returned, so it is neither pushed nor emailed again.
      const inApp = described.filter((d) => d.choice.inApp);
      const stored: NotificationRow[] =
        inApp.length === 0
          ? []
          : await tx
              .insert(notifications)
              .values(
                inApp.map((d) => ({
                  userId: d.e.userId,
                  type: d.type,
                  ...d.text,
                  data: { orderId: d.e.orderId, event: d.e.event, symbol: d.s.symbol, side: d.s.side },
                  dedupeKey: d.dedupeKey,
                })),
              )
              .onConflictDoNothing()
              .returning();
      const fresh = new Set(stored.map((r) => r.dedupeKey));
      const emailed = new Set<string>();
      const emails = described
        .filter((d) => d.choice.email && (!d.choice.inApp || fresh.has(d.dedupeKey)) && !emailed.has(d.dedupeKey) && emailed.add(d.dedupeKey))
        .map((d) => ({ userId: d.e.userId, ...d.text }));
      await tx
        .update(orderEvents)
        .set({ processedAt: new Date() })
        .where(
          inArray(
            orderEvents.id,
            batch.map((e) => e.id),
          ),
        );
      return { count: batch.length, stored, emails };
    });
    for (const row of out.stored) platform.realtime.toUser(row.userId, 'notification', notificationView(row));
    for (const m of out.emails) await emailUser(platform, m.userId, m.title, m.body);
    total += out.count;
    if (out.count < BATCH) return total;
  }
}

/**
 * Deletes processed events older than ORDER_EVENTS_KEPT_DAYS, oldest first in batches of PRUNE_BATCH (the primary
 * key's order is the order they were written in, so each batch reads only the rows it deletes); events not yet
 * processed are never deleted, however old. Returns how many were deleted.
 */
export async function pruneOrderEvents(platform: Platform, now = Date.now()): Promise<number> {
  const before = new Date(now - ORDER_EVENTS_KEPT_DAYS * 86_400_000);
  let total = 0;
  for (;;) {
    const res = (await platform.database.db.execute(sql`
      delete from order_events where id in (
        select id from order_events where processed_at is not null and created_at < ${before.toISOString()}::timestamptz
        order by id limit ${PRUNE_BATCH}
      )`)) as unknown as { rowCount?: number | null; affectedRows?: number };
    const n = Number(res.rowCount ?? res.affectedRows ?? 0);
    total += n;
    if (n < PRUNE_BATCH) return total;
  }
}

/**
 * Processes order events as trading reports changes (`order.updated`, after its commit), at start (what a stopped
 * process left) and every 30 s (changes committed on other machines). Runs never overlap on one machine.
 */
export function startOrderNotifications(platform: Platform, gapMs = ORDER_EVENTS_GAP_MS): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let endedAt = Number.NEGATIVE_INFINITY;
  let waiting: NodeJS.Timeout | null = null;
  const run = (): void => {
    if (stopped || waiting) return;
    if (running) {
      again = true;
      return;
    }
    const wait = endedAt + gapMs - Date.now();
    if (wait > 0) {
      waiting = setTimeout(() => {
        waiting = null;
        run();
      }, wait);
      return;
    }
    running = processOrderEvents(platform)
      .then(() => undefined)
      .catch((err: unknown) => platform.log.error({ err }, 'order notifications not processed; retried on the next pass'))
      .finally(() => {
        running = null;
        endedAt = Date.now();
        if (again) {
          again = false;
          run();
        }
      });
  };
  const off = platform.events.on('order.updated', run);
  const timer = setInterval(run, SWEEP_MS);
  timer.unref();
  let pruning: Promise<unknown> | null = null;
  const prune = setInterval(() => {
    if (stopped || pruning) return;
    pruning = pruneOrderEvents(platform)
      .catch((err: unknown) => platform.log.warn({ err }, 'old order events not pruned; retried in an hour'))
      .finally(() => {
        pruning = null;
      });
  }, PRUNE_EVERY_MS);
  prune.unref();
  run();
  return async () => {
    stopped = true;
    off();
    if (waiting) clearTimeout(waiting);
    clearInterval(timer);
    clearInterval(prune);
    await running;
    await pruning;
  };
}
