// The member batch size kept between cycles in the store, per target, over real HTTP against the Notion simulator: a
// cycle (one SCIM client's life) that learnt the target's limit leaves the next one nothing to refuse, whatever the
// rate setting; a refusal is forgotten after a day; a stored value out of range is ignored, never a crash.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createScimClient, type MemberBatchMemory, type ScimClient } from '../../../src/scim/index.js';
import { learntMemberBatchOf, readLearntMemberBatch, readLearntRateLimit, saveLearntMemberBatch, saveLearntRateLimit } from '../../../src/store/index.js';
import { startNotionSimulator, type NotionSimulator } from '../../../src/sim/notion/index.js';
import { openTestStore, type TestStore } from '../../helpers/store.js';

const hour = 60 * 60 * 1000;
let sim: NotionSimulator;
let store: TestStore;

beforeAll(async () => {
  sim = await startNotionSimulator();
});

beforeEach(async () => {
  store = await openTestStore();
  // The target takes at most 50 members per PATCH and says so with 413; the configured ceiling is 100.
  sim.setOptions({ maxMembersPerPatch: 50, oversizeMemberPatchStatus: 413 });
  sim.clearRequests();
});

afterEach(async () => {
  await store.close();
  sim.setOptions({ maxMembersPerPatch: 100, oversizeMemberPatchStatus: 400 });
});

afterAll(async () => {
  await sim.close();
});

const memoryOf = (target = 'workspace'): MemberBatchMemory => learntMemberBatchOf(store.store.db, target);

/** One cycle's SCIM client: a known rate (not `auto`), the default ceiling of 100, the store's memory. */
async function inOneCycle<T>(work: (scim: ScimClient) => Promise<T>, memory: MemberBatchMemory | undefined = memoryOf()): Promise<T> {
  const scim = createScimClient({ baseUrl: sim.url, token: sim.token, requestsPerSecond: 1000, maxConcurrency: 2, maxMembersPerPatch: 100, ...(memory ? { memberBatchMemory: memory } : {}) });
  try {
    return await work(scim);
  } finally {
    await scim.close();
  }
}

let serial = 0;
const members = (count: number): string[] =>
  Array.from({ length: count }, () => sim.workspace.addUser({ userName: `kept.${++serial}@example.com`, inWorkspace: true }).id);
const newGroup = (): string => sim.workspace.addGroup({ displayName: `Kept ${++serial}` }).id;
const memberPatches = () => sim.requests().filter((r) => r.method === 'PATCH' && r.path.startsWith('/Groups/'));
const refusedForSize = () => memberPatches().filter((r) => r.status === 413).length;
/** How many members each member PATCH carried (the values of its operations). */
const sizesSent = () =>
  memberPatches().map((r) => {
    const operations = (r.body as { Operations: Array<{ value: unknown[] }> }).Operations;
    return operations.reduce((sum, operation) => sum + operation.value.length, 0);
  });

