// Groups in the Notion simulator: create, find, member Add/Remove batches in Notion's and Entra's shapes, rename, delete.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { notionSimulatorDefaults } from '../../../src/sim/notion/index.js';
import { openScimSession, type ScimSession } from './scim-session.js';

let session: ScimSession;
let members: string[];

beforeAll(async () => {
  session = await openScimSession();
});
beforeEach(() => {
  const { workspace } = session.simulator;
  members = Array.from({ length: 5 }, (_, n) => workspace.addUser({ userName: `member${n}@example.com`, name: { formatted: `Member ${n}` } }).id);
});
afterEach(() => {
  session.simulator.workspace.clear();
  session.simulator.setOptions(notionSimulatorDefaults);
});
afterAll(() => session.simulator.close());

async function createGroup(displayName: string): Promise<string> {
  const reply = await session.post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName });
  expect(reply.status).toBe(201);
  return String(reply.body.id);
}

const memberIdsOf = (groupId: string) => session.simulator.workspace.groupMembers(groupId).sort();

describe('creating and finding groups', () => {
  it('creates a group from a displayName and finds it by filter, quoted or bare', async () => {
    const id = await createGroup('Designers');
    expect((await session.filter('Groups', 'displayName eq "Designers"')).body.Resources?.[0]?.id).toBe(id);
    expect((await session.filter('Groups', 'displayName eq Designers')).body.Resources?.[0]?.id).toBe(id);
    expect((await session.filter('Groups', 'displayName eq "Nobody"')).body.totalResults).toBe(0);
  });

  it('answers 409 to a second group with the same displayName', async () => {
    await createGroup('Finance');
    expect((await session.post('/Groups', { displayName: 'Finance' })).status).toBe(409);
  });

  it('pages groups with totalResults', async () => {
    for (const name of ['A', 'B', 'C']) await createGroup(name);
    const reply = await session.get('/Groups?startIndex=3&count=2');
    expect(reply.body).toMatchObject({ totalResults: 3, startIndex: 3, itemsPerPage: 1 });
  });

  it('lists members with their display names', async () => {
    const id = await createGroup('Listed');
    await session.patch(`/Groups/${id}`, [{ op: 'Add', path: 'members', value: [{ value: members[0] }] }]);
    expect((await session.get(`/Groups/${id}`)).body.members).toEqual([
      { value: members[0], $ref: `https://app.notion.com/scim/v2/Users/${members[0]}`, display: 'Member 0' },
    ]);
  });
});

describe('PATCH members', () => {
  it('adds and removes members with value arrays, answering 204', async () => {
    const id = await createGroup('Team');
    const added = await session.patch(`/Groups/${id}`, [{ op: 'Add', path: 'members', value: members.slice(0, 3).map((value) => ({ value })) }]);
    expect(added.status).toBe(204);
    const removed = await session.patch(`/Groups/${id}`, [{ op: 'Remove', path: 'members', value: [{ value: members[1] }] }]);
    expect(removed.status).toBe(204);
    expect(memberIdsOf(id)).toEqual([members[0], members[2]].sort());
  });

  it("accepts Entra's shape with $ref: null and lower-case ops", async () => {
    const id = await createGroup('Entra');
    await session.patch(`/Groups/${id}`, [{ op: 'add', path: 'members', value: [{ value: members[0], $ref: null }, { value: members[1], $ref: null }] }]);
    await session.patch(`/Groups/${id}`, [{ op: 'remove', path: 'members', value: [{ value: members[0], $ref: null }] }]);
    expect(memberIdsOf(id)).toEqual([members[1]]);
  });

  it('removes one member by the members[value eq "…"] path', async () => {
    const id = await createGroup('Okta');
    await session.patch(`/Groups/${id}`, [{ op: 'Add', path: 'members', value: [{ value: members[0] }, { value: members[1] }] }]);
    await session.patch(`/Groups/${id}`, [{ op: 'Remove', path: `members[value eq "${members[0]}"]` }]);
    expect(memberIdsOf(id)).toEqual([members[1]]);
  });

  it('renames a group by path and without path', async () => {
    const id = await createGroup('Old');
    await session.patch(`/Groups/${id}`, [{ op: 'Replace', path: 'displayName', value: 'Middle' }]);
    expect((await session.get(`/Groups/${id}`)).body.displayName).toBe('Middle');
    await session.patch(`/Groups/${id}`, [{ op: 'replace', value: { id, displayName: 'New' } }]);
    expect((await session.filter('Groups', 'displayName eq "New"')).body.totalResults).toBe(1);
  });

  it('answers 400 above the maximum members per PATCH and changes nothing', async () => {
    session.simulator.setOptions({ maxMembersPerPatch: 4 });
    const id = await createGroup('Big');
    const reply = await session.patch(`/Groups/${id}`, [{ op: 'Add', path: 'members', value: members.map((value) => ({ value })) }]);
    expect(reply.status).toBe(400);
    expect(memberIdsOf(id)).toEqual([]);
  });

  it('answers 400 to a member who is not in the workspace, and changes nothing', async () => {
    const id = await createGroup('Strict');
    const removed = session.simulator.workspace.addUser({ userName: 'left@example.com', inWorkspace: false }).id;
    for (const stranger of [removed, '00000000-0000-0000-0000-000000000000']) {
      const reply = await session.patch(`/Groups/${id}`, [{ op: 'Add', path: 'members', value: [{ value: members[0] }, { value: stranger }] }]);
      expect(reply.status).toBe(400);
    }
    expect(memberIdsOf(id)).toEqual([]);
  });

  it('treats adding an existing member as a no-op by default', async () => {
    const id = await createGroup('Twice');
    await session.patch(`/Groups/${id}`, [{ op: 'Add', path: 'members', value: [{ value: members[0] }] }]);
    expect((await session.patch(`/Groups/${id}`, [{ op: 'Add', path: 'members', value: [{ value: members[0] }] }])).status).toBe(204);
    expect(memberIdsOf(id)).toEqual([members[0]]);
  });

  it('answers 409 to adding an existing member when duplicateMemberAdd is conflict', async () => {
    session.simulator.setOptions({ duplicateMemberAdd: 'conflict' });
    const id = await createGroup('Strict twice');
    await session.patch(`/Groups/${id}`, [{ op: 'Add', path: 'members', value: [{ value: members[0] }] }]);
    const reply = await session.patch(`/Groups/${id}`, [{ op: 'Add', path: 'members', value: [{ value: members[0] }, { value: members[1] }] }]);
    expect(reply.status).toBe(409);
    expect(memberIdsOf(id)).toEqual([members[0]]);
  });

  it('treats removing an absent member as a no-op', async () => {
    const id = await createGroup('Absent');
    expect((await session.patch(`/Groups/${id}`, [{ op: 'Remove', path: 'members', value: [{ value: members[3] }] }])).status).toBe(204);
  });
});

describe('DELETE /Groups', () => {
  it('deletes a group', async () => {
    const id = await createGroup('Doomed');
    expect((await session.delete(`/Groups/${id}`)).status).toBe(204);
    expect((await session.get(`/Groups/${id}`)).status).toBe(404);
  });

  it('refuses the delete when the switch plays a group that holds the last full access to a page', async () => {
    session.simulator.setOptions({ refuseGroupDelete: true });
    const id = await createGroup('Keeper');
    expect((await session.delete(`/Groups/${id}`)).status).toBe(400);
    expect((await session.get(`/Groups/${id}`)).status).toBe(200);
  });
});
