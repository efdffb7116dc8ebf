import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import nodeProcess from 'node:process';
import { StartupError } from '../startup.ts';

/**
 * The embedded database (PGlite) is one process's: a second process opening the same directory corrupts it (the
 * admin it "created" vanishes, a later open spins at 100 % CPU). Every opener takes `<dataDir>.lock`, created
 * exclusively with the holder's pid, host and start time. A lock whose holder is gone (a crashed server, a reused
 * pid belonging to another program) is stale and taken over, so a crash never blocks the next start.
 */
export interface DataDirLock {
  readonly file: string;
  release(): void;
}

interface LockRecord {
  pid: number;
  host: string;
  /** Linux: the process's start time in clock ticks since boot (/proc/<pid>/stat field 22); tells a reused pid apart. */
  procStart: string | null;
  command: string;
  acquiredAt: string;
}

export function lockFileFor(dataDir: string): string {
  return `${dataDir.replace(/\/+$/, '')}.lock`;
}

function procStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    nodeProcess.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The holder of `file` if it is a live process other than this one; null when free or stale. */
export function lockHolder(file: string): LockRecord | null {
  let record: LockRecord;
  try {
    record = JSON.parse(readFileSync(file, 'utf8')) as LockRecord;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    // Unreadable or half-written (a crash between create and write): treat it as stale.
    return null;
  }
  if (typeof record.pid !== 'number' || record.host !== hostname()) {
    // Another machine's lock on a shared disk cannot be checked: believe it.
    return typeof record.pid === 'number' ? record : null;
  }
  if (!alive(record.pid)) return null;
  if (record.procStart && procStartTime(record.pid) !== record.procStart) return null;
  return record;
}

export function describeHolder(h: LockRecord): string {
  return `process ${h.pid} (${h.command}, since ${h.acquiredAt}${h.host !== hostname() ? ` on ${h.host}` : ''})`;
}

/**
 * Takes the lock for `dataDir` or throws a StartupError saying who holds it and what to do. `what` names the
 * holder in the lock file, for the message another process gets.
 */
export function acquireDataDirLock(dataDir: string, command: string): DataDirLock {
  const file = lockFileFor(dataDir);
  const record: LockRecord = {
    pid: nodeProcess.pid,
    host: hostname(),
    procStart: procStartTime(nodeProcess.pid),
    command,
    acquiredAt: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        throw new StartupError('embedded PostgreSQL (PGlite)', 'DATA_DIR', `the data directory for ${dataDir} does not exist and could not be created.`);
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = lockHolder(file);
      if (holder) {
        throw new StartupError(
          'embedded PostgreSQL (PGlite)',
          'DATA_DIR',
          `the embedded database at ${dataDir} is in use by ${describeHolder(holder)}. Only one process may open it at a time: ` +
            'stop that process first (Ctrl+C in its terminal, or kill ' +
            `${holder.pid}), then run this again — or point DATA_DIR at another directory. Nothing was changed.`,
        );
      }
      // Stale: its holder is gone. Remove it and try again (another starter may race us to it; 'wx' decides).
      rmSync(file, { force: true });
      continue;
    }
    try {
      writeSync(fd, `${JSON.stringify(record)}\n`);
    } finally {
      closeSync(fd);
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      nodeProcess.off('exit', release);
      try {
        const current = JSON.parse(readFileSync(file, 'utf8')) as LockRecord;
        if (current.pid === record.pid && current.acquiredAt === record.acquiredAt) rmSync(file, { force: true });
      } catch {
        // already gone
      }
    };
    nodeProcess.on('exit', release);
    return { file, release };
  }
  throw new StartupError('embedded PostgreSQL (PGlite)', 'DATA_DIR', `could not take the lock ${file}: another process keeps recreating it.`);
}
