// The per-target cycle lock: a Postgres session advisory lock held on its own connection for the whole cycle;
// on PGlite (one process owns the data dir) an in-process lock is enough.
import type pg from 'pg';

export interface TargetLock {
  /**
   * Aborts when the lock can no longer be trusted: its connection errored or ended (a Postgres restart, a
   * terminated backend, a network cut). Postgres drops a session's advisory locks with the session, so another
   * replica may hold the lock from then on; the holder must start no further Notion write.
   */
  readonly lost: AbortSignal;
  /**
   * Asks the lock's connection whether it is still alive (aborting `lost` when not). A store restart fails the query
   * in flight and the lock's connection at about the same moment, in either order: a caller that saw a store error
   * asks first, so that the cause it reports is the lost lock when it is.
   */
  confirm(): Promise<void>;
  release(): Promise<void>;
}

/** The reason `lost` carries. */
export class TargetLockLostError extends Error {
  constructor(cause: unknown) {
    super(`lost the store connection (and the target lock with it)${cause instanceof Error ? `: ${cause.message}` : ''}`, { cause });
    this.name = 'TargetLockLostError';
  }
}

type LockBackend = { kind: 'postgres'; pool: pg.Pool } | { kind: 'pglite' };

const confirmTimeoutMs = 2_000;

const lockKeySql = "hashtextextended('entra-notion-sync:' || $1, 0)";

export function createTargetLocks(backend: LockBackend) {
  const held = new Map<string, TargetLock>();

  async function tryLock(target: string): Promise<TargetLock | null> {
    if (held.has(target)) return null;
    // The embedded store lives and dies with this process: its lock cannot be lost while the process runs.
    if (backend.kind === 'pglite') return remember(target, new AbortController(), async () => undefined, async () => undefined);
    const client = await backend.pool.connect();
    try {
      const result = await client.query<{ locked: boolean }>(`select pg_try_advisory_lock(${lockKeySql}) as locked`, [target]);
      if (!result.rows[0]?.locked) {
        client.release();
        return null;
      }
    } catch (error) {
      client.release(error instanceof Error ? error : true);
      throw error;
    }
    const lost = new AbortController();
    const onError = (error: Error) => lost.abort(new TargetLockLostError(error));
    const onEnd = () => lost.abort(new TargetLockLostError(new Error('the connection ended')));
    client.on('error', onError);
    client.on('end', onEnd);
    return remember(target, lost, async () => {
      try {
        if (!lost.signal.aborted) await client.query(`select pg_advisory_unlock(${lockKeySql})`, [target]);
      } catch {
        // The connection died while unlocking: the server dropped the lock with the session.
      } finally {
        client.off('error', onError);
        client.off('end', onEnd);
        // A dead connection must not go back to the pool.
        client.release(lost.signal.aborted ? true : undefined);
      }
    }, async () => {
      if (lost.signal.aborted) return;
      let timer: NodeJS.Timeout | undefined;
      // A connection cut without a reset may never answer: no answer in time counts as lost (the caller is failing anyway).
      const silent = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('the lock connection did not answer')), confirmTimeoutMs); });
      try {
        await Promise.race([client.query('select 1'), silent]);
      } catch (error) {
        lost.abort(new TargetLockLostError(error));
      } finally {
        clearTimeout(timer);
      }
    });
  }

  function remember(target: string, lost: AbortController, unlock: () => Promise<void>, confirm: () => Promise<void>): TargetLock {
    const lock: TargetLock = {
      lost: lost.signal,
      confirm,
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
