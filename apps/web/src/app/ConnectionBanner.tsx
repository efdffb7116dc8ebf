import { useSyncExternalStore } from 'react';
import type { ConnectionState } from '../lib/healthCheck.ts';
import type { SocketStatus } from '../lib/socket.ts';

interface Props {
  health: ConnectionState;
  socket: SocketStatus;
  onRetry: () => void;
}

/** Tells people when what they see may be out of date, and that we are working on it. */
export function ConnectionBanner({ health, socket, onRetry }: Props) {
  if (health === 'online' && socket !== 'disconnected') return null;
  const text =
    health === 'offline'
      ? 'Connection lost. Reconnecting…'
      : health === 'reconnecting'
        ? 'Connection problem. Reconnecting…'
        : 'Live updates paused. Reconnecting…';
  return (
    <div className="banner banner-warn" role="status" aria-live="polite" data-testid="connection-banner">
      {text}
      {health !== 'online' && (
        <button type="button" className="btn btn-sm" onClick={onRetry}>
          Retry now
        </button>
      )}
    </div>
  );
}

export function useExternal<T>(subscribe: (cb: () => void) => () => void, get: () => T): T {
  return useSyncExternalStore(subscribe, get);
}
