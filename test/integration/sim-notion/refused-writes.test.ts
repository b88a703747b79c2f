// The simulator's switches for writes Notion may refuse: oversize member PATCHes (400 or 413), refused members named
// or not, members on create (accepted, refused, ignored), owners that cannot be removed, unverified email domains.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openScimSession, type ScimSession } from './scim-session.js';

let session: ScimSession;
beforeAll(async () => {
  session = await openScimSession();
});
afterEach(() => {
  session.simulator.setOptions({ maxMembersPerPatch: 100, oversizeMemberPatchStatus: 400, memberRefusalDetail: 'names-ids', membersOnCreate: 'accept', refuseOwnerRemoval: false, verifiedDomains: undefined });
});
afterAll(() => session.simulator.close());

let serial = 0;
const member = () => session.simulator.workspace.addUser({ userName: `m.${++serial}@example.com` }).id;
const addMembers = (groupId: string, ids: string[]) => session.patch(`/Groups/${groupId}`, [{ op: 'Add', path: 'members', value: ids.map((value) => ({ value })) }]);
const group = () => session.simulator.workspace.addGroup({ displayName: `G ${++serial}` }).id;

describe('member PATCH refusals', () => {
  it('answers 413 tooMany over the maximum when told to, and changes nothing', async () => {
    session.simulator.setOptions({ maxMembersPerPatch: 2, oversizeMemberPatchStatus: 413 });
    const id = group();
    const reply = await addMembers(id, [member(), member(), member()]);
    expect(reply.status).toBe(413);
    expect(reply.body).toMatchObject({ status: '413', scimType: 'tooMany' });
    expect(session.simulator.workspace.groupMembers(id)).toEqual([]);
  });

  it('names the refused ids, or not, as told', async () => {
    const guest = session.simulator.workspace.addUser({ userName: `guest.${++serial}@example.com`, inWorkspace: false }).id;
    const named = await addMembers(group(), [member(), guest]);
    expect(named).toMatchObject({ status: 400, body: { detail: `Not workspace members: ${guest}` } });
    session.simulator.setOptions({ memberRefusalDetail: 'generic' });
    const generic = await addMembers(group(), [member(), guest]);
    expect(generic.status).toBe(400);
    expect(String(generic.body.detail)).not.toContain(guest);
  });
});

describe('members on create', () => {
  it.each([
    ['accept', 201, 1],
    ['ignore', 201, 0],
    ['refuse', 400, undefined],
  ] as const)('%s: answers %i', async (mode, status, held) => {
    session.simulator.setOptions({ membersOnCreate: mode });
    const reply = await session.post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `Create ${++serial}`, members: [{ value: member() }] });
    expect(reply.status).toBe(status);
    if (held !== undefined) expect(session.simulator.workspace.groupMembers(String(reply.body.id))).toHaveLength(held);
  });
});

describe('user refusals', () => {
  it('refuses to remove an owner when told to', async () => {
    session.simulator.setOptions({ refuseOwnerRemoval: true });
    const owner = session.simulator.workspace.addUser({ userName: `owner.${++serial}@example.com`, role: 'owner' });
    expect((await session.delete(`/Users/${owner.id}`)).status).toBe(400);
    expect((await session.patch(`/Users/${owner.id}`, [{ op: 'replace', path: 'active', value: false }])).status).toBe(400);
    expect(session.simulator.workspace.account(owner.id)?.inWorkspace).toBe(true);
    const plain = session.simulator.workspace.addUser({ userName: `plain.${++serial}@example.com` });
    expect((await session.delete(`/Users/${plain.id}`)).status).toBe(204);
  });

  it('refuses a name or email change outside the verified domains, and takes other changes', async () => {
    session.simulator.setOptions({ verifiedDomains: ['good.example'] });
    const outside = session.simulator.workspace.addUser({ userName: `x.${++serial}@other.example` });
    const refused = await session.patch(`/Users/${outside.id}`, [{ op: 'replace', path: 'name.formatted', value: 'New Name' }]);
    expect(refused.status).toBe(400);
    expect(String(refused.body.detail)).toContain('other.example');
    expect((await session.patch(`/Users/${outside.id}`, [{ op: 'replace', path: 'title', value: 'Engineer' }])).status).toBe(200);
    const inside = session.simulator.workspace.addUser({ userName: `y.${++serial}@good.example` });
    expect((await session.patch(`/Users/${inside.id}`, [{ op: 'replace', path: 'name.formatted', value: 'Fine' }])).status).toBe(200);
  });
});
