// GET /users/{id}/memberOf: the groups a user is a direct member of, as an on-demand read uses it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant, startGraphSimulator, type GraphSimulator, type SimTenant } from '../../../src/sim/graph/index.js';
import { accessToken, graphGet } from './graph-session.js';

let tenant: SimTenant;
let sim: GraphSimulator;
let token: string;

beforeAll(async () => {
  tenant = generateTenant({ seed: 5, users: 300, groups: 20 });
  sim = await startGraphSimulator({ tenant });
  token = await accessToken(sim);
});
afterAll(() => sim.close());

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
      const items = answer.body.value as Array<Record<string, unknown>>;
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
