// Member batches against the Notion simulator: a refused batch is bisected (one bad id among 50 leaves 49 applied), the
// batch size adapts to the target's limit, a spoiled answer is never success, and a create may carry its members.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createScimClient, type ScimClient, type ScimClientOptions } from '../../../src/scim/index.js';
import { bisectBudget } from '../../../src/scim/member-batches.js';
import { startNotionSimulator, type NotionSimulator, type NotionSimulatorOptions } from '../../../src/sim/notion/index.js';

let sim: NotionSimulator;
const clients: ScimClient[] = [];

beforeAll(async () => {
  sim = await startNotionSimulator();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  sim.setOptions({ maxMembersPerPatch: 100, oversizeMemberPatchStatus: 400, memberRefusalDetail: 'names-ids', membersOnCreate: 'accept', duplicateMemberAdd: 'ignore' });
  sim.clearFaults();
  sim.clearRequests();
});

afterAll(async () => {
  await sim.close();
});

function clientFor(options: Partial<ScimClientOptions> = {}, simulatorOptions: Partial<NotionSimulatorOptions> = {}): ScimClient {
  sim.setOptions(simulatorOptions);
  const client = createScimClient({ baseUrl: sim.url, token: sim.token, requestsPerSecond: 1000, maxConcurrency: 2, retry: { retries: 1, minDelayMs: 5, maxDelayMs: 20 }, ...options });
  clients.push(client);
  return client;
}

let serial = 0;
const members = (count: number): string[] =>
  Array.from({ length: count }, () => sim.workspace.addUser({ userName: `member.${++serial}@example.com`, inWorkspace: true }).id);
/** An account that is not a workspace member: a guest, or a member removed by hand. */
const guest = (): string => sim.workspace.addUser({ userName: `guest.${++serial}@example.com`, inWorkspace: false }).id;
const newGroup = (): string => sim.workspace.addGroup({ displayName: `Group ${++serial}` }).id;
const memberPatches = (): number => sim.requestCounts()['PATCH /Groups/:id'] ?? 0;

