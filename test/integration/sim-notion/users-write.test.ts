// Writing users to the Notion simulator: create and re-add, PATCH forms Notion and Entra send, removal and its switches.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { notionSimulatorDefaults } from '../../../src/sim/notion/index.js';
import { openScimSession, type ScimSession } from './scim-session.js';

const enterprise = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const notion = 'urn:ietf:params:scim:schemas:extension:notion:2.0:User';

let session: ScimSession;
beforeAll(async () => {
  session = await openScimSession();
});
afterEach(() => {
  session.simulator.workspace.clear();
  session.simulator.setOptions(notionSimulatorDefaults);
});
afterAll(() => session.simulator.close());

async function createUser(userName: string, extra: Record<string, unknown> = {}): Promise<string> {
  const reply = await session.post('/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, ...extra });
  expect(reply.status).toBe(201);
  return String(reply.body.id);
}

describe('POST /Users', () => {
  it('creates a member with the attributes Notion stores, and a Location header', async () => {
    const reply = await session.post('/Users', {
      userName: 'alice@example.com',
      externalId: 'entra-object-id',
      name: { formatted: 'Alice Martin', givenName: 'Alice', familyName: 'Martin' },
      emails: [{ value: 'alice@example.com', primary: true, type: 'work' }],
      title: 'Engineer',
      photos: [{ value: 'https://example.com/a.png', type: 'photo' }],
      [enterprise]: { department: 'R&D', manager: { value: 'boss@example.com' } },
      [notion]: { role: 'member' },
    });
    expect(reply.status).toBe(201);
    expect(reply.headers.get('location')).toBe(`https://app.notion.com/scim/v2/Users/${String(reply.body.id)}`);
    expect(reply.body).toMatchObject({ userName: 'alice@example.com', active: true, title: 'Engineer', displayName: 'Alice Martin' });
    expect(reply.body[enterprise]).toEqual({ department: 'R&D', manager: { value: 'boss@example.com' } });
    expect(reply.body[notion]).toEqual({ role: 'member' });
    expect(reply.body.photos).toHaveLength(1);
  });

  it('neither stores nor echoes externalId', async () => {
    const id = await createUser('bob@example.com', { externalId: 'entra-object-id' });
    expect((await session.get(`/Users/${id}`)).body).not.toHaveProperty('externalId');
  });

  it('answers 409 to a userName already in the workspace, whatever its case', async () => {
    await createUser('carol@example.com');
    const reply = await session.post('/Users', { userName: 'CAROL@example.com' });
    expect(reply.status).toBe(409);
    expect(reply.body.scimType).toBe('uniqueness');
  });

  it('re-adds a removed member as the same account', async () => {
    const id = await createUser('dave@example.com');
    expect((await session.delete(`/Users/${id}`)).status).toBe(204);
    const reply = await session.post('/Users', { userName: 'dave@example.com', name: { formatted: 'Dave Again' } });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ id, active: true, displayName: 'Dave Again' });
  });

  it('answers 400 without a userName', async () => {
    expect((await session.post('/Users', { name: { formatted: 'Nobody' } })).status).toBe(400);
  });
});

describe('PATCH /Users', () => {
  it('accepts ops in any case, with and without path', async () => {
    const id = await createUser('erin@example.com');
    const reply = await session.patch(`/Users/${id}`, [
      { op: 'Replace', path: 'name.givenName', value: 'Erin' },
      { op: 'add', path: 'name.familyName', value: 'Stone' },
      { op: 'REPLACE', value: { title: 'Lead', 'name.formatted': 'Erin Stone' } },
    ]);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ name: { givenName: 'Erin', familyName: 'Stone', formatted: 'Erin Stone' }, title: 'Lead' });
  });

  it('changes userName, displayName and the work email by the paths Entra sends', async () => {
    const id = await createUser('frank@example.com', { emails: [{ value: 'frank@example.com', type: 'work', primary: true }] });
    const reply = await session.patch(`/Users/${id}`, [
      { op: 'Replace', path: 'userName', value: 'frank.new@example.com' },
      { op: 'Replace', path: 'displayName', value: 'Frank New' },
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'frank.new@example.com' },
    ]);
    expect(reply.body).toMatchObject({ userName: 'frank.new@example.com', displayName: 'Frank New' });
    expect(reply.body.emails).toEqual([{ value: 'frank.new@example.com', type: 'work', primary: true }]);
    expect((await session.filter('Users', 'userName eq "frank.new@example.com"')).body.totalResults).toBe(1);
    expect((await session.filter('Users', 'userName eq "frank@example.com"')).body.totalResults).toBe(0);
  });

  it('keeps one phone number: the primary one, with its type', async () => {
    const id = await createUser('gina@example.com');
    const reply = await session.patch(`/Users/${id}`, [
      { op: 'replace', path: 'phoneNumbers', value: [{ value: '+1 555 0100', type: 'work' }, { value: '+1 555 0199', type: 'mobile', primary: true }] },
    ]);
    expect(reply.body.phoneNumbers).toEqual([{ value: '+1 555 0199', type: 'mobile', primary: true }]);
  });

  it('writes enterprise attributes by extension path', async () => {
    const id = await createUser('hank@example.com');
    const reply = await session.patch(`/Users/${id}`, [
      { op: 'Add', path: `${enterprise}:department`, value: 'Finance' },
      { op: 'Replace', path: `${enterprise}:manager`, value: 'boss@example.com' },
    ]);
    expect(reply.body[enterprise]).toEqual({ department: 'Finance', manager: { value: 'boss@example.com' } });
  });

  it('sets the Notion role by path and by a path-less extension object', async () => {
    const id = await createUser('ivy@example.com');
    expect((await session.patch(`/Users/${id}`, [{ op: 'replace', path: `${notion}:role`, value: 'membership_admin' }])).body[notion]).toEqual({ role: 'membership_admin' });
    expect((await session.patch(`/Users/${id}`, [{ op: 'replace', value: { [notion]: { role: 'restricted_member' } } }])).body[notion]).toEqual({ role: 'restricted_member' });
    expect((await session.patch(`/Users/${id}`, [{ op: 'replace', path: `${notion}:role`, value: 'emperor' }])).status).toBe(400);
  });

  it('ignores photos after creation, as Notion reads them on create only', async () => {
    const id = await createUser('jack@example.com');
    const reply = await session.patch(`/Users/${id}`, [{ op: 'replace', path: 'photos', value: [{ value: 'https://example.com/j.png' }] }]);
    expect(reply.body.photos).toEqual([]);
  });

  it("answers 500 to a userName that is another member's email, as Notion does", async () => {
    await createUser('kate@example.com');
    const id = await createUser('kim@example.com');
    const reply = await session.patch(`/Users/${id}`, [{ op: 'Replace', path: 'userName', value: 'Kate@example.com' }]);
    expect(reply.status).toBe(500);
    expect((await session.get(`/Users/${id}`)).body.userName).toBe('kim@example.com');
  });

  it('answers 400 to a path Notion does not support, and changes nothing', async () => {
    const id = await createUser('leo@example.com');
    const reply = await session.patch(`/Users/${id}`, [{ op: 'replace', path: 'title', value: 'Boss' }, { op: 'replace', path: 'nickName', value: 'L' }]);
    expect(reply.status).toBe(400);
    expect((await session.get(`/Users/${id}`)).body).not.toHaveProperty('title');
  });
});

