// One process owns an embedded (PGlite) data directory: PGlite is single-process, and a second process on the same
// folder would corrupt it. The lock file names its owner (a random owner id, pid, host, boot id and pid namespace)
// and carries a heartbeat (its mtime, refreshed every few seconds).
//
// A pid alone is not enough: in containers every worker is pid 1, so a `status` in another container would see
// "pid 1 is alive" (itself) or "pid 1 is me" and take the lock as stale. So a lock is stale only when
//   - its heartbeat stopped (not refreshed for `staleAfterMs`), or
//   - it was taken in this very pid namespace of this boot, and that pid no longer runs (a crash on this host: the
//     restart takes over at once instead of waiting for the heartbeat to age).
// A lock is released (its file deleted) only by its owner.
import { randomUUID } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export interface DataDirLock {
  release(): void;
}

/** Thrown when another live process owns the data directory. */
export class StoreBusyError extends Error {
  constructor(
    message: string,
    readonly owner?: LockOwner,
  ) {
    super(message);
    this.name = 'StoreBusyError';
  }
}

export interface LockOwner {
  ownerId: string;
  pid: number;
  host: string;
  bootId: string;
  pidNamespace: string;
  command: string;
  startedAt: string;
}

export const lockFileName = 'entra-notion-sync.lock';
const heartbeatMs = 5_000;
const staleAfterMs = 30_000;

export interface AcquireOptions {
  /** What the owner runs (`worker`, `sync`, …), for the message a refused process prints. */
  command?: string;
}

export function acquireDataDirLock(dataDir: string, options: AcquireOptions = {}): DataDirLock {
  const path = join(dataDir, lockFileName);
  const me: LockOwner = {
    ownerId: randomUUID(),
    pid: process.pid,
    host: hostname(),
    bootId: bootId(),
    pidNamespace: pidNamespace(),
    command: options.command ?? commandName(),
    startedAt: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(path, me)) return holdLock(path, me);
    const owner = readOwner(path);
    if (owner === 'absent') continue;
    if (!isStale(path, owner)) throw busy(dataDir, owner);
    takeOverStale(path, owner);
  }
  throw new StoreBusyError(`could not take the lock file ${path}; remove it if no entra-notion-sync process uses ${dataDir}`);
}

function tryCreate(path: string, me: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, JSON.stringify(me));
  } finally {
    closeSync(fd);
  }
  return true;
}

function holdLock(path: string, me: LockOwner): DataDirLock {
  const heartbeat = setInterval(() => {
    // Refresh only our own lock: if it was taken from us (after a long stall), we must not keep another's alive.
    if (ownsLock(path, me)) touch(path);
  }, heartbeatMs);
  heartbeat.unref();
  return {
    release: () => {
      clearInterval(heartbeat);
      if (ownsLock(path, me)) rmSync(path, { force: true });
    },
  };
}

function isStale(path: string, owner: LockOwner | 'unreadable'): boolean {
  const age = heartbeatAgeMs(path);
  if (age === undefined) return false; // vanished meanwhile: try again
  if (age > staleAfterMs) return true;
  // A half-written lock (its writer died between create and write) ages out through the heartbeat rule.
  if (owner === 'unreadable') return false;
  const sameNamespace = owner.bootId === bootId() && owner.pidNamespace === pidNamespace() && owner.pidNamespace !== '';
  // Our own pid in our own namespace, under another owner id: that process is gone and its pid came back to us.
  return sameNamespace && (owner.pid === process.pid || !isAlive(owner.pid));
}

/**
 * Moves the stale lock aside and deletes it, but only if what was moved is the lock judged stale: another process
 * may have taken over between our read and our move, and its fresh lock goes back in place.
 */
function takeOverStale(path: string, judged: LockOwner | 'unreadable'): void {
  const aside = `${path}.${randomUUID()}.stale`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = readOwner(aside);
  const same = judged === 'unreadable' ? moved === 'unreadable' : moved !== 'absent' && moved !== 'unreadable' && moved.ownerId === judged.ownerId;
  if (!same) {
    try {
      linkSync(aside, path);
    } catch {
      // A third process created a lock meanwhile; it owns the folder now.
    }
  }
  rmSync(aside, { force: true });
}

function busy(dataDir: string, owner: LockOwner | 'unreadable'): StoreBusyError {
  if (owner === 'unreadable') {
    return new StoreBusyError(`the embedded store in ${dataDir} is being locked by another entra-notion-sync process; try again in a moment`);
  }
  const where = owner.host === hostname() && owner.pidNamespace === pidNamespace() ? `pid ${owner.pid}` : `pid ${owner.pid} on host ${owner.host}`;
  const who = owner.command === 'worker' ? `the worker (${where})` : `another entra-notion-sync process (${where}, running \`${owner.command}\`)`;
  const advice =
    owner.command === 'worker'
      ? 'read-only commands cannot open it beside the worker: read them through the worker\'s HTTP port (the console with CONSOLE_ENABLED: status, log, cycles; /readyz, /metrics), stop the worker first, or set DATABASE_URL to use Postgres, which several processes can share'
      : 'wait for it to finish or stop it, or set DATABASE_URL to use Postgres, which several processes can share';
  return new StoreBusyError(`the embedded store in ${dataDir} is in use by ${who}; ${advice}`, owner);
}

function readOwner(path: string): LockOwner | 'unreadable' | 'absent' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw error;
  }
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.ownerId === 'string' && typeof value.pid === 'number') {
      return { host: '', bootId: '', pidNamespace: '', command: 'unknown', startedAt: '', ...value } as LockOwner;
    }
  } catch {
    // A lock file from an older version held only a pid, or the writer died mid-write.
  }
  const pid = Number.parseInt(text, 10);
  // An older version's lock: a bare pid, taken on this host; judge it by that pid (and the heartbeat).
  if (/^\d+$/.test(text.trim()) && Number.isInteger(pid)) return { ownerId: `pid:${pid}`, pid, host: hostname(), bootId: bootId(), pidNamespace: pidNamespace(), command: 'unknown', startedAt: '' };
  return 'unreadable';
}

function ownsLock(path: string, me: LockOwner): boolean {
  const owner = readOwner(path);
  return owner !== 'absent' && owner !== 'unreadable' && owner.ownerId === me.ownerId;
}

function heartbeatAgeMs(path: string): number | undefined {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function touch(path: string): void {
  try {
    const now = new Date();
    utimesSync(path, now, now);
  } catch {
    // Removed meanwhile: nothing to refresh.
  }
}

/** The kernel's boot id: the same for every container on one host during one boot ('' where /proc is absent). */
function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}

/** The pid namespace: pids are comparable only within one ('' where /proc is absent: then only the heartbeat counts). */
function pidNamespace(): string {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return '';
  }
}

/** The CLI command this process runs (`worker`, `sync`, …): the first word that is not an option or its value. */
function commandName(): string {
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-c' || args[i] === '--config') i++;
    else if (!args[i]!.startsWith('-')) return args[i]!;
  }
  return 'unknown';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
