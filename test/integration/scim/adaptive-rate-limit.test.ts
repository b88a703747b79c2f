// NOTION_RATE_LIMIT_RPS=auto over real HTTP: the client finds the Notion simulator's token bucket and keeps its
// 429s rare. Asserted on counts (429s answered, the rate learnt after N requests), never on wall time.
import { describe, expect, it, type TestContext } from 'vitest';
import { createScimClient, type LearntRate, type RateMemory, type ScimClient } from '../../../src/scim/index.js';
import { startNotionSimulator, type NotionSimulator } from '../../../src/sim/notion/index.js';


/** A simulator limited to `limit` requests/second (burst 2) and an `auto` client starting at `floor`. */
async function limitedPair(context: TestContext, limit: number, floor: number, memory?: RateMemory) {
  const sim = await startNotionSimulator({ rateLimit: { requestsPerSecond: limit, burst: 2 } });
  const ids = Array.from({ length: 20 }, (_, i) => sim.workspace.addUser({ userName: `rate.${i}@example.com` }).id);
  const client = createScimClient({
    baseUrl: sim.url, token: sim.token, requestsPerSecond: 'auto', maxConcurrency: 2,
    adaptiveRate: { floorRps: floor, ceilingRps: 200, ...(memory ? { memory } : {}) },
    retry: { retries: 8, minDelayMs: 50, maxDelayMs: 200 },
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await client.close();
    await sim.close();
  };
  context.onTestFinished(close);
  return { sim, client, ids, close };
}

/** `count` GETs, 4 asked for at any time (the limiter, not the caller, is the brake). */
async function readMany(client: ScimClient, ids: string[], count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      expect((await client.getUser(ids[i % ids.length]!))?.id).toBe(ids[i % ids.length]);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

const throttledShare = (sim: NotionSimulator) => sim.requests().filter((r) => r.status === 429).length / sim.requests().length;

// Concurrent: each test has its own simulator, and waiting on a limit costs no CPU.
describe.concurrent('the adaptive rate limit against the Notion simulator', () => {
  it.for([
    // Limits low enough that a busy test machine's stalls do not bunch requests past a 2-deep bucket.
    { limit: 12, floor: 5, count: 200 },
    { limit: 25, floor: 10, count: 350 },
  ])('finds a limit of $limit requests/second within the first $count requests, with 429s under 2%', async ({ limit, floor, count }, context) => {
    const { sim, client, ids } = await limitedPair(context, limit, floor);
    await readMany(client, ids, count);
    const learnt = client.rate().learnt!;
    expect(learnt.requestsPerSecond).toBeGreaterThanOrEqual(0.8 * limit);
    expect(learnt.requestsPerSecond).toBeLessThanOrEqual(1.1 * limit);
    expect(learnt.throttledAtRps).not.toBeNull();
    expect(throttledShare(sim)).toBeLessThan(0.02);
  });

  it('starts the next client at the rate the last one learnt: no slow start, no 429 burst', async (context) => {
    let kept: LearntRate | undefined;
    const memory: RateMemory = { load: async () => kept, save: async (learnt) => void (kept = learnt) };
    const first = await limitedPair(context, 20, 8, memory);
    await readMany(first.client, first.ids, 300);
    await first.close();
    expect(kept?.requestsPerSecond).toBeGreaterThanOrEqual(16);

    const second = await limitedPair(context, 20, 1, memory);
    await readMany(second.client, second.ids, 80);
    expect(second.client.rate().requestsPerSecond).toBeGreaterThanOrEqual(16);
    expect(second.sim.requests().filter((r) => r.status === 429).length).toBeLessThanOrEqual(1);
  });
});
