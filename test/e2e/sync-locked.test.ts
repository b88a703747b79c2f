// `sync` beside another process that holds the target's lock (Postgres: replicas share the store). A holder that
// still moves is a slow cycle: nothing done, exit 0, and who and since when. A holder whose cycle has shown no progress
// for 30 minutes is stuck: a run that did nothing must not look green, so exit 3 and say what to do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, recordCycleProgress, recordCycleStart, type Store, type TargetLock } from '../../src/store/index.js';
import { runCli } from '../helpers/cli-process.js';
import { openEngineSession, type EngineSession } from '../helpers/engine-session.js';
import { createTestStoreLocation, storeEnv, usingPostgres } from '../helpers/store.js';

// The embedded store cannot be shared: a second process is refused it (exit 3, store-busy.test.ts), lock or not.
describe.runIf(usingPostgres)('sync while another process holds the target lock (Postgres only)', () => {
  let session: EngineSession;
  let store: Store;
  let lock: TargetLock | null;
  let env: Record<string, string>;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    session = await openEngineSession({ tenant: { seed: 3, users: 10, groups: 2 } });
    const created = await createTestStoreLocation();
    drop = created.drop;
    env = { ...session.env, ...storeEnv(created.location), PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '', LOG_LEVEL: 'silent' };
    store = await openStore(created.location);
    lock = await store.tryLockTarget('workspace');
    await recordCycleStart(store.db, { id: 'a1b2c3d4-held', target: 'workspace', kind: 'initial', startedAt: new Date(Date.now() - 5 * 3600_000), holder: 'worker-0:17' });
  });
  afterAll(async () => {
    await lock?.release();
    await store?.close();
    await drop?.();
    await session?.close();
  });

  it('a holder that still moves: nothing done, exit 0, who holds it and since when', async () => {
    await recordCycleProgress(store.db, 'a1b2c3d4-held', new Date(Date.now() - 90_000));
    const run = await runCli(['sync'], env);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^Another process \(worker-0:17\) is running a cycle for target "workspace" \(cycle a1b2c3d4, started .*, 5h00m ago; last progress 1m3\ds ago\); nothing was done\.\n$/);
    expect(session.notion.requests()).toEqual([]);
  });

  it('a holder stuck for over 30 minutes: exit 3 and what to do', async () => {
    await recordCycleProgress(store.db, 'a1b2c3d4-held', new Date(Date.now() - 45 * 60_000));
    const run = await runCli(['sync'], env);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('Another process (worker-0:17) holds the lock for target "workspace" with a cycle that has shown no progress for 45m');
    expect(run.stderr).toContain('it looks stuck, and nothing was done. Stop or restart that process: Postgres releases the lock with its connection.');
    expect(session.notion.requests()).toEqual([]);
  });
});
