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
    env: { ...process.env, FLY_MACHINE_ID: id, ...env },
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
