import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createScimClient, notionUserExtensionUrn, type ScimClient, type ScimClientOptions } from '../../../src/scim/index.js';
import { startNotionSimulator, type NotionSimulator, type NotionSimulatorOptions } from '../../../src/sim/notion/index.js';
import { listAll } from '../../helpers/listing.js';

let sim: NotionSimulator;
const clients: ScimClient[] = [];

beforeAll(async () => {
  sim = await startNotionSimulator();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  sim.setOptions({ userNameFilter: 'supported', duplicateMemberAdd: 'ignore', unstableOrder: false });
  sim.clearRequests();
});

afterAll(async () => {
  await sim.close();
});

function clientFor(options: Partial<ScimClientOptions> = {}, simulatorOptions: Partial<NotionSimulatorOptions> = {}): ScimClient {
  sim.setOptions(simulatorOptions);
  const client = createScimClient({ baseUrl: sim.url, token: sim.token, requestsPerSecond: 500, maxConcurrency: 2, retry: { minDelayMs: 5, maxDelayMs: 20 }, ...options });
  clients.push(client);
  return client;
}

let serial = 0;
const uniqueUserName = (prefix = 'user'): string => `${prefix}.${++serial}.${Date.now()}@example.com`;

describe('users', () => {
  it('creates a user whom the workspace then holds with name, email and active', async () => {
    const scim = clientFor();
    const userName = uniqueUserName();
    const created = await scim.createUser({ userName, 'name.formatted': 'Ann Lee', 'name.givenName': 'Ann', 'emails[type eq "work"].value': userName, active: true, title: null });
    const held = sim.workspace.account(created.id);
    expect(held).toMatchObject({ userName, inWorkspace: true, name: { formatted: 'Ann Lee', givenName: 'Ann' } });
    expect(held?.emails.map((e) => e.value)).toEqual([userName]);
    expect(held?.title).toBeUndefined();
  });

  it('sends no role unless the mapping maps it, and sets it when it does', async () => {
    const scim = clientFor();
    await scim.createUser({ userName: uniqueUserName() });
    const withRole = await scim.createUser({ userName: uniqueUserName(), [`${notionUserExtensionUrn}:role`]: 'restricted_member' });
    const posts = sim.requests().filter((r) => r.method === 'POST');
    expect(JSON.stringify(posts[0]!.body)).not.toContain(notionUserExtensionUrn);
    expect(sim.workspace.account(withRole.id)?.role).toBe('restricted_member');
  });

  it('reads a user by id, and null for an id Notion does not know', async () => {
    const scim = clientFor();
    const created = await scim.createUser({ userName: uniqueUserName() });
    expect(await scim.getUser(created.id)).toMatchObject({ id: created.id, userName: created.userName });
    expect(await scim.getUser('00000000-0000-0000-0000-000000000000')).toBeNull();
  });

  it('finds a user whose userName holds quotes and backslashes, and only that user', async () => {
    const scim = clientFor();
    const hostile = `o"brien\\x${++serial}@example.com`;
    await scim.createUser({ userName: `o${serial}@example.com` });
    const created = await scim.createUser({ userName: hostile });
    expect((await scim.findUsersByUserName(hostile)).map((u) => u.id)).toEqual([created.id]);
  });

  it('falls back to an email filter when Notion refuses the userName filter', async () => {
    const scim = clientFor({}, { userNameFilter: 'bad-request' });
    const userName = uniqueUserName('Mixed.Case');
    const created = await scim.createUser({ userName });
    expect((await scim.findUsersByUserName(userName)).map((u) => u.id)).toEqual([created.id]);
    expect(sim.requests().filter((r) => r.method === 'GET').map((r) => decodeURIComponent(r.query))).toEqual([
      `filter=userName eq "${userName}"&count=100`,
      `filter=email eq "${userName.toLowerCase()}"&count=100`,
    ]);
  });

  it('finds nobody for a userName Notion does not hold', async () => {
    expect(await clientFor().findUsersByUserName(uniqueUserName('nobody'))).toEqual([]);
  });

  it('changes attributes with a PATCH, the role as a value object, and never sends photos after create', async () => {
    const scim = clientFor();
    const created = await scim.createUser({ userName: uniqueUserName(), 'name.givenName': 'Ann', title: 'Engineer' });
    await scim.patchUser(created.id, [
      { op: 'replace', path: 'name.givenName', value: 'Anna' },
      { op: 'remove', path: 'title' },
      { op: 'replace', path: `${notionUserExtensionUrn}:role`, value: 'membership_admin' },
      { op: 'replace', path: 'photos', value: [{ value: 'https://example.com/a.png' }] },
    ]);
    expect(sim.workspace.account(created.id)).toMatchObject({ name: { givenName: 'Anna' }, role: 'membership_admin' });
    expect(sim.workspace.account(created.id)?.title).toBeUndefined();
    const patch = sim.requests().find((r) => r.method === 'PATCH');
    expect(JSON.stringify(patch?.body)).not.toContain('photos');
  });

  it.each(['rfc', 'entra'] as const)('removes a user from the workspace with active=false in the %s dialect', async (patchDialect) => {
    const scim = clientFor({ patchDialect });
    const created = await scim.createUser({ userName: uniqueUserName(), active: true });
    await scim.patchUser(created.id, [{ op: 'replace', path: 'active', value: false }]);
    expect(sim.workspace.account(created.id)?.inWorkspace).toBe(false);
  });

  it('deletes a user, and calls a second delete already absent', async () => {
    const scim = clientFor();
    const created = await scim.createUser({ userName: uniqueUserName() });
    expect(await scim.deleteUser(created.id)).toBe('deleted');
    expect(sim.workspace.account(created.id)?.inWorkspace ?? false).toBe(false);
    expect(await scim.deleteUser(created.id)).toBe('already-absent');
  });

  it('reports a create of someone already in the workspace as a conflict', async () => {
    const scim = clientFor();
    const userName = uniqueUserName();
    await scim.createUser({ userName });
    await expect(scim.createUser({ userName })).rejects.toMatchObject({ kind: 'conflict', status: 409 });
  });

  it('lists every user once, and calls a walk over an unstable order incomplete', async () => {
    const scim = clientFor();
    for (let i = 0; i < 230 - sim.workspace.userCount(); i += 1) sim.workspace.addUser({ userName: uniqueUserName('bulk'), inWorkspace: true });
    const stable = await listAll(scim.walkUsers);
    expect(stable.complete).toBe(true);
    expect(stable.resources.map((u) => u.id).sort()).toEqual(sim.workspace.users().map((u) => u.id).sort());
    sim.setOptions({ unstableOrder: true });
    const unstable = await listAll(scim.walkUsers);
    expect(unstable.complete).toBe(false);
    expect(new Set(unstable.resources.map((u) => u.id)).size).toBe(unstable.resources.length);
  });
});

