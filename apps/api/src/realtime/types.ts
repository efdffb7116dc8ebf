import type { ClientToServerEvents, ServerToClientEvents } from '@cryptovault/contract';
import type { Server, Socket } from 'socket.io';

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
