import type { ClientEvent, ClientEventMap, ClientToServerEvents, ServerToClientEvents } from '@cryptovault/contract';
import type { BroadcastOperator, Server, Socket } from 'socket.io';

/** Per-socket state; serialisable, because connection state recovery stores it with the session. */
export interface SocketData {
  userId: string | null;
  /** The auth session the socket was opened under; its sockets are in room `session:<id>` and end with it. */
  sessionId?: string | null;
  /** Assets this socket receives prices for; null = all (never subscribed). */
  assets: string[] | null;
}

// biome-ignore lint/complexity/noBannedTypes: Socket.IO's slot for server-to-server events, which we do not use
type NoServerEvents = {};

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, NoServerEvents, SocketData>;
export type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, NoServerEvents, SocketData>;

/** Where an event goes: the whole server or some rooms (`io.to(room)`), local or across machines. */
type Target = Pick<IoServer | BroadcastOperator<ServerToClientEvents, SocketData>, 'emit'>;

/**
 * One typed emit per event of the contract: Socket.IO's typings check an emit only for a literal event name, so a
 * publish with a generic one (the port's `toUser<E>`) goes through this table, `send[event](target, payload)`. A
 * new event in `ClientEventMap` without its line here is a type error.
 */
export const send: { [E in ClientEvent]: (target: Target, payload: ClientEventMap[E]) => boolean } = {
  prices: (t, p) => t.emit('prices', p),
  'order:update': (t, p) => t.emit('order:update', p),
  'balance:update': (t, p) => t.emit('balance:update', p),
  notification: (t, p) => t.emit('notification', p),
  'alert:triggered': (t, p) => t.emit('alert:triggered', p),
  'deposit:update': (t, p) => t.emit('deposit:update', p),
  'withdrawal:update': (t, p) => t.emit('withdrawal:update', p),
  announcement: (t, p) => t.emit('announcement', p),
};
