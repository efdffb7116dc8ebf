import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for Fly's proxy (tests only): spreads requests over the machines round-robin, like a load balancer
 * without stickiness, and implements `fly-replay: instance=<id>` — when a machine answers with it, the buffered
 * request is replayed on that machine and the client only sees the second answer.
 */
export interface FlyProxy {
  url: string;
  stats: { requests: number; replays: number; replayFailures: number };
  close(): Promise<void>;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function forward(port: number, method: string, path: string, headers: IncomingHttpHeaders, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { ...headers, host: `127.0.0.1:${port}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function startFlyProxy(machines: Record<string, number>): Promise<FlyProxy> {
  const ids = Object.keys(machines);
  const stats = { requests: 0, replays: 0, replayFailures: 0 };
  let next = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      stats.requests++;
      const body = Buffer.concat(chunks);
      const first = ids[next++ % ids.length]!;
      try {
        let answer = await forward(machines[first]!, req.method ?? 'GET', req.url ?? '/', req.headers, body);
        const replay = /instance=([^;,\s]+)/.exec(String(answer.headers['fly-replay'] ?? ''))?.[1];
        if (replay) {
          const port = machines[replay];
          if (port === undefined) {
            stats.replayFailures++;
            res.writeHead(502).end('replay target unknown');
            return;
          }
          stats.replays++;
          answer = await forward(port, req.method ?? 'GET', req.url ?? '/', req.headers, body);
        }
        const headers = { ...answer.headers };
        delete headers['transfer-encoding'];
        headers['content-length'] = String(answer.body.length);
        res.writeHead(answer.status, headers).end(answer.body);
      } catch {
        res.writeHead(502).end('machine unreachable');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
