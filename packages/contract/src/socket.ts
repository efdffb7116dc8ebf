import { z } from 'zod';
import type { Announcement } from './admin.ts';
import type { AlertTriggeredEvent } from './alerts.ts';
import type { Notification } from './notifications.ts';
import type { Order } from './orders.ts';
import type { Deposit } from './payments.ts';
import type { BalanceUpdateEvent } from './wallet.ts';
import type { Withdrawal } from './withdrawals.ts';

/**
 * The Socket.IO contract (path PUBLIC_SOCKET_IO_PATH, default /socket.io/). Anonymous connections get public market
 * data; a connection authenticated by the `access_token` cookie or a `/api/auth/socket-token` token in
 * `auth.token` also receives its user's private events.
 */

/**
 * `prices`: at most one batch per second per client (by tick time), as the ticks arrive; only the subscribed
 * assets once the client has subscribed.
 */
export interface PricesPayload {
  /** Server time (ms) of the newest tick in this batch. */
  ts: number;
  /** assetId → priceUsd (decimal string). */
  prices: Record<string, string>;
}

export const subscribePayload = z.object({
  assets: z.array(z.string().min(1).max(64)).min(1).max(50),
});
export type SubscribePayload = z.infer<typeof subscribePayload>;

export type SubscribeAck =
  | {
      ok: true;
      /** The asset ids this socket now receives (after subscribe or unsubscribe). */
      assets: string[];
      /** Current prices of the assets just subscribed, so a page need not wait for the next batch. */
      prices: Record<string, string>;
    }
  | { ok: false; error: { code: 'VALIDATION_ERROR' | 'NOT_FOUND'; message: string; details?: unknown } };

/**
 * Every server→client event: name → payload (immich's `ClientEventMap`). The server's `Server<...>` and the web's
 * `Socket<...>` are typed from it, and the API publishes through a port typed by it, so an event name or payload
 * shape cannot drift between the two sides.
 */
export type ClientEventMap = {
  prices: PricesPayload;
  /** An order was created or changed status (after commit). */
  'order:update': Order;
  /** The balances that changed in one transaction (only those assets). */
  'balance:update': BalanceUpdateEvent;
  /** An in-app notification was stored (the inbox item). */
  notification: Notification;
  'alert:triggered': AlertTriggeredEvent;
  'deposit:update': Deposit;
  'withdrawal:update': Withdrawal;
  /** To every connected client. */
  announcement: Announcement;
};
export type ClientEvent = keyof ClientEventMap;

/** Events for one user's sockets (room `user:<id>`, on every machine). */
export type UserEvent = 'order:update' | 'balance:update' | 'notification' | 'alert:triggered' | 'deposit:update' | 'withdrawal:update';
/**
 * Events for every connected client. (`prices` is neither a user nor a broadcast event: each machine's price fan-out
 * sends it to the price rooms of its own sockets.)
 */
export type BroadcastEvent = 'announcement';

/** Socket.IO's shape of the map. */
export type ServerToClientEvents = { [E in ClientEvent]: (payload: ClientEventMap[E]) => void };

export interface ClientToServerEvents {
  subscribe: (payload: SubscribePayload, ack?: (result: SubscribeAck) => void) => void;
  unsubscribe: (payload: SubscribePayload, ack?: (result: SubscribeAck) => void) => void;
}

/** Errors a handshake is refused with (`connect_error` → `err.message`). */
export const SOCKET_ERRORS = {
  unauthenticated: 'UNAUTHENTICATED',
} as const;
