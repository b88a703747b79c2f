// Directory reads: users, groups, (transitive) members, memberOf, the service principal and appRoleAssignedTo.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant, startGraphSimulator, type GraphSimulator, type SimTenant } from '../../../src/sim/graph/index.js';
import { accessToken, graphGet } from './graph-session.js';

type Item = Record<string, unknown>;
let tenant: SimTenant;
let sim: GraphSimulator;
let token: string;

beforeAll(async () => {
  tenant = generateTenant({ seed: 5, users: 300, groups: 20 });
  sim = await startGraphSimulator({ tenant });
  token = await accessToken(sim);
});
afterAll(() => sim.close());

/** Follows @odata.nextLink and collects every item. */
async function readAll(path: string): Promise<{ items: Item[]; pages: number }> {
  const items: Item[] = [];
  let url: string | undefined = path;
  let pages = 0;
  while (url) {
    const answer = await graphGet(sim, url, token);
    expect(answer.status).toBe(200);
    items.push(...(answer.body.value as Item[]));
    pages += 1;
    url = answer.body['@odata.nextLink'] as string | undefined;
    if (url) expect(url.startsWith(sim.graphBaseUrl)).toBe(true);
  }
  return { items, pages };
}

describe('users', () => {
  it('gets a user by id or userPrincipalName with the selected properties', async () => {
    const user = tenant.users().find((candidate) => candidate.userType === 'Member')!;
    const byId = await graphGet(sim, `/v1.0/users/${user.id}?$select=userPrincipalName,accountEnabled,employeeId`, token);
    expect(byId.body).toEqual({ id: user.id, userPrincipalName: user.userPrincipalName, accountEnabled: user.accountEnabled, employeeId: user.employeeId });
    const byUpn = await graphGet(sim, `/v1.0/users/${encodeURIComponent(user.userPrincipalName)}`, token);
    expect(byUpn.body).toMatchObject({ id: user.id, displayName: user.displayName, businessPhones: [] });
  });

  it('answers 404 Request_ResourceNotFound for an unknown or soft-deleted user', async () => {
    const missing = await graphGet(sim, '/v1.0/users/00000000-0000-0000-0000-00000000dead', token);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'Request_ResourceNotFound' } });
    const victim = tenant.hireUser();
    tenant.softDeleteUser(victim.id);
    expect((await graphGet(sim, `/v1.0/users/${victim.id}`, token)).status).toBe(404);
  });

  it('answers 400 for a property Graph does not know in $select', async () => {
    const answer = await graphGet(sim, '/v1.0/users?$select=displayName,shoeSize', token);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 'Request_BadRequest' } });
  });

  it('lists users in pages of $top and refuses $top over 999', async () => {
    const { items, pages } = await readAll('/v1.0/users?$top=100&$select=id');
    expect(pages).toBe(Math.ceil(items.length / 100));
    expect(items.length).toBe(tenant.users().filter((user) => !user.deletedDateTime).length);
    expect((await graphGet(sim, '/v1.0/users?$top=1000', token)).status).toBe(400);
  });
});

