// Scenario 1: kill -9 at random points of an initial sync (Graph reads, Notion lookups, creates, updates, group
// writes; for writes, after Notion applied them and before the answer reached the engine: the proxy holds the
// answer while the process dies), then a rerun must converge with nothing duplicated and nothing wrongly removed.
import { afterAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/sim/graph/random.js';
import type { ForwardedEvent } from '../../src/sim/fault-proxy.js';
import { createChaosStore, describeRun, rounds, scenarioSeed, startWorld, storeKinds, sync, tally, verdict } from './harness.js';

/** Where a kill can land: which proxy's forwarded requests it counts, and which of them. */
const categories = [
  { name: 'graph read', side: 'graph', match: (e: ForwardedEvent) => e.path.startsWith('/v1.0/') },
  { name: 'notion lookup', side: 'notion', match: (e: ForwardedEvent) => e.method === 'GET' },
  { name: 'user create (applied, answer lost)', side: 'notion', match: (e: ForwardedEvent) => e.method === 'POST' && e.path.includes('/Users') },
  { name: 'group create (applied, answer lost)', side: 'notion', match: (e: ForwardedEvent) => e.method === 'POST' && e.path.includes('/Groups') },
  { name: 'membership write (applied, answer lost)', side: 'notion', match: (e: ForwardedEvent) => e.method === 'PATCH' && e.path.includes('/Groups') },
  { name: 'any write (applied, answer lost)', side: 'notion', match: (e: ForwardedEvent) => e.method !== 'GET' },
] as const;

// 20 kills on each store at the bounded size; CHAOS_ROUNDS multiplies them.
const killsPerStore = 20 * rounds;
const runsPerChain = 8;

afterAll(() => tally.print('kill -9'));

describe.each(storeKinds())('kill -9 during an initial sync (%s)', (kind) => {
  it(`converges after ${killsPerStore} kills at random points, with no duplicate and no wrong removal`, async () => {
    const seed = scenarioSeed(`kill-${kind}`);
    const random = new SeededRandom(seed);
    const failures: string[] = [];
    // A reference run counts the requests of each category, so kill points fall inside a real sync.
    const reference = await startWorld({ seed });
    const referenceStore = await createChaosStore(kind);
    const counts = new Map<string, number>();
    const countForwarded = (side: 'graph' | 'notion') => (event: ForwardedEvent) => {
      for (const category of categories) if (category.side === side && category.match(event)) counts.set(category.name, (counts.get(category.name) ?? 0) + 1);
    };
    reference.graphProxy.events.on('forwarded', countForwarded('graph'));
    reference.notionProxy.events.on('forwarded', countForwarded('notion'));
    const first = await sync(reference, referenceStore);
    await reference.close();
    await referenceStore.drop();
    expect(first.summary?.status, `seed ${seed}: the reference sync must succeed: ${describeRun(first)}`).toBe('succeeded');
    const usable = categories.filter((c) => (counts.get(c.name) ?? 0) > 0);

    // Chains: a fresh workspace and store; each run is killed at a drawn point until a run gets through (the rerun
    // to convergence), which the full verdict then checks. After every kill the invariants that hold mid-way
    // (no duplicate, no wrong removal) are checked too. Every run reads Graph and lists Notion, so a point drawn early
    // in either is met by every run: the last run of a chain is never killed, else a chain of such draws ends without
    // the rerun it exists to check (CHAOS_ROUNDS=3, seed 11: one chain of eight kills on each store).
    let kills = 0;
    for (let chain = 1; kills < killsPerStore && chain <= killsPerStore; chain += 1) {
      const world = await startWorld({ seed });
      const store = await createChaosStore(kind);
      const path: string[] = [];
      try {
        for (let attempt = 0; attempt < runsPerChain; attempt += 1) {
          const category = random.pick(usable);
          const k = random.int(1, counts.get(category.name) ?? 1);
          let seen = 0;
          const run = await sync(world, store, [], (child) => {
            if (kills >= killsPerStore || attempt === runsPerChain - 1) return;
            const proxy = category.side === 'graph' ? world.graphProxy : world.notionProxy;
            const onForwarded = (event: ForwardedEvent) => {
              if (!category.match(event) || (seen += 1) !== k) return;
              proxy.events.off('forwarded', onForwarded);
              event.hold(); // never released: the answer dies with the process
              child.kill('SIGKILL');
            };
            proxy.events.on('forwarded', onForwarded);
            child.on('close', () => proxy.events.off('forwarded', onForwarded));
          });
          tally.cycles += 1;
          const where = `seed ${seed}, chain ${chain} (${[...path, run.signal ? `${category.name} #${k}` : 'rerun'].join(' → ')})`;
          if (run.signal === 'SIGKILL' && !run.timedOut) {
            kills += 1;
            path.push(`killed at ${category.name} #${k}`);
            const problems = await verdict(world, store, { converged: false });
            if (problems.length > 0) failures.push(`${where}:\n    ${problems.slice(0, 10).join('\n    ')}`);
            continue;
          }
          if (run.summary?.status !== 'succeeded') failures.push(`${where}: the rerun did not succeed (${describeRun(run)})`);
          const problems = await verdict(world, store, { converged: true });
          if (problems.length > 0) failures.push(`${where}:\n    ${problems.slice(0, 10).join('\n    ')}`);
          break;
        }
      } finally {
        await world.close();
        await store.drop();
      }
    }
    tally.kills += kills;
    expect(kills, `seed ${seed}: kills that landed`).toBe(killsPerStore);
    expect(failures, `seed ${seed}, ${kind}`).toEqual([]);
  });
});
