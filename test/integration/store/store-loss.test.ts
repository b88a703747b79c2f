// Issue 11, defect 2: the store's connections die in the middle of a cycle (as in a Postgres restart). The cycle
// must end `failed` with one clear reason, send nothing more to Notion once the lock's connection is gone
// (another replica may hold the lock now), and the next cycle must converge.
import { describe, expect, it } from 'vitest';
import type { TargetLock } from '../../../src/store/index.js';
import { openEngineSession } from '../../helpers/engine-session.js';
import { cutQueryInFlight, terminateBackendsOf, waitForRow } from '../../helpers/postgres-sessions.js';
import { usingPostgres } from '../../helpers/store.js';

// The embedded store lives inside the process: it has no connection to lose.
describe.runIf(usingPostgres)('a cycle whose Postgres connections are terminated (Postgres only)', () => {
  it('ends failed with one clear reason, sends no Notion write after the loss, and the next cycle converges', async () => {
    const session = await openEngineSession({ tenant: { seed: 11, users: 40, groups: 4 }, env: { NOTION_MAX_CONCURRENCY: '1' } });
    try {
      const store = session.store.store;
      const location = session.store.location as { databaseUrl: string };
      let lostAt: number | undefined;
      const tryLockTarget = store.tryLockTarget.bind(store);
      store.tryLockTarget = async (target: string): Promise<TargetLock | null> => {
        const lock = await tryLockTarget(target);
        lock?.lost.addEventListener('abort', () => (lostAt = Date.now()));
        return lock;
      };
      // One request at a time, six POSTs in all. Once the fourth is answered, the simulator holds each answer 5 s, and
      // the sessions end as soon as the store shows the fifth's pending mark (written just before it is sent): the cut
      // lands while the fifth is in flight or about to leave, and the sixth can never leave before it. (Ending them on
      // the fifth answer raced the cycle's next two writes and, on a loaded machine, lost: all six were sent.)
      session.notion.setOptions({ latencyMs: 150 });
      let posts = 0;
      let terminated: Promise<number> | undefined;
      session.notion.events.on('request', (entry: { method: string }) => {
        if (entry.method !== 'POST' || ++posts !== 4) return;
        session.notion.setOptions({ latencyMs: 5_000 });
        const fourthAnswered = new Date();
        terminated = waitForRow(location.databaseUrl, "select 1 from links where state = 'pending-create' and pending_since >= $1", [fourthAnswered])
          .then(() => terminateBackendsOf(location.databaseUrl));
      });

      const summary = await session.sync();
      expect(await terminated).toBeGreaterThan(0);
      expect(lostAt).toBeDefined();
      expect(summary).toMatchObject({ status: 'failed', error: 'lost the store connection (and the target lock with it)' });
      const writesAfterLoss = session.notion.requests().filter((r) => r.method !== 'GET' && r.at > lostAt!);
      expect(writesAfterLoss).toEqual([]);
      expect(session.differences()).not.toEqual([]);

      session.notion.setOptions({ latencyMs: 0 });
      store.tryLockTarget = tryLockTarget;
      // Past the first escrow delay of a request the loss cut off: the next cycle converges.
      const later = new Date(Date.now() + 11 * 60_000);
      expect((await session.sync({}, () => later)).status).toBe('succeeded');
      expect(session.differences()).toEqual([]);
    } finally {
      await session.close();
    }
  });

  // A restart ends the sessions one by one, in any order: the query in flight may fail while the lock's connection still
  // answers. Then the loss is the store's, not the lock's, and the reason must say so (not drizzle's "Failed query: rollback").
  it('names a lost store connection when only the pool\'s sessions end and the lock\'s lives on', async () => {
    const session = await openEngineSession({ tenant: { seed: 11, users: 40, groups: 4 }, env: { NOTION_MAX_CONCURRENCY: '1' } });
    try {
      const location = session.store.location as { databaseUrl: string };
      session.notion.setOptions({ latencyMs: 150 });
      let posts = 0;
      let terminated: Promise<number> | undefined;
      session.notion.events.on('request', (entry: { method: string }) => {
        if (entry.method === 'POST' && ++posts === 5) terminated = cutQueryInFlight(location.databaseUrl, 'links');
      });

      const summary = await session.sync();
      expect(await terminated).toBeGreaterThan(0);
      expect(summary.status).toBe('failed');
      expect(summary.error).toMatch(/^lost the store connection: (terminating connection due to administrator command|Connection terminated unexpectedly)$/);

      session.notion.setOptions({ latencyMs: 0 });
      const later = new Date(Date.now() + 11 * 60_000);
      expect((await session.sync({}, () => later)).status).toBe('succeeded');
      expect(session.differences()).toEqual([]);
    } finally {
      await session.close();
    }
  });
});