describe('groups and members', () => {
  it('lists a group\'s direct members with their @odata.type, paged by $top', async () => {
    const group = tenant.groups().map((candidate) => ({ candidate, size: tenant.membersOf(candidate.id).length }))
      .sort((a, b) => b.size - a.size)[0]!.candidate;
    const { items, pages } = await readAll(`/v1.0/groups/${group.id}/members?$top=7&$select=id,displayName`);
    expect(pages).toBeGreaterThan(1);
    expect(items.map((item) => item.id).sort()).toEqual(tenant.membersOf(group.id).sort());
    expect(items[0]).toMatchObject({ '@odata.type': expect.stringMatching(/^#microsoft\.graph\.(user|group)$/) });
  });

  it('expands nested groups in transitiveMembers', async () => {
    const parent = tenant.createGroup({ displayName: 'Parent' });
    const child = tenant.createGroup({ displayName: 'Child' });
    const [a, b] = tenant.users().filter((user) => !user.deletedDateTime);
    tenant.addMember(parent.id, a!.id);
    tenant.addMember(parent.id, child.id);
    tenant.addMember(child.id, b!.id);
    tenant.addMember(child.id, a!.id);
    const direct = await readAll(`/v1.0/groups/${parent.id}/members`);
    expect(direct.items.map((item) => item.id).sort()).toEqual([a!.id, child.id].sort());
    const transitive = await readAll(`/v1.0/groups/${parent.id}/transitiveMembers?$select=id`);
    expect(transitive.items).toEqual(expect.arrayContaining([
      { '@odata.type': '#microsoft.graph.user', id: a!.id },
      { '@odata.type': '#microsoft.graph.group', id: child.id },
      { '@odata.type': '#microsoft.graph.user', id: b!.id },
    ]));
    expect(transitive.items).toHaveLength(3);
  });

  it('answers 404 for the members of a group that does not exist', async () => {
    expect((await graphGet(sim, '/v1.0/groups/00000000-0000-0000-0000-00000000beef/members', token)).status).toBe(404);
  });

  it("finds groups by displayName eq (case-insensitive, quotes doubled) and refuses other filters", async () => {
    const group = tenant.createGroup({ displayName: "O'Brien Team" });
    const found = await graphGet(sim, `/v1.0/groups?$filter=${encodeURIComponent("displayName eq 'o''brien team'")}&$select=id,displayName`, token);
    expect(found.body.value).toEqual([{ id: group.id, displayName: "O'Brien Team" }]);
    const none = await graphGet(sim, `/v1.0/groups?$filter=${encodeURIComponent("displayName eq 'nobody'")}`, token);
    expect(none.body.value).toEqual([]);
    expect((await graphGet(sim, `/v1.0/groups?$filter=${encodeURIComponent("startswith(displayName,'O')")}`, token)).status).toBe(400);
  });
});

describe('the service principal', () => {
  it('describes the app by object id and by appId', async () => {
    const byId = await graphGet(sim, `/v1.0/servicePrincipals/${sim.servicePrincipalId}`, token);
    expect(byId.body).toMatchObject({ id: sim.servicePrincipalId, appId: tenant.appId, appRoles: [expect.objectContaining({ displayName: 'User' })] });
    const byAppId = await graphGet(sim, `/v1.0/servicePrincipals(appId='${tenant.appId}')`, token);
    expect(byAppId.body).toMatchObject({ id: sim.servicePrincipalId });
  });

  it('pages appRoleAssignedTo over every assignment and follows assign and unassign', async () => {
    const { items } = await readAll(`/v1.0/servicePrincipals/${sim.servicePrincipalId}/appRoleAssignedTo?$top=50`);
    expect(items.map((item) => item.principalId).sort()).toEqual(tenant.assignments().map((a) => a.principalId).sort());
    expect(items.some((item) => item.principalType === 'Group')).toBe(true);
    expect(items.some((item) => item.principalType === 'User')).toBe(true);
    const newcomer = tenant.hireUser();
    tenant.assign(newcomer.id);
    const leaver = items.find((item) => item.principalType === 'User')!.principalId as string;
    tenant.unassign(leaver);
    const after = (await readAll(`/v1.0/servicePrincipals/${sim.servicePrincipalId}/appRoleAssignedTo`)).items.map((item) => item.principalId);
    expect(after).toContain(newcomer.id);
    expect(after).not.toContain(leaver);
    expect(items[0]).toMatchObject({ resourceId: sim.servicePrincipalId, appRoleId: expect.any(String), id: expect.any(String) });
  });

  it('filters appRoleAssignedTo by principalDisplayName (any case, quotes doubled) and refuses a filter on principalId', async () => {
    const base = `/v1.0/servicePrincipals/${sim.servicePrincipalId}/appRoleAssignedTo`;
    const named = tenant.createGroup({ displayName: "O'Brien & Sons #1" });
    const namesake = tenant.hireUser({ displayName: "o'brien & sons #1" });
    tenant.assign(named.id);
    tenant.assign(namesake.id);
    const filter = (clause: string) => `${base}?$filter=${encodeURIComponent(clause)}`;
    const { items, pages } = await readAll(`${filter("principalDisplayName eq 'O''BRIEN & SONS #1'")}&$top=1`);
    expect(pages).toBe(2);
    expect(items.map((item) => item.principalId).sort()).toEqual([named.id, namesake.id].sort());
    expect((await readAll(filter("principalDisplayName eq 'Nobody At All'"))).items).toEqual([]);
    for (const refused of [`principalId eq ${namesake.id}`, `principalId eq '${namesake.id}'`, "appRoleId eq '00000000-0000-0000-0000-000000000000'"]) {
      const answer = await graphGet(sim, filter(refused), token);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ error: { code: 'Request_UnsupportedQuery' } });
    }
  });

  it('gets one assignment by id, and answers 404 once it is gone', async () => {
    const user = tenant.hireUser();
    tenant.assign(user.id);
    const assignment = tenant.assignments().find((row) => row.principalId === user.id)!;
    const path = `/v1.0/servicePrincipals/${sim.servicePrincipalId}/appRoleAssignedTo/${assignment.id}`;
    sim.clearRequests();
    const found = await graphGet(sim, path, token);
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ id: assignment.id, principalId: user.id, principalType: 'User', appRoleId: assignment.appRoleId, resourceId: sim.servicePrincipalId });
    tenant.unassign(user.id);
    const gone = await graphGet(sim, path, token);
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ error: { code: 'Request_ResourceNotFound' } });
    // Counted by route, whatever the assignment's id.
    expect(sim.requestCounts()).toEqual({ 'GET /v1.0/servicePrincipals/{id}/appRoleAssignedTo/{id}': 2 });
  });

  it('hides the assignment of a soft-deleted user until restore', async () => {
    const user = tenant.hireUser();
    tenant.assign(user.id);
    tenant.softDeleteUser(user.id);
    const during = (await readAll(`/v1.0/servicePrincipals/${sim.servicePrincipalId}/appRoleAssignedTo?$top=999`)).items;
    expect(during.map((item) => item.principalId)).not.toContain(user.id);
    tenant.restoreUser(user.id);
    const after = (await readAll(`/v1.0/servicePrincipals/${sim.servicePrincipalId}/appRoleAssignedTo?$top=999`)).items;
    expect(after.map((item) => item.principalId)).toContain(user.id);
  });
});

