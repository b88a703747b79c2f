import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { updateTargetState } from '../../../src/store/index.js';
import { longestScheduleGapMs } from '../../../src/worker/index.js';
import { freePort } from '../../helpers/free-port.js';
import { openTestStore, type TestStore } from '../../helpers/store.js';
import { captureLog, manualTicks, scriptedRunner, startWorker, workerConfig, type RunningWorker } from './worker-fixture.js';

describe('the worker', () => {
  // One store for the file; each test works on its own target.
  let testStore: TestStore;
  beforeAll(async () => {
    testStore = await openTestStore();
  });
  afterAll(() => testStore.close());
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  let targets = 0;

  async function setUp(env: Record<string, string> = {}, clock = { now: new Date('2026-03-02T10:00:00Z') }) {
    const config = workerConfig({ SYNC_TARGET: `worker-${++targets}`, ...env });
    const log = captureLog();
    const now = () => clock.now;
    const runner = scriptedRunner(testStore.store, config.target, now);
    const ticks = manualTicks();
    const worker: RunningWorker = await startWorker({ config, store: testStore.store, logger: log.logger, runCycle: runner.runCycle, now, ticks: ticks.ticks });
    cleanups.push(async () => {
      for (const cycle of runner.started) await cycle.finish('interrupted');
      await worker.stop();
    });
    return { store: testStore.store, config, log, runner, worker, ticks, clock };
  }

  it('runs a cycle at start and another on each tick of the schedule', async () => {
    const { runner, worker } = await setUp();
    await (await runner.nextCycle(0)).finish();
    await worker.firstTick;
    const tick = worker.tick();
    await (await runner.nextCycle(1)).finish();
    await tick;
    expect(runner.started).toHaveLength(2);
  });

  it('runs one more cycle after the running one when ticks and requests arrive during it, never two at once', async () => {
    const { runner, worker, log } = await setUp({ CYCLE_DEBOUNCE_SECONDS: '0' });
    const first = await runner.nextCycle(0);
    const tick = worker.tick();
    worker.requestCycle('watch');
    worker.requestCycle('notification');
    expect(runner.started).toHaveLength(1);
    expect(log.lines.find((l) => l.event === 'cycle.queued')).toMatchObject({ reason: 'schedule' });
    await first.finish();
    await (await runner.nextCycle(1)).finish();
    await tick;
    expect(runner.started).toHaveLength(2);
    expect(log.lines.filter((l) => l.event === 'cycle.triggered').map((l) => l.reasons)).toEqual([['start'], ['schedule', 'watch', 'notification']]);
  });

  it('measures the propagation delay at each successful write of a change-triggered cycle, not at its end', async () => {
    const { runner, worker, log, clock } = await setUp({ CYCLE_DEBOUNCE_SECONDS: '0', HTTP_PORT: String(await freePort()) });
    await (await runner.nextCycle(0)).finish();
    await worker.firstTick;
    const detectedAt = clock.now.getTime();
    worker.requestCycle('watch');
    const changeCycle = await runner.nextCycle(1);
    clock.now = new Date(detectedAt + 3_000);
    changeCycle.operationDone('remove-members');
    changeCycle.operationDone('skip');
    changeCycle.operationDone('stage');
    changeCycle.operationDone('update-user', { failed: true });
    clock.now = new Date(detectedAt + 7_000);
    changeCycle.operationDone('disable-user');
    // The cycle's end, a minute later, is not the time the change reached Notion.
    clock.now = new Date(detectedAt + 67_000);
    await changeCycle.finish();
    // A scheduled cycle serves no detected change: its writes are not propagation.
    const tick = worker.tick();
    const scheduled = await runner.nextCycle(2);
    scheduled.operationDone('create-user');
    await scheduled.finish();
    await tick;

    expect(log.lines.filter((l) => l.event === 'worker.propagated')).toEqual([
      expect.objectContaining({ writes: 2, firstWriteDelayMs: 3_000, lastWriteDelayMs: 7_000, status: 'succeeded' }),
    ]);
    const text = await (await fetch(`http://127.0.0.1:${worker.httpPort}/metrics`)).text();
    const bucket = (le: string) => new RegExp(`^entra_notion_sync_propagation_delay_seconds_bucket\\{le="${le}",target="[^"]+"\\} (\\d+)$`, 'm').exec(text)?.[1];
    expect([bucket('2'), bucket('5'), bucket('10'), bucket('60')]).toEqual(['0', '1', '2', '2']);
    expect(text).toMatch(/^entra_notion_sync_propagation_delay_seconds_count\{target="[^"]+"\} 2$/m);
    expect(text).toMatch(/^entra_notion_sync_propagation_delay_seconds_sum\{target="[^"]+"\} 10$/m);
  });

  it('logs that another process holds the lock and waits for the next tick', async () => {
    const { runner, worker, log } = await setUp();
    await (await runner.nextCycle(0)).finish('locked');
    await worker.firstTick;
    expect(log.events()).toContain('cycle.locked');
    const tick = worker.tick();
    await (await runner.nextCycle(1)).finish();
    await tick;
    expect(runner.started).toHaveLength(2);
  });

  it('logs an error when the process holding the lock looks stuck', async () => {
    const { runner, worker, log } = await setUp();
    const stuck = 'Another process (worker-0:17) holds the lock for target "workspace" with a cycle that has shown no progress for 45m00s';
    await (await runner.nextCycle(0)).finish('locked', stuck);
    await worker.firstTick;
    expect(log.lines.find((l) => l.event === 'cycle.lock-stalled')).toMatchObject({ level: 'error', message: stuck });
    expect(log.events()).not.toContain('cycle.locked');
  });

  it('does not start a cycle before the quarantine back-off is over', async () => {
    const { store, config, runner, worker, log, clock } = await setUp();
    await (await runner.nextCycle(0)).finish('quarantined');
    await worker.firstTick;
    await updateTargetState(store.db, config.target, {
      quarantineReason: 'EncounteredQuarantineException',
      quarantineSince: clock.now,
      quarantineNextAttemptAt: new Date(clock.now.getTime() + 30 * 60_000),
    });

    await worker.tick();
    expect(runner.started).toHaveLength(1);
    expect(log.lines.find((l) => l.event === 'cycle.deferred')).toMatchObject({ quarantineReason: 'EncounteredQuarantineException', nextAttemptAt: '2026-03-02T10:30:00.000Z' });

    clock.now = new Date('2026-03-02T10:31:00Z');
    const tick = worker.tick();
    await (await runner.nextCycle(1)).finish();
    await tick;
    expect(runner.started).toHaveLength(2);
  });

  it('on stop, aborts the running cycle, waits for it to finish, and starts nothing after', async () => {
    const { runner, worker, ticks } = await setUp();
    const cycle = await runner.nextCycle(0);
    cycle.signal.addEventListener('abort', () => void cycle.finish('interrupted'));
    expect(await worker.stop()).toBe(true);
    expect(cycle.signal.aborted).toBe(true);
    expect(ticks.stopped()).toBe(true);
    await worker.tick();
    expect(runner.started).toHaveLength(1);
  });

  it('gives up waiting after the grace period when the cycle does not stop', async () => {
    const { runner, worker, log } = await setUp({ SHUTDOWN_GRACE_SECONDS: '1' });
    await runner.nextCycle(0);
    expect(await worker.stop()).toBe(false);
    expect(log.events()).toContain('worker.grace-exceeded');
  });

  it('reports staleness in an error line when no cycle succeeded for the configured number of intervals', async () => {
    const { runner, worker, log, clock } = await setUp({ STALE_AFTER_INTERVALS: '2' });
    await (await runner.nextCycle(0)).finish('succeeded');
    await worker.firstTick;
    expect(log.events()).not.toContain('worker.stale');

    clock.now = new Date('2026-03-02T10:11:00Z'); // 11 minutes > 2 intervals of 5 minutes
    const tick = worker.tick();
    await (await runner.nextCycle(1)).finish('failed');
    await tick;
    expect(log.lines.find((l) => l.event === 'worker.stale')).toMatchObject({ level: 'error', lastSuccessAt: '2026-03-02T10:00:00.000Z', staleAfterIntervals: 2 });
  });

  it('reports staleness at a tick that finds a cycle still running, not only when it ends', async () => {
    const { runner, worker, log, clock } = await setUp({ STALE_AFTER_INTERVALS: '2' });
    await (await runner.nextCycle(0)).finish('succeeded');
    await worker.firstTick;
    const first = worker.tick();
    const running = await runner.nextCycle(1);
    clock.now = new Date('2026-03-02T10:11:00Z');
    const second = worker.tick();
    await vi.waitFor(() => expect(log.lines.find((l) => l.event === 'worker.stale')).toMatchObject({ level: 'error', staleAfterIntervals: 2 }));
    expect(runner.started).toHaveLength(2);
    await running.finish('succeeded');
    // The tick that came during the cycle asked for another: it runs after it.
    await (await runner.nextCycle(2)).finish('succeeded');
    await Promise.all([first, second]);
  });

  it('counts staleness in the longest gap of the schedule (every 40 minutes runs at :00 and :40)', () => {
    expect(longestScheduleGapMs('*/40 * * * *')).toBe(40 * 60_000);
    expect(longestScheduleGapMs('*/2 * * * * *')).toBe(2000);
    expect(longestScheduleGapMs('0 6 * * 1-5')).toBe(3 * 24 * 60 * 60_000);
  });
});
