import { randomBytes } from 'node:crypto';
import { type IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { IoServer } from './types.ts';

/**
 * Sticky Socket.IO sessions on Fly.io without a sticky load balancer. Long-polling is a series of HTTP requests
 * that must all reach the machine holding the session, and Fly's proxy spreads requests over machines. So the
 * Engine.IO session id starts with this machine's id (`<machine>.<random>`), and a request carrying another
 * machine's session id is answered with `fly-replay: instance=<machine>`: Fly's proxy then replays the request on
 * that machine (a WebSocket upgrade the same way, before any upgrade happens). Without the prefix (sessions from
 * before a deploy, or no FLY_MACHINE_ID) requests are served as usual.
 */
const SEPARATOR = '.';

export function machineOfSid(sid: string | null): string | null {
  if (!sid) return null;
  const i = sid.indexOf(SEPARATOR);
  return i > 0 ? sid.slice(0, i) : null;
}

export function installFlyReplay(io: IoServer, machineId: string, onReplay?: (target: string) => void): void {
  io.engine.generateId = () => `${machineId}${SEPARATOR}${randomBytes(15).toString('base64url')}`;
  io.engine.use((req: IncomingMessage, res: ServerResponse, next: (err?: Error) => void) => {
    const sid = new URL(req.url ?? '/', 'http://local').searchParams.get('sid');
    const target = machineOfSid(sid);
    if (!target || target === machineId) return next();
    onReplay?.(target);
    const headers = { 'fly-replay': `instance=${target}`, 'content-type': 'application/json', 'cache-control': 'no-store' };
    const body = JSON.stringify({ code: 'WRONG_MACHINE', message: `session lives on machine ${target}` });
    if (res instanceof ServerResponse) {
      res.writeHead(307, headers).end(body);
      return;
    }
    // An upgrade request: Engine.IO hands middlewares a stand-in response; answer on the raw socket.
    const socket = (res as unknown as { socket: Duplex }).socket;
    const lines = Object.entries({ ...headers, 'content-length': String(Buffer.byteLength(body)), connection: 'close' }).map(([k, v]) => `${k}: ${v}`);
    socket.end(`HTTP/1.1 307 Temporary Redirect\r\n${lines.join('\r\n')}\r\n\r\n${body}`);
  });
}