// Last in this file: these tests add groups and soft-delete a user.
describe('users/{id}/memberOf', () => {
  it('lists the groups that contain the user directly, by id or userPrincipalName', async () => {
    const user = tenant.users()[3]!;
    const group = tenant.createGroup({ displayName: 'Direct' });
    const parent = tenant.createGroup({ displayName: 'Parent' });
    tenant.addMember(group.id, user.id);
    tenant.addMember(parent.id, group.id);
    const expected = tenant.groups().filter((candidate) => tenant.membersOf(candidate.id).includes(user.id)).map((candidate) => candidate.id).sort();
    for (const key of [user.id, encodeURIComponent(user.userPrincipalName)]) {
      const answer = await graphGet(sim, `/v1.0/users/${key}/memberOf?$select=id&$top=999`, token);
      expect(answer.status).toBe(200);
      const items = answer.body.value as Item[];
      expect(items.map((item) => item.id).sort()).toEqual(expected);
      expect(items.every((item) => item['@odata.type'] === '#microsoft.graph.group')).toBe(true);
    }
    expect(expected).toContain(group.id);
    expect(expected).not.toContain(parent.id);
  });

  it('answers 404 for a user in the recycle bin', async () => {
    const user = tenant.users()[4]!;
    tenant.softDeleteUser(user.id);
    expect((await graphGet(sim, `/v1.0/users/${user.id}/memberOf`, token)).status).toBe(404);
  });
});
