import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateTargetState } from '../../../src/store/index.js';
import { freePort } from '../../helpers/free-port.js';
import { openTestStore, type TestStore } from '../../helpers/store.js';
import { captureLog, manualTicks, scriptedRunner, startWorker, workerConfig, type RunningWorker } from './worker-fixture.js';


describe("the worker's HTTP port", () => {
  let testStore: TestStore;
  let worker: RunningWorker;
  let base: string;
  const clock = { now: new Date('2026-03-02T10:00:00Z') };
  const target = 'health-port';

  beforeAll(async () => {
    testStore = await openTestStore();
    const config = workerConfig({ SYNC_TARGET: target, HTTP_PORT: String(await freePort()) });
    const runner = scriptedRunner(testStore.store, target, () => clock.now);
    worker = await startWorker({ config, store: testStore.store, logger: captureLog().logger, runCycle: runner.runCycle, now: () => clock.now, ticks: manualTicks().ticks });
    await (await runner.nextCycle(0)).finish('succeeded');
    await worker.firstTick;
    base = `http://127.0.0.1:${worker.httpPort}`;
  });
  afterAll(async () => {
    await worker?.stop();
    await testStore?.close();
  });

  it('answers /healthz while the process is alive', async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('serves Prometheus metrics about cycles, operations, requests and open work', async () => {
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/^entra_notion_sync_cycles_total\{outcome="succeeded",target="health-port"\} 1$/m);
    expect(text).toMatch(/^entra_notion_sync_operations_total\{action="create",status="success",target="health-port"\} 2$/m);
    expect(text).toMatch(/^entra_notion_sync_operations_total\{action="update",status="failure",target="health-port"\} 1$/m);
    expect(text).toMatch(/^entra_notion_sync_scim_requests_total\{target="health-port"\} 5$/m);
    expect(text).toMatch(/^entra_notion_sync_scim_throttled_total\{target="health-port"\} 1$/m);
    expect(text).toMatch(/^entra_notion_sync_graph_requests_total\{target="health-port"\} 3$/m);
    expect(text).toMatch(/^entra_notion_sync_cycle_duration_seconds_count\{target="health-port"\} 1$/m);
    expect(text).toMatch(/^entra_notion_sync_last_successful_cycle_timestamp_seconds\{target="health-port"\} 1772445600$/m);
    expect(text).toMatch(/^entra_notion_sync_staged_deletes\{target="health-port"\} 0$/m);
    expect(text).toMatch(/^entra_notion_sync_escrowed_objects\{target="health-port"\} 0$/m);
    expect(text).toMatch(/^entra_notion_sync_stale\{target="health-port"\} 0$/m);
  });

  it('is ready after a successful cycle, and not ready while quarantined or stale', async () => {
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, problems: [] });

    await updateTargetState(testStore.store.db, target, { quarantineReason: 'EncounteredQuarantineException', quarantineSince: clock.now });
    clock.now = new Date('2026-03-02T12:00:00Z');
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({
      ready: false,
      problems: ['quarantined: EncounteredQuarantineException', 'stale: no successful cycle for 3 schedule intervals'],
    });
  });

  it('answers 404 with the known paths for anything else', async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('/healthz');
  });
});
