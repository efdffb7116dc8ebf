import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';

/**
 * A local stand-in for the web origin: Vercel's external rewrites forwarding /api, /health, /ping, /csrf and
 * /socket.io to the API. Its behaviour can be switched between runs to show that each smoke check fails when the
 * edge misbehaves in the corresponding way.
 */
export interface EdgeBehaviour {
  /** Pass WebSocket upgrades through (false: forwarded as a plain request without Upgrade, as if unsupported). */
  upgrades: boolean;
  /** Rewrite Set-Cookie: drop HttpOnly and add a Domain attribute. */
  mangleCookies: boolean;
  stripSecurityHeaders: boolean;
  /** Answer every preflight itself, allowing any origin with credentials. */
  reflectCors: boolean;
  /** Serve a /api/config from another deployment (other version). */
  staleConfig: boolean;
  /** Copy the csrf_token cookie into X-CSRF-Token on every request (defeats double-submit). */
  injectCsrfHeader: boolean;
  /** Refuse Socket.IO entirely (404). */
  blockSocketIo: boolean;
  /** Answer matching paths with this status instead of forwarding. */
  fail: { path: RegExp; status: number } | null;
}

export const WELL_BEHAVED: EdgeBehaviour = {
  upgrades: true,
  mangleCookies: false,
  stripSecurityHeaders: false,
  reflectCors: false,
  staleConfig: false,
  injectCsrfHeader: false,
  blockSocketIo: false,
  fail: null,
};

export interface EdgeStandIn {
  url: string;
  port: number;
  /** Where requests go (set once the API is up). */
  target: string;
  behaviour: EdgeBehaviour;
  set(changes: Partial<EdgeBehaviour>): void;
  close(): Promise<void>;
}

const SECURITY_HEADERS = ['content-security-policy', 'x-content-type-options', 'x-frame-options', 'referrer-policy', 'strict-transport-security'];
const HOP_BY_HOP = [
  'connection',
  'upgrade',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
];

function readCookie(header: string | undefined, name: string): string | undefined {
  return header
    ?.split(';')
    .map((p) => p.trim())
    .find((p) => p.startsWith(`${name}=`))
    ?.slice(name.length + 1);
}

function forwardHeaders(headers: IncomingHttpHeaders, target: URL, edge: EdgeStandIn, clientIp: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = v;
  out.host = target.host;
  out['x-forwarded-for'] = clientIp;
  out['x-forwarded-host'] = String(headers.host ?? '');
  out['x-forwarded-proto'] = 'http';
  if (edge.behaviour.injectCsrfHeader) {
    const token = readCookie(headers.cookie, 'csrf_token');
    if (token) out['x-csrf-token'] = token;
  }
  return out;
}

function mangle(line: string, host: string): string {
  return `${line.replace(/;\s*HttpOnly/i, '')}; Domain=${host}`;
}

export async function startEdgeStandIn(): Promise<EdgeStandIn> {
  const server: Server = createServer();
  const edge: EdgeStandIn = {
    url: '',
    port: 0,
    target: '',
    behaviour: { ...WELL_BEHAVED },
    set(changes) {
      edge.behaviour = { ...WELL_BEHAVED, ...changes };
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  server.on('request', (req, res) => {
    const b = edge.behaviour;
    const path = req.url ?? '/';
    if (b.fail?.path.test(path)) return res.writeHead(b.fail.status, { 'content-type': 'text/plain' }).end('edge error');
    if (b.blockSocketIo && path.startsWith('/socket.io')) return res.writeHead(404).end('not found');
    if (b.reflectCors && req.method === 'OPTIONS' && req.headers.origin) {
      return res
        .writeHead(204, {
          'access-control-allow-origin': req.headers.origin,
          'access-control-allow-credentials': 'true',
          'access-control-allow-methods': 'GET,POST,PATCH,DELETE',
          'access-control-allow-headers': String(req.headers['access-control-request-headers'] ?? ''),
        })
        .end();
    }
    const target = new URL(edge.target);
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path,
        headers: forwardHeaders(req.headers, target, edge, req.socket.remoteAddress ?? ''),
      },
      (up) => {
        const headers: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(up.headers)) if (v !== undefined) headers[k] = v;
        if (b.stripSecurityHeaders) for (const h of SECURITY_HEADERS) delete headers[h];
        if (b.mangleCookies && headers['set-cookie']) headers['set-cookie'] = (up.headers['set-cookie'] ?? []).map((l) => mangle(l, '127.0.0.1'));
        if (b.staleConfig && path.startsWith('/api/config')) {
          const chunks: Buffer[] = [];
          up.on('data', (c: Buffer) => chunks.push(c));
          up.on('end', () => {
            const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
            const stale = JSON.stringify({ ...body, version: '0.0.0-render' });
            delete headers['content-length'];
            delete headers['content-encoding'];
            res.writeHead(up.statusCode ?? 502, headers).end(stale);
          });
          return;
        }
        res.writeHead(up.statusCode ?? 502, headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end('bad gateway');
    });
    req.pipe(upstream);
  });

  server.on('upgrade', (req, socket: Socket, head: Buffer) => {
    const b = edge.behaviour;
    const target = new URL(edge.target);
    if (b.blockSocketIo) return socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    if (!b.upgrades) {
      // An edge that does not speak WebSocket forwards the handshake as an ordinary request.
      const headers = forwardHeaders(req.headers, target, edge, req.socket.remoteAddress ?? '');
      for (const h of HOP_BY_HOP) delete headers[h];
      const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          const body = Buffer.concat(chunks);
          socket.end(`HTTP/1.1 ${up.statusCode} ${up.statusMessage}\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body.toString('utf8')}`);
        });
      });
      upstream.on('error', () => socket.destroy());
      upstream.end();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname, () => {
      const headers = forwardHeaders(req.headers, target, edge, req.socket.remoteAddress ?? '');
      const lines = Object.entries(headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => `${k}: ${x}`) : [`${k}: ${v}`]));
      upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  edge.port = typeof addr === 'object' && addr ? addr.port : 0;
  edge.url = `http://127.0.0.1:${edge.port}`;
  return edge;
}