describe('removal', () => {
  for (const value of [false, 'False']) {
    it(`removes the member from the workspace and its groups on active=${JSON.stringify(value)}`, async () => {
      const id = await createUser('mia@example.com');
      const group = session.simulator.workspace.addGroup({ displayName: 'Design', members: [id] });
      const reply = await session.patch(`/Users/${id}`, [{ op: 'Replace', path: 'active', value }]);
      expect(reply.status).toBe(200);
      expect(reply.body.active).toBe(false);
      expect((await session.get(`/Users/${id}`)).status).toBe(404);
      expect(session.simulator.workspace.groupMembers(group.id)).toEqual([]);
    });
  }

  it('removes the member on DELETE and answers 404 to a second DELETE', async () => {
    const id = await createUser('ned@example.com');
    const group = session.simulator.workspace.addGroup({ displayName: 'Ops', members: [id] });
    expect((await session.delete(`/Users/${id}`)).status).toBe(204);
    expect((await session.delete(`/Users/${id}`)).status).toBe(404);
    expect(session.simulator.workspace.groupMembers(group.id)).toEqual([]);
    expect(session.simulator.workspace.account(id)?.inWorkspace).toBe(false);
  });

  it('shows a removed member as inactive when the switch says so', async () => {
    session.simulator.setOptions({ removedUserLookup: 'inactive' });
    const id = await createUser('olga@example.com');
    await session.delete(`/Users/${id}`);
    const reply = await session.get(`/Users/${id}`);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ id, active: false });
  });

  it('ignores active=true on a removed member by default', async () => {
    session.simulator.setOptions({ removedUserLookup: 'inactive' });
    const id = await createUser('paul@example.com');
    await session.delete(`/Users/${id}`);
    const reply = await session.patch(`/Users/${id}`, [{ op: 'Replace', path: 'active', value: true }]);
    expect(reply.body.active).toBe(false);
    expect(session.simulator.workspace.account(id)?.inWorkspace).toBe(false);
  });

  it('answers 404 to a PATCH of a removed member when removed members are not found', async () => {
    const id = await createUser('quinn@example.com');
    await session.delete(`/Users/${id}`);
    expect((await session.patch(`/Users/${id}`, [{ op: 'Replace', path: 'active', value: 'True' }])).status).toBe(404);
  });

  it('re-adds a removed member on active=true when reactivateByPatch is on', async () => {
    session.simulator.setOptions({ reactivateByPatch: true });
    const id = await createUser('rita@example.com');
    await session.delete(`/Users/${id}`);
    const reply = await session.patch(`/Users/${id}`, [{ op: 'Replace', path: 'active', value: true }]);
    expect(reply.body).toMatchObject({ id, active: true });
    expect((await session.get(`/Users/${id}`)).status).toBe(200);
  });

  it('refuses to remove the token owner with 403 and a SCIM error body', async () => {
    session.simulator.setOptions({ tokenOwnerUserName: 'owner@example.com' });
    const id = await createUser('Owner@example.com');
    const deleted = await session.delete(`/Users/${id}`);
    expect(deleted.status).toBe(403);
    expect(deleted.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    expect((await session.patch(`/Users/${id}`, [{ op: 'replace', value: { active: false } }])).status).toBe(403);
    expect((await session.get(`/Users/${id}`)).body.active).toBe(true);
  });
});

describe('PUT /Users', () => {
  it('replaces the attributes it carries', async () => {
    const id = await createUser('sam@example.com');
    const reply = await session.call('PUT', `/Users/${id}`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'sam@example.com', name: { formatted: 'Sam Put' } });
    expect(reply.status).toBe(200);
    expect(reply.body.displayName).toBe('Sam Put');
  });
});
