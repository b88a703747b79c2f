// Scenario 2: transient faults all through an initial sync and the cycle after it. Notion: 10% 5xx, 429 with
// Retry-After, connections reset before and after the server acted, 502 after it acted, slow answers; Graph: 429
// and 503. Promise (README; issue 11 "Convergence under transient faults"): after the first cycle that completes,
// at most one more and Notion holds exactly what the tenant says; nothing duplicated, nobody in scope removed, and
// no cycle calls itself `succeeded` while objects are still missing.
import { afterAll, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../src/sim/fault-proxy.js';
import { createChaosStore, describeRun, rounds, scenarioSeed, startWorld, storeKinds, sync, tally, verdict } from './harness.js';

const notionRules: FaultRule[] = [
  { kind: 'status', status: 500, rate: 0.04, label: 'notion 500' },
  { kind: 'status', status: 502, rate: 0.03, label: 'notion 502' },
  { kind: 'status', status: 503, rate: 0.03, label: 'notion 503' },
  { kind: 'throttle', retryAfterSeconds: 1, rate: 0.05, label: 'notion 429 + Retry-After' },
  { kind: 'reset-before', rate: 0.03, label: 'notion reset before acting' },
  { kind: 'reset-after', match: { method: 'POST' }, rate: 0.05, label: 'notion reset after acting (POST)' },
  { kind: 'reset-after', match: { method: 'PATCH' }, rate: 0.05, label: 'notion reset after acting (PATCH)' },
  { kind: 'status-after', status: 502, rate: 0.03, label: 'notion 502 after acting' },
  { kind: 'delay', delayMs: 1500, rate: 0.03, label: 'notion slow answer' },
];
const graphRules: FaultRule[] = [
  { kind: 'throttle', retryAfterSeconds: 1, match: { path: /^\/v1\.0\// }, rate: 0.1, label: 'graph 429 + Retry-After' },
  { kind: 'status', status: 503, match: { path: /^\/v1\.0\// }, rate: 0.1, label: 'graph 503' },
];

/** Cycles that may fail outright (e.g. Graph's budget of retries ran out) before one completes. */
const maxFailedCycles = 3;

afterAll(() => tally.print('transient faults'));

describe.each(storeKinds())('transient faults on both sides (%s)', (kind) => {
  it.each(Array.from({ length: rounds }, (_, round) => round + 1))('round %i: converges within two cycles, nothing duplicated, nobody in scope removed', async (round) => {
    const seed = scenarioSeed(`transient-${kind}-${round}`);
    const world = await startWorld({ seed, graphRules, notionRules, tenant: { users: 60, groups: 8 } });
    const store = await createChaosStore(kind);
    const failures: string[] = [];
    const history: string[] = [];
    try {
      let completed = 0;
      let failed = 0;
      let converged = false;
      while (completed < 2 && failed <= maxFailedCycles) {
        const run = await sync(world, store);
        tally.cycles += 1;
        const status = run.summary?.status;
        history.push(describeRun(run));
        const differences = await verdict(world, store, { converged: true });
        const hardProblems = differences.filter((line) => /^(duplicate|wrong )/.test(line));
        failures.push(...hardProblems.map((line) => `cycle ${history.length}: ${line}`));
        if (status === 'succeeded' && differences.length > 0) {
          failures.push(`cycle ${history.length} said "succeeded" while Notion still differs: ${differences.slice(0, 5).join('; ')}`);
        }
        if (status === 'succeeded' || status === 'partial') completed += 1;
        else failed += 1;
        if (completed > 0 && differences.length === 0) {
          converged = true;
          break;
        }
      }
      if (!converged) {
        const left = await verdict(world, store, { converged: true });
        failures.push(`not converged within two completed cycles (${history.join(' / ')}): ${left.slice(0, 10).join('; ')}`);
      }
      tally.add(world.notionProxy.injectedCounts());
      tally.add(world.graphProxy.injectedCounts());
    } finally {
      await world.close();
      await store.drop();
    }
    expect(failures, `seed ${seed} (${kind}); faults injected: ${JSON.stringify({ ...world.notionProxy.injectedCounts(), ...world.graphProxy.injectedCounts() })}`).toEqual([]);
  });
});