describe('the member batch size across cycles', () => {
  it('is learnt in one cycle with one refused request, and the next cycle sends none and the same members', async () => {
    const ids = members(100);
    const first = newGroup();
    await inOneCycle((scim) => scim.addGroupMembers(first, ids));
    expect(refusedForSize()).toBe(1);
    expect(sim.workspace.groupMembers(first).sort()).toEqual([...ids].sort());
    const kept = await readLearntMemberBatch(store.store.db, 'workspace');
    expect(kept).toMatchObject({ refusedSize: 100, acceptedSize: 50 });
    // Kept with a known rate: the rate columns stay empty, the batch size is there.
    expect(await readLearntRateLimit(store.store.db, 'workspace')).toBeUndefined();

    sim.clearRequests();
    const second = newGroup();
    const outcome = await inOneCycle((scim) => scim.addGroupMembers(second, ids));
    expect(refusedForSize()).toBe(0);
    expect(sizesSent()).toEqual([50, 50]);
    expect(outcome.done.sort()).toEqual([...ids].sort());
    expect(sim.workspace.groupMembers(second).sort()).toEqual(sim.workspace.groupMembers(first).sort());
    // The refusal keeps the date it was seen: carried over, it is not made younger.
    expect(await readLearntMemberBatch(store.store.db, 'workspace')).toEqual(kept);
  });

  it('keeps one target apart from another in the same store', async () => {
    await inOneCycle((scim) => scim.addGroupMembers(newGroup(), members(100)), memoryOf('other'));
    sim.clearRequests();
    await inOneCycle((scim) => scim.addGroupMembers(newGroup(), members(100)));
    expect(refusedForSize()).toBe(1);
    sim.clearRequests();
    await inOneCycle((scim) => scim.addGroupMembers(newGroup(), members(100)), memoryOf('other'));
    expect(refusedForSize()).toBe(0);
  });

  it('shares the row with the learnt rate, each save leaving the other as it was', async () => {
    await saveLearntRateLimit(store.store.db, 'workspace', { requestsPerSecond: 12, throttledAtRps: 14 });
    await inOneCycle((scim) => scim.addGroupMembers(newGroup(), members(100)));
    expect(await readLearntRateLimit(store.store.db, 'workspace')).toEqual({ requestsPerSecond: 12, throttledAtRps: 14 });
    const kept = await readLearntMemberBatch(store.store.db, 'workspace');
    expect(kept).toMatchObject({ refusedSize: 100, acceptedSize: 50 });
    await saveLearntRateLimit(store.store.db, 'workspace', { requestsPerSecond: 20, throttledAtRps: null });
    expect(await readLearntMemberBatch(store.store.db, 'workspace')).toEqual(kept);
  });

  it('forgets a refusal older than a day: the cycle starts at the ceiling again and uses a raised limit', async () => {
    await saveLearntMemberBatch(store.store.db, 'workspace', { refusedSize: 100, refusedAt: new Date(Date.now() - 25 * hour), acceptedSize: 50 });
    sim.setOptions({ maxMembersPerPatch: 100 });
    const group = newGroup();
    const ids = members(100);
    await inOneCycle((scim) => scim.addGroupMembers(group, ids));
    expect(sizesSent()).toEqual([100]);
    expect(sim.workspace.groupMembers(group)).toHaveLength(100);
    expect(await readLearntMemberBatch(store.store.db, 'workspace')).toEqual({ refusedSize: null, refusedAt: null, acceptedSize: null });
  });

  it('is not written by a client that sent no member change, which cannot undo what another learnt meanwhile', async () => {
    await saveLearntMemberBatch(store.store.db, 'workspace', { refusedSize: 100, refusedAt: new Date(Date.now() - 25 * hour), acceptedSize: 50 });
    // A dry run reads the expired refusal, then a cycle learns a fresh one before the dry run ends.
    const kept = await inOneCycle(async () => {
      await inOneCycle((scim) => scim.addGroupMembers(newGroup(), members(100)));
      return readLearntMemberBatch(store.store.db, 'workspace');
    });
    expect(kept).toMatchObject({ refusedSize: 100, acceptedSize: 50 });
    expect(kept?.refusedAt?.getTime()).toBeGreaterThan(Date.now() - hour);
    expect(await readLearntMemberBatch(store.store.db, 'workspace')).toEqual(kept);
  });

  it('still holds a refusal younger than a day', async () => {
    await saveLearntMemberBatch(store.store.db, 'workspace', { refusedSize: 100, refusedAt: new Date(Date.now() - 23 * hour), acceptedSize: 50 });
    await inOneCycle((scim) => scim.addGroupMembers(newGroup(), members(100)));
    expect(sizesSent()).toEqual([50, 50]);
  });

  it('ignores a stored size out of range and starts at the ceiling', async () => {
    await saveLearntMemberBatch(store.store.db, 'workspace', { refusedSize: -7, refusedAt: new Date(), acceptedSize: 500 });
    const group = newGroup();
    await inOneCycle((scim) => scim.addGroupMembers(group, members(100)));
    expect(sizesSent()).toEqual([100, 50, 50]);
    expect(sim.workspace.groupMembers(group)).toHaveLength(100);
    expect(await readLearntMemberBatch(store.store.db, 'workspace')).toMatchObject({ refusedSize: 100, acceptedSize: 50 });
  });

  it('starts at the ceiling when the store cannot be read, and the cycle goes on', async () => {
    const unreadable: MemberBatchMemory = { load: () => Promise.reject(new Error('store down')), save: () => Promise.reject(new Error('store down')) };
    const group = newGroup();
    const outcome = await inOneCycle((scim) => scim.addGroupMembers(group, members(100)), unreadable);
    expect(sizesSent()).toEqual([100, 50, 50]);
    expect(outcome.failed).toBeUndefined();
    expect(sim.workspace.groupMembers(group)).toHaveLength(100);
  });
});
