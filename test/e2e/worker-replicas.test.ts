// Two workers on one store never run a cycle at the same time. On Postgres they take turns through the advisory
// lock; on the embedded store the second is refused the data directory and never runs a cycle.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngineSession, type EngineSession } from '../helpers/engine-session.js';
import { createTestStoreLocation, storeEnv, usingPostgres } from '../helpers/store.js';
import { finishedCycle, readCycles, spawnWorker, type WorkerProcess } from './worker-processes.js';

describe('two workers on one store', () => {
  let session: EngineSession;
  let location: { databaseUrl: string } | { dataDir: string };
  let drop: () => Promise<void>;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    session = await openEngineSession({ tenant: { seed: 7, users: 60, groups: 6 }, notion: { latencyMs: 60 } });
    ({ location, drop } = await createTestStoreLocation());
  });
  afterAll(async () => {
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await session?.close();
    await drop?.();
  });

  it(`never run a cycle at the same time (${usingPostgres ? 'Postgres: they take turns' : 'embedded store: the second is refused'})`, async () => {
    const env = {
      ...session.env,
      ...storeEnv(location),
      NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '',
      SYNC_SCHEDULE: '*/2 * * * * *',
      LOG_LEVEL: 'info',
    };
    const first = spawnWorker(env);
    workers.push(first);
    // The second starts while the first is writing its initial cycle to Notion.
    await first.waitForLine((l) => l.event === 'cycle.started', 'the start of its first cycle');
    const second = spawnWorker(env);
    workers.push(second);

    if (usingPostgres) {
      await second.waitForLine((l) => l.event === 'cycle.locked', 'that another process holds the lock');
      await second.waitForLine((l) => finishedCycle()(l) && l.status !== 'locked', 'a cycle of its own', 60_000);
      await first.waitForLine((l) => first.lines.filter(finishedCycle()).length >= 2 && finishedCycle()(l), 'a second cycle');
    } else {
      expect(await second.exited).toBe(3);
      expect(second.stderr()).toMatch(/the embedded store in .* is in use by the worker \(pid \d+\)/);
      // A read-only command beside the worker is told why and what to do instead.
      const status = spawnSync(process.execPath, ['dist/cli/main.js', 'status'], { env: { PATH: process.env.PATH ?? '', ...storeEnv(location) }, encoding: 'utf8' });
      expect(status.status).toBe(3);
      expect(status.stderr).toMatch(/is in use by the worker \(pid \d+\); read-only commands cannot open it beside the worker: .*set DATABASE_URL to use Postgres/);
      expect(second.lines.filter((l) => l.event === 'cycle.started')).toEqual([]);
      await first.waitForLine((l) => first.lines.filter(finishedCycle()).length >= 2 && finishedCycle()(l), 'a second cycle');
    }

    for (const worker of workers) worker.child.kill('SIGTERM');
    for (const worker of workers) expect(await worker.exited).toBe(usingPostgres || worker === first ? 0 : 3);

    const cycles = (await readCycles(location, 'workspace')).sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
    expect(cycles.length).toBeGreaterThanOrEqual(usingPostgres ? 3 : 2);
    for (let i = 1; i < cycles.length; i++) {
      const previous = cycles[i - 1]!;
      expect(previous.finishedAt, `cycle ${previous.id} has no end`).not.toBeNull();
      expect(previous.finishedAt!.getTime()).toBeLessThanOrEqual(cycles[i]!.startedAt.getTime());
    }
    const ranBy = (worker: WorkerProcess) => new Set(worker.lines.filter((l) => finishedCycle()(l) && l.status !== 'locked').map((l) => l.cycleId));
    expect(ranBy(first).size).toBeGreaterThan(0);
    if (usingPostgres) expect(ranBy(second).size).toBeGreaterThan(0);
    else expect(ranBy(second).size).toBe(0);
  });
});
