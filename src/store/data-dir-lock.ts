// One process owns an embedded (PGlite) data directory: a lock file holding the owner's pid.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface DataDirLock {
  release(): void;
}

/** Thrown when another live process owns the data directory. */
export class StoreBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreBusyError';
  }
}

export function acquireDataDirLock(dataDir: string): DataDirLock {
  const path = join(dataDir, 'entra-notion-sync.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return { release: () => rmSync(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(readFileSafely(path), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw new StoreBusyError(
          `the embedded store in ${dataDir} is in use by another entra-notion-sync process (pid ${owner}); ` +
            'wait for it to finish or stop it, or set DATABASE_URL to use Postgres, which several processes can share',
        );
      }
      // The owner died without cleaning up: the lock is stale.
      rmSync(path, { force: true });
    }
  }
  throw new StoreBusyError(`could not take the lock file ${path}; remove it if no entra-notion-sync process is running`);
}

function readFileSafely(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
