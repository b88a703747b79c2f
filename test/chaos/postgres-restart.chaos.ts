// Scenario 3: Postgres restarted in each phase of a cycle, on a private cluster the suite starts (never the shared
// one). The proxy holds one request of the phase while the server restarts (every connection of the CLI is
// terminated, 57P01), then lets it through. Promise (issue 11, defect 2): the cycle fails cleanly (exit code not 0,
// a clear message, no stack trace, no unhandled error), no cycle row is left `running`, and the next run converges.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultProxy, ForwardedEvent } from '../../src/sim/fault-proxy.js';
import { createChaosStore, describeRun, looksLikeCrash, scenarioSeed, startWorld, sync, tally, verdict, type World } from './harness.js';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres.js';

/** Phases and the request that marks each: the first Graph delta page (import), the first Notion request (the
 *  plan reads Notion before it decides), the first Notion write (apply). */
const phases: Array<{ phase: string; proxy: (world: World) => FaultProxy; match: (event: ForwardedEvent) => boolean }> = [
  { phase: 'import', proxy: (w) => w.graphProxy, match: (e) => e.path.includes('/delta') },
  { phase: 'plan', proxy: (w) => w.notionProxy, match: () => true },
  { phase: 'apply', proxy: (w) => w.notionProxy, match: (e) => e.method !== 'GET' },
];

let postgres: PrivatePostgres;
beforeAll(async () => {
  postgres = await startPrivatePostgres();
});
afterAll(() => {
  postgres?.stop();
  tally.print('Postgres restarts');
});

describe('Postgres restarted mid-cycle (private cluster)', () => {
  it.each(phases.map((p) => p.phase))('during %s: the cycle fails cleanly and the next run converges', async (phase) => {
    const spec = phases.find((p) => p.phase === phase) as (typeof phases)[number];
    const seed = scenarioSeed(`pg-restart-${phase}`);
    const world = await startWorld({ seed });
    const store = await createChaosStore('postgres', postgres.url);
    const failures: string[] = [];
    try {
      let restarted = false;
      const proxy = spec.proxy(world);
      const onForwarded = (event: ForwardedEvent) => {
        if (restarted || !spec.match(event)) return;
        restarted = true;
        const held = event.hold();
        // After the listener returns: the answer waits until Postgres is back.
        setImmediate(() => {
          postgres.restart();
          held.release();
        });
      };
      proxy.events.on('forwarded', onForwarded);
      const broken = await sync(world, store);
      proxy.events.off('forwarded', onForwarded);
      tally.cycles += 1;
      expect(restarted, `the ${phase} phase was never reached`).toBe(true);
      const output = `${broken.stdout}\n${broken.stderr}`;
      if (broken.code === 0 || broken.code === null) failures.push(`the cycle with the restart did not fail: ${describeRun(broken)}`);
      if (looksLikeCrash(output)) failures.push(`the failure is not clean (stack trace or unhandled error):\n${output.trim().split('\n').slice(0, 12).join('\n')}`);
      const explained = broken.stderr.trim().length > 0 || typeof broken.summary?.status === 'string';
      if (!explained) failures.push('the failure says nothing (no stderr line, no summary)');

      const next = await sync(world, store);
      tally.cycles += 1;
      if (next.summary?.status !== 'succeeded') failures.push(`the next run did not succeed: ${describeRun(next)}`);
      failures.push(...(await verdict(world, store, { converged: true })));
      const running = await store.query(`select id from cycles where status = 'running'`);
      if (running.length > 0) failures.push(`${running.length} cycle row(s) left "running" after the next run`);
    } finally {
      await world.close();
      await store.drop();
    }
    expect(failures, `seed ${seed}, restart during ${phase}`).toEqual([]);
  });
});
