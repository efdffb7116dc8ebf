/**
 * Throwaway infrastructure for the fault tests: a PostgreSQL cluster and Redis servers of our own (never the
 * system ones on 5432/6379, which other people and CI use), each a child of the test run and stopped by it.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer as createNetServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../deploy/server-process.ts';

export { freePort };

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `cond` every 100 ms until it holds; throws `what` after `timeoutMs`. */
export async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    try {
      if (await cond()) return;
    } catch {
      // not yet
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

function pgBin(name: string): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const p = join(root, v, 'bin', name);
    if (existsSync(p)) return p;
  }
  return name;
}

function pgCommand(bin: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', pgBin(bin), ...args]] : [pgBin(bin), args];
}

/** Runs a PostgreSQL binary as the postgres user when we are root (initdb and postgres refuse to run as root). */
function asPostgres(bin: string, args: string[]): string {
  const [cmd, argv] = pgCommand(bin, args);
  return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
}

/** The same without blocking the event loop (the API under test keeps running in this process meanwhile). */
function asPostgresAsync(bin: string, args: string[]): Promise<string> {
  const [cmd, argv] = pgCommand(bin, args);
  return new Promise((resolve, reject) =>
    execFile(cmd, argv, { encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${bin}: ${err.message} ${stderr}`)) : resolve(stdout),
    ),
  );
}

export interface PgCluster {
  port: number;
  dir: string;
  url(database: string): string;
  createDatabase(name: string): Promise<string>;
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  destroy(): void;
}

/** initdb into a temporary directory and start on a free port (fsync off: this data is thrown away). */
export async function startPgCluster(): Promise<PgCluster> {
  const port = await freePort();
  const parent = mkdtempSync(join(tmpdir(), 'cv-faults-pg-'));
  const dir = join(parent, 'data');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(parent, uid, gid);
  }
  asPostgres('initdb', ['-D', dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const cluster = pgCluster(port, dir, parent);
  await cluster.start();
  return cluster;
}

/** Controls a cluster made by startPgCluster (test files get its port and directory from the global setup). */
export function pgCluster(port: number, dir: string, parent: string = join(dir, '..')): PgCluster {
  const opts = `-p ${port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100`;
  const cluster: PgCluster = {
    port,
    dir,
    url: (db) => `postgres://postgres@127.0.0.1:${port}/${db}`,
    async createDatabase(name) {
      asPostgres('psql', ['-h', '/tmp', '-p', String(port), '-U', 'postgres', '-c', `create database ${name}`]);
      return cluster.url(name);
    },
    async stop(mode = 'fast') {
      await asPostgresAsync('pg_ctl', ['-D', dir, '-m', mode, '-w', 'stop']);
    },
    async start() {
      await asPostgresAsync('pg_ctl', ['-D', dir, '-o', opts, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
    },
    destroy() {
      try {
        asPostgres('pg_ctl', ['-D', dir, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already stopped
      }
      rmSync(parent, { recursive: true, force: true });
    },
  };
  return cluster;
}

export interface RedisServer {
  port: number;
  url: string;
  child: ChildProcess | null;
  /** SIGKILL: Redis disappears mid-command, as in a crash. */
  kill(): Promise<void>;
  /** Starts again on the same port. */
  start(): Promise<void>;
}

export async function startRedis(port?: number): Promise<RedisServer> {
  const p = port ?? (await freePort());
  const server: RedisServer = {
    port: p,
    url: `redis://127.0.0.1:${p}`,
    child: null,
    async kill() {
      const c = server.child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await exited;
      server.child = null;
    },
    async start() {
      const child = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      server.child = child;
      let out = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 20_000);
        child.stdout?.on('data', (d) => {
          out += String(d);
          if (out.includes('Ready to accept connections')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`redis-server exited with ${code}: ${out}`));
        });
      });
    },
  };
  await server.start();
  return server;
}

/** A TCP forwarder on a fixed port that can be switched off (connection refused) and on again. */
export class Switch {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  constructor(
    readonly port: number,
    private readonly targetPort: number,
  ) {}

  async on(): Promise<void> {
    if (this.server) return;
    const server = createNetServer((client) => {
      const upstream = connect(this.targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      upstream.on('close', () => client.destroy());
      client.on('close', () => upstream.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => server.listen(this.port, '127.0.0.1', r));
    this.server = server;
  }

  async off(): Promise<void> {
    const s = this.server;
    this.server = null;
    for (const sock of this.sockets) sock.destroy();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}

/**
 * A load balancer stand-in (like Fly's proxy): each new connection goes to the first target that accepts it, so
 * when one server stops listening, clients that reconnect land on the next.
 */
export class FailoverProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  constructor(
    readonly port: number,
    private readonly targets: number[],
  ) {}

  async start(): Promise<void> {
    const server = createNetServer((client) => {
      this.track(client);
      client.pause();
      const attempt = (i: number) => {
        const port = this.targets[i];
        if (port === undefined) return client.destroy();
        const upstream = connect(port, '127.0.0.1');
        upstream.once('error', () => attempt(i + 1));
        upstream.once('connect', () => {
          upstream.removeAllListeners('error');
          this.track(upstream);
          // A reset on one side must reach the other (pipe only forwards a clean end).
          upstream.on('close', () => client.destroy());
          client.on('close', () => upstream.destroy());
          client.pipe(upstream).pipe(client);
          client.resume();
        });
      };
      attempt(0);
    });
    await new Promise<void>((r) => server.listen(this.port, '127.0.0.1', r));
    this.server = server;
  }

  private track(s: Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
    s.on('error', () => s.destroy());
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}
