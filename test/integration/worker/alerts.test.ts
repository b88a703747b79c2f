import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tables, updateTargetState } from '../../../src/store/index.js';
import { openTestStore, type TestStore } from '../../helpers/store.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.js';
import { captureLog, manualTicks, scriptedRunner, startWorker, workerConfig } from './worker-fixture.js';
import type { CycleRunner } from '../../../src/worker/index.js';

describe('webhook alerts', () => {
  let testStore: TestStore;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    testStore = await openTestStore();
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await testStore.close();
  });
  const stops: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    receiver.received.splice(0);
  });

  /** A worker whose cycles all succeed at once (or end as `outcomes` says, in turn); ticks by hand. */
  async function startSucceedingWorker(target: string, clock = { now: new Date('2026-03-02T10:00:00Z') }, outcomes: Array<'succeeded' | 'failed' | 'partial' | 'interrupted'> = []) {
    const config = workerConfig({ SYNC_TARGET: target, WEBHOOK_URL: receiver.url });
    const log = captureLog();
    const runner = scriptedRunner(testStore.store, target, () => clock.now);
    const runCycle: CycleRunner = async (signal, request, observer) => {
      const outcome = runner.runCycle(signal, request, observer);
      await runner.started.at(-1)!.finish(outcomes.shift() ?? 'succeeded');
      return outcome;
    };
    const worker = await startWorker({ config, store: testStore.store, logger: log.logger, runCycle, now: () => clock.now, ticks: manualTicks().ticks });
    stops.push(() => worker.stop());
    await worker.firstTick;
    return { worker, log, clock };
  }

  it('sends one message per change of the quarantine state, and none again after a restart', async () => {
    const target = 'alerts-quarantine';
    const first = await startSucceedingWorker(target);
    expect(receiver.received).toEqual([]);

    await updateTargetState(testStore.store.db, target, { quarantineReason: 'EncounteredEscrowProportionThreshold', quarantineSince: first.clock.now });
    await first.worker.tick();
    await first.worker.tick();
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.text).toContain('provisioning is quarantined: EncounteredEscrowProportionThreshold');
    expect(receiver.received[0]!.text).toContain('`entra-notion-sync reset quarantine`');

    await first.worker.stop();
    const restarted = await startSucceedingWorker(target);
    await restarted.worker.tick();
    expect(receiver.received).toHaveLength(1);

    await updateTargetState(testStore.store.db, target, { quarantineReason: 'EncounteredQuarantineException' });
    await restarted.worker.tick();
    await updateTargetState(testStore.store.db, target, { quarantineReason: null, quarantineSince: null });
    await restarted.worker.tick();
    await restarted.worker.tick();
    expect(receiver.received.map((m) => m.text)).toEqual([
      expect.stringContaining('quarantined: EncounteredEscrowProportionThreshold'),
      expect.stringContaining('quarantined: EncounteredQuarantineException'),
      expect.stringContaining('the quarantine is lifted'),
    ]);
  });

  it('tells once that deprovisions are staged, and once that none are any more', async () => {
    const target = 'alerts-staged';
    const { worker } = await startSucceedingWorker(target);
    const staged = ['u1', 'u2', 'u3'].map((sourceId) => ({
      target,
      objectType: 'user',
      sourceId,
      notionId: `n-${sourceId}`,
      state: 'active',
      applied: { userName: `${sourceId}@example.com` },
      stagedAction: 'disable',
      stagedAt: new Date(),
    }));
    await testStore.store.db.insert(tables.links).values(staged);
    await worker.tick();
    await worker.tick();
    await testStore.store.db.update(tables.links).set({ stagedAction: null, stagedAt: null });
    await worker.tick();
    await worker.tick();
    expect(receiver.received.map((m) => m.text)).toEqual([
      expect.stringMatching(/3 deprovisioning operation\(s\) exceed the deletion threshold and are staged.*approve/),
      expect.stringContaining('no deprovisioning operations are staged any more'),
    ]);
  });

  it('tells once that cycles went stale, and retries a message the webhook refused', async () => {
    const target = 'alerts-stale';
    const { worker, log, clock } = await startSucceedingWorker(target);
    receiver.failNext(1);
    clock.now = new Date('2026-03-02T12:00:00Z');
    // Quarantined with a back-off: no cycle runs, so no success comes to end the staleness.
    await updateTargetState(testStore.store.db, target, { quarantineReason: 'EncounteredQuarantineException', quarantineNextAttemptAt: new Date('2026-03-03T00:00:00Z') });
    await worker.tick();
    expect(log.lines.filter((l) => l.event === 'alert.failed')).toMatchObject([{ alert: 'quarantine' }]);
    await worker.tick();
    await worker.tick();
    expect(receiver.received.map((m) => m.text)).toEqual([
      expect.stringContaining('no successful cycle for 3 schedule intervals (last success: 2026-03-02T10:00:00.000Z)'),
      expect.stringContaining('quarantined: EncounteredQuarantineException'),
    ]);
  });

  it('tells once that a cycle failed or was partial, and once that cycles succeed again', async () => {
    const { worker } = await startSucceedingWorker('alerts-cycle', undefined, ['failed', 'failed', 'interrupted', 'partial', 'succeeded', 'succeeded']);
    for (let i = 0; i < 5; i++) await worker.tick();
    expect(receiver.received.map((m) => m.text)).toEqual([
      expect.stringContaining('the last cycle failed'),
      expect.stringContaining('the last cycle was partial'),
      expect.stringContaining('cycles succeed again'),
    ]);
  });

  it('never writes the webhook URL in the log', async () => {
    const { worker, log } = await startSucceedingWorker('alerts-redacted');
    await updateTargetState(testStore.store.db, 'alerts-redacted', { quarantineReason: 'QuarantinedOnDemand' });
    await worker.tick();
    const sent = log.lines.find((l) => l.event === 'alert.sent');
    expect(sent).toMatchObject({ alert: 'quarantine', webhook: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/\[Redacted\]$/) });
    expect(JSON.stringify(log.lines)).not.toContain('webhooksecretpart');
  });
});
