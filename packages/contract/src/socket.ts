import { z } from 'zod';

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

/** Events of other domains; each module narrows its own payload type in its contract file. */
export type DomainPushEvent =
  | 'order:update'
  | 'balance:update'
  | 'notification'
  | 'alert:triggered'
  | 'deposit:update'
  | 'withdrawal:update'
  | 'announcement';

export type ServerToClientEvents = {
  prices: (payload: PricesPayload) => void;
} & { [E in DomainPushEvent]: (payload: unknown) => void };

export interface ClientToServerEvents {
  subscribe: (payload: SubscribePayload, ack?: (result: SubscribeAck) => void) => void;
  unsubscribe: (payload: SubscribePayload, ack?: (result: SubscribeAck) => void) => void;
}

/** Errors a handshake is refused with (`connect_error` → `err.message`). */
export const SOCKET_ERRORS = {
  unauthenticated: 'UNAUTHENTICATED',
} as const;