describe('groups', () => {
  it('creates a group, finds it by displayName and deletes it', async () => {
    const scim = clientFor();
    const displayName = `Designers "${++serial}" \\ R&D`;
    const group = await scim.createGroup({ displayName });
    expect((await scim.findGroupsByDisplayName(displayName)).map((g) => g.id)).toEqual([group.id]);
    expect(await scim.getGroup(group.id)).toMatchObject({ id: group.id, displayName });
    expect(await scim.deleteGroup(group.id)).toBe('deleted');
    expect(await scim.getGroup(group.id)).toBeNull();
  });

  it('renames a group with a PATCH', async () => {
    const scim = clientFor();
    const group = await scim.createGroup({ displayName: `Old ${++serial}` });
    await scim.patchGroup(group.id, [{ op: 'replace', path: 'displayName', value: `New ${serial}` }]);
    expect(sim.workspace.group(group.id)?.displayName).toBe(`New ${serial}`);
  });

  it('adds 120 members in PATCHes of at most 50, and removes some of them', async () => {
    const scim = clientFor({ maxMembersPerPatch: 50 });
    const group = await scim.createGroup({ displayName: `Big ${++serial}` });
    const ids = Array.from({ length: 120 }, () => sim.workspace.addUser({ userName: uniqueUserName('member'), inWorkspace: true }).id);
    sim.clearRequests();
    await scim.addGroupMembers(group.id, ids);
    expect(sim.workspace.groupMembers(group.id).sort()).toEqual([...ids].sort());
    expect(sim.requestCounts()).toEqual({ 'PATCH /Groups/:id': 3 });
    await scim.removeGroupMembers(group.id, ids.slice(0, 70));
    expect(sim.workspace.groupMembers(group.id).sort()).toEqual(ids.slice(70).sort());
  });

  it('treats a 409 for a member already in the group as done, and still adds the others', async () => {
    const scim = clientFor({ maxMembersPerPatch: 10 }, { duplicateMemberAdd: 'conflict' });
    const group = await scim.createGroup({ displayName: `Dup ${++serial}` });
    const ids = Array.from({ length: 4 }, () => sim.workspace.addUser({ userName: uniqueUserName('dup'), inWorkspace: true }).id);
    await scim.addGroupMembers(group.id, [ids[0]!]);
    await scim.addGroupMembers(group.id, ids);
    expect(sim.workspace.groupMembers(group.id).sort()).toEqual([...ids].sort());
  });

  it('lists every group', async () => {
    const scim = clientFor();
    const listing = await listAll(scim.walkGroups);
    expect(listing.complete).toBe(true);
    expect(listing.resources.map((g) => g.id).sort()).toEqual(sim.workspace.groups().map((g) => g.id).sort());
  });
});

describe('the connection check', () => {
  it('proves a good token with a query that finds nobody', async () => {
    expect(await clientFor().checkConnection()).toEqual({ ok: true });
  });

  it('reports a wrong token as an auth failure', async () => {
    const check = await clientFor({ token: 'revoked-token' }).checkConnection();
    expect(check).toMatchObject({ ok: false, kind: 'auth' });
  });
});
