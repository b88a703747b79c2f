// The per-target cycle lock: a Postgres session advisory lock held on its own connection for the whole cycle;
// on PGlite (one process owns the data dir) an in-process lock is enough.
import type pg from 'pg';

export interface TargetLock {
  release(): Promise<void>;
}

type LockBackend = { kind: 'postgres'; pool: pg.Pool } | { kind: 'pglite' };

const lockKeySql = "hashtextextended('entra-notion-sync:' || $1, 0)";

export function createTargetLocks(backend: LockBackend) {
  const held = new Map<string, TargetLock>();

  async function tryLock(target: string): Promise<TargetLock | null> {
    if (held.has(target)) return null;
    if (backend.kind === 'pglite') return remember(target, async () => undefined);
    const client = await backend.pool.connect();
    try {
      const result = await client.query<{ locked: boolean }>(`select pg_try_advisory_lock(${lockKeySql}) as locked`, [target]);
      if (!result.rows[0]?.locked) {
        client.release();
        return null;
      }
    } catch (error) {
      client.release();
      throw error;
    }
    return remember(target, async () => {
      try {
        await client.query(`select pg_advisory_unlock(${lockKeySql})`, [target]);
      } finally {
        client.release();
      }
    });
  }

  function remember(target: string, unlock: () => Promise<void>): TargetLock {
    const lock: TargetLock = {
      release: async () => {
        if (held.get(target) !== lock) return;
        held.delete(target);
        await unlock();
      },
    };
    held.set(target, lock);
    return lock;
  }

  return {
    tryLock,
    releaseAll: async () => {
      for (const lock of [...held.values()]) await lock.release();
    },
  };
}
