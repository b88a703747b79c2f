// The worker as a process against both simulators: cycles on a fast schedule, SIGTERM in the middle of a cycle, and
// a restart that converges.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStoreLocation } from '../helpers/store.js';
import { openEngineSession, type EngineSession } from '../helpers/engine-session.js';
import { freePort } from '../helpers/free-port.js';
import { finishedCycle, workerEnv, readCycles, spawnWorker, type WorkerProcess } from './worker-processes.js';

describe('entra-notion-sync worker', () => {
  let session: EngineSession;
  let location: { databaseUrl: string } | { dataDir: string };
  let drop: () => Promise<void>;
  let env: Record<string, string>;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    session = await openEngineSession({ tenant: { seed: 7, users: 60, groups: 6 } });
    ({ location, drop } = await createTestStoreLocation());
    env = workerEnv(session, location, {
      SYNC_SCHEDULE: '*/2 * * * * *',
    });
  });
  afterAll(async () => {
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await session?.close();
    await drop?.();
  });

  it('stops on SIGTERM in the middle of a cycle, exits 0, and records the cycle as interrupted', async () => {
    // Slow answers keep the initial cycle busy long enough to be interrupted while it writes to Notion.
    session.notion.setOptions({ latencyMs: 100 });
    const worker = spawnWorker(env);
    workers.push(worker);
    await new Promise<void>((resolve) => {
      const onRequest = (entry: { method: string }) => {
        if (entry.method !== 'POST') return;
        session.notion.events.off('request', onRequest);
        resolve();
      };
      session.notion.events.on('request', onRequest);
    });
    worker.child.kill('SIGTERM');

    expect(await worker.exited).toBe(0);
    const events = worker.lines.map((l) => l.event);
    expect(events).toContain('worker.stopped');
    expect(events).not.toContain('worker.grace-exceeded');
    expect(worker.lines.find(finishedCycle())).toMatchObject({ status: 'interrupted' });
    const cycles = await readCycles(location, 'workspace');
    expect(cycles.map((c) => c.status)).toEqual(['interrupted']);
    expect(session.differences()).not.toEqual([]);
  });

  it('converges after a restart, runs further cycles on the schedule, and answers /healthz and /metrics', async () => {
    session.notion.setOptions({ latencyMs: 0 });
    const port = await freePort();
    const worker = spawnWorker({ ...env, HTTP_PORT: String(port) });
    workers.push(worker);
    await worker.waitForLine(finishedCycle('succeeded'), 'a succeeded cycle');
    expect(session.differences()).toEqual([]);

    // The schedule's next tick runs another cycle, which finds nothing to change.
    session.notion.clearRequests();
    await worker.waitForLine((l) => finishedCycle('succeeded')(l) && worker.lines.filter(finishedCycle('succeeded')).length >= 2, 'a second cycle');
    expect(session.writes()).toBe(0);

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(await ready.json()).toEqual({ ready: true, problems: [] });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/^entra_notion_sync_cycles_total\{outcome="succeeded",target="workspace"\} [2-9]\d*$/m);
    expect(metrics).toMatch(/^entra_notion_sync_operations_total\{action="create",status="success",target="workspace"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^entra_notion_sync_scim_requests_total\{target="workspace"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^entra_notion_sync_graph_requests_total\{target="workspace"\} [1-9]\d*$/m);

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    const cycles = await readCycles(location, 'workspace');
    // The oldest is the interrupted one; the last may have been interrupted by this SIGTERM too.
    expect(cycles.at(-1)?.status).toBe('interrupted');
    expect(cycles.filter((c) => c.status === 'succeeded').length).toBeGreaterThanOrEqual(2);
    expect(cycles.filter((c) => !['succeeded', 'interrupted'].includes(c.status))).toEqual([]);
  });
});
