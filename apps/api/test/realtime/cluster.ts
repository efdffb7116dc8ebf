import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** A server process started from cluster-node.ts (tests only). */
export interface Machine {
  id: string;
  port: number;
  url: string;
  child: ChildProcess;
  stderr(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startMachine(id: string, env: Record<string, string | undefined>): Promise<Machine> {
  const entry = join(import.meta.dirname, 'cluster-node.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    // The per-address rate limit's counter lives in Redis under the address alone (rl:api:ip:127.0.0.1), so on the
    // CI's shared Redis every test app's requests from 127.0.0.1 count against it; at the default 600 a minute these
    // machines refused their own test's sockets and requests (429) while other files ran. Test apps lift it the same
    // way (test/helpers.ts); the rate-limit tests set their own.
    env: { ...process.env, FLY_MACHINE_ID: id, RATE_LIMIT_PER_MINUTE: '1000000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`machine ${id} did not start: ${stderr}`)), 60_000);
    child.once('exit', (code) => reject(new Error(`machine ${id} exited with ${code}: ${stderr}`)));
    child.stdout?.on('data', (d) => {
      const m = /LISTENING (\d+)/.exec(String(d));
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  return {
    id,
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    stderr: () => stderr,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      }),
  };
}

/** Whether this machine currently polls prices, from its /health report. */
export async function polls(m: Machine): Promise<boolean> {
  try {
    const res = await fetch(`${m.url}/health`);
    const body = (await res.json()) as { checks: { prices: { detail?: string } } };
    return (body.checks.prices.detail ?? '').includes('polling on this machine');
  } catch {
    return false;
  }
}