describe('a refused member batch', () => {
  it.each(['names-ids', 'generic'] as const)('adds 49 of 50 when one is not a workspace member, and refuses that one alone (detail: %s)', async (detail) => {
    const scim = clientFor({ maxMembersPerPatch: 50 }, { memberRefusalDetail: detail });
    const group = newGroup();
    const ids = members(49);
    const bad = guest();
    ids.splice(17, 0, bad);
    sim.clearRequests();
    const outcome = await scim.addGroupMembers(group, ids);
    expect(sim.workspace.groupMembers(group).sort()).toEqual(ids.filter((id) => id !== bad).sort());
    expect(outcome.done.sort()).toEqual(ids.filter((id) => id !== bad).sort());
    expect(outcome.refused.map((r) => r.userId)).toEqual([bad]);
    expect(outcome.refused[0]?.error).toMatchObject({ kind: 'bad-request', status: 400, refusal: 'not-a-member' });
    expect(outcome.failed).toBeUndefined();
    // The batch, then two requests per level of bisection: ceil(log2 50) = 6 levels.
    expect(memberPatches()).toBe(outcome.requests);
    expect(outcome.requests).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(50)));
  });

  it('refuses each of two bad ids alone and applies the rest, within the bisection budget', async () => {
    const scim = clientFor({ maxMembersPerPatch: 50 });
    const group = newGroup();
    const ids = members(48);
    const bad = [guest(), guest()];
    ids.splice(3, 0, bad[0]!);
    ids.splice(40, 0, bad[1]!);
    sim.clearRequests();
    const outcome = await scim.addGroupMembers(group, ids);
    expect(sim.workspace.groupMembers(group)).toHaveLength(48);
    expect(outcome.refused.map((r) => r.userId).sort()).toEqual([...bad].sort());
    expect(outcome.requests).toBeLessThanOrEqual(bisectBudget(50));
  });

  it('stops bisecting a batch refused whole, and says which members were left unsent', async () => {
    const scim = clientFor({ maxMembersPerPatch: 50 });
    const group = newGroup();
    const ids = Array.from({ length: 50 }, guest);
    sim.clearRequests();
    const outcome = await scim.addGroupMembers(group, ids);
    expect(sim.workspace.groupMembers(group)).toEqual([]);
    expect(outcome.done).toEqual([]);
    expect(outcome.requests).toBe(bisectBudget(50));
    expect(outcome.refused.length + (outcome.failed?.userIds.length ?? 0)).toBe(50);
    expect(outcome.failed?.error.kind).toBe('bad-request');
  });

  it('never takes a spoiled answer to a member PATCH for success', async () => {
    const scim = clientFor({ maxMembersPerPatch: 50 });
    const group = newGroup();
    const ids = members(10);
    sim.injectFault({ kind: 'malformed', status: 200, when: 'after', match: { method: 'PATCH', path: /^\/Groups\// } });
    const outcome = await scim.addGroupMembers(group, ids);
    expect(outcome.done).toEqual([]);
    expect(outcome.failed).toMatchObject({ userIds: ids, error: { kind: 'unexpected-response' } });
  });

  it('removes the members it can and treats an absent one as already removed', async () => {
    const scim = clientFor({ maxMembersPerPatch: 50 });
    const group = newGroup();
    const ids = members(20);
    await scim.addGroupMembers(group, ids.slice(0, 10));
    const outcome = await scim.removeGroupMembers(group, ids);
    expect(sim.workspace.groupMembers(group)).toEqual([]);
    expect(outcome.done.sort()).toEqual([...ids].sort());
  });
});

describe('the member batch size', () => {
  it.each([400, 413] as const)('learns the target limit from %i answers and adds every member', async (status) => {
    const scim = clientFor({ maxMembersPerPatch: 100 }, { maxMembersPerPatch: 30, oversizeMemberPatchStatus: status });
    const group = newGroup();
    const ids = members(300);
    sim.clearRequests();
    const outcome = await scim.addGroupMembers(group, ids);
    expect(sim.workspace.groupMembers(group)).toHaveLength(300);
    expect(outcome.refused).toEqual([]);
    expect(scim.memberBatchSize()).toBeLessThanOrEqual(30);
    expect(scim.memberBatchSize()).toBeGreaterThanOrEqual(25);
    // Fixed batches of 25 would take 12 requests; the search for the limit costs a few refused ones on top.
    expect(outcome.requests).toBeLessThanOrEqual(24);
    // Later changes in the same cycle start from the size learnt: no refusal for size.
    sim.clearRequests();
    const again = await scim.addGroupMembers(newGroup(), ids.slice(0, 60));
    expect(again.requests).toBe(Math.ceil(60 / scim.memberBatchSize()));
  });

  it('keeps the ceiling when the target accepts every batch', async () => {
    const scim = clientFor({ maxMembersPerPatch: 100 });
    const outcome = await scim.addGroupMembers(newGroup(), members(250));
    expect(outcome.requests).toBe(3);
    expect(scim.memberBatchSize()).toBe(100);
  });

  it('does not shrink the batch size for a bad id', async () => {
    const scim = clientFor({ maxMembersPerPatch: 50 });
    await scim.addGroupMembers(newGroup(), [...members(30), guest(), ...members(19)]);
    expect(scim.memberBatchSize()).toBe(50);
  });
});

describe('members on create', () => {
  it('creates a group with its members in one POST', async () => {
    const scim = clientFor();
    const ids = members(5);
    sim.clearRequests();
    const { group, members: applied } = await scim.createGroupWithMembers({ displayName: `Created ${++serial}` }, ids);
    expect(sim.requestCounts()).toEqual({ 'POST /Groups': 1 });
    expect(sim.workspace.groupMembers(group.id).sort()).toEqual([...ids].sort());
    expect(applied.sort()).toEqual([...ids].sort());
  });

  it('creates the group without members when the target refuses them, and stops sending them after a second refusal', async () => {
    const scim = clientFor({}, { membersOnCreate: 'refuse' });
    const first = await scim.createGroupWithMembers({ displayName: `Refused ${++serial}` }, members(3));
    expect(first.members).toEqual([]);
    expect(sim.workspace.groupMembers(first.group.id)).toEqual([]);
    expect(scim.sendsMembersOnCreate()).toBe(true);
    await scim.createGroupWithMembers({ displayName: `Refused ${++serial}` }, members(3));
    expect(scim.sendsMembersOnCreate()).toBe(false);
  });

  it('applies no member a target ignored on create, and stops sending them', async () => {
    const scim = clientFor({}, { membersOnCreate: 'ignore' });
    const { group, members: applied } = await scim.createGroupWithMembers({ displayName: `Ignored ${++serial}` }, members(3));
    expect(applied).toEqual([]);
    expect(sim.workspace.groupMembers(group.id)).toEqual([]);
    expect(scim.sendsMembersOnCreate()).toBe(false);
  });

  it('sends no members when the setting is off', async () => {
    const scim = clientFor({ membersOnCreate: false });
    const ids = members(2);
    sim.clearRequests();
    const { members: applied } = await scim.createGroupWithMembers({ displayName: `Off ${++serial}` }, ids);
    expect(applied).toEqual([]);
    expect(JSON.stringify(sim.requests()[0]?.body)).not.toContain('members');
  });
});
