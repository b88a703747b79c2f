// Groups and memberships end to end: create or match by displayName, rename, members added and removed, removal.
import { describe, expect, it } from 'vitest';
import { entraUserName } from '../../../src/cli/commands/demo-verdict.js';
import { engineSessionPerTest, type EngineSession } from '../../helpers/engine-session.js';
import { assignedGroupIds, directlyAssignedUser, groupMemberUser, notionGroupMembers } from '../../helpers/tenant-picks.js';

const { open, synced } = engineSessionPerTest();

const groupName = (s: EngineSession, id: string) => s.tenant.groups().find((g) => g.id === id)?.displayName as string;

describe('group semantics', () => {
  it('adds and removes members as Entra memberships change', async () => {
    const s = await synced();
    const { user, groupId } = groupMemberUser(s.tenant);
    const newcomer = directlyAssignedUser(s.tenant);
    s.tenant.removeMember(groupId, user.id);
    s.tenant.addMember(groupId, newcomer.id);
    const summary = await s.sync();
    expect(summary.counts['add-members.success']).toBe(1);
    const members = notionGroupMembers(s.notion.workspace, groupName(s, groupId));
    expect(members).toContain(newcomer.userPrincipalName);
    expect(s.differences()).toEqual([]);
  });

  it('creates a new assigned group with its members, and renames it by PATCH', async () => {
    const s = await synced();
    const member = directlyAssignedUser(s.tenant);
    const group = s.tenant.createGroup({ displayName: 'Night Shift' });
    s.tenant.addMember(group.id, member.id);
    s.tenant.assign(group.id);
    await s.sync();
    expect(notionGroupMembers(s.notion.workspace, 'Night Shift')).toEqual([member.userPrincipalName]);
    s.tenant.renameGroup(group.id, 'Day Shift');
    s.notion.clearRequests();
    await s.sync();
    expect(s.notion.requestCounts()).toMatchObject({ 'PATCH /Groups/:id': 1 });
    expect(notionGroupMembers(s.notion.workspace, 'Day Shift')).toEqual([member.userPrincipalName]);
    expect(s.differences()).toEqual([]);
  });

  it('deletes a group that was unassigned at once, after removing its members, when GROUP_DELETE_GRACE_DAYS is 0', async () => {
    const s = await synced({ env: { GROUP_DELETE_GRACE_DAYS: '0' } });
    const [groupId] = assignedGroupIds(s.tenant) as [string];
    const name = groupName(s, groupId);
    s.tenant.unassign(groupId);
    const summary = await s.sync({ forceDeletes: true });
    expect(summary.counts['delete.success']).toBeGreaterThanOrEqual(1);
    expect(s.notion.workspace.groups().map((g) => g.displayName)).not.toContain(name);
    expect(s.differences()).toEqual([]);
  });

  it('keeps a group that left scope when group deletes are off, emptied of our members', async () => {
    const s = await synced({ env: { DELETE_GROUPS: 'false' } });
    const { groupId } = groupMemberUser(s.tenant);
    const name = groupName(s, groupId);
    s.tenant.unassign(groupId);
    await s.sync({ forceDeletes: true });
    expect(s.notion.workspace.groups().map((g) => g.displayName)).toContain(name);
    expect(notionGroupMembers(s.notion.workspace, name)).toEqual([]);
  });

  it('adopts an existing Notion group of the same name instead of creating a second one', async () => {
    const session = await open();
    const [groupId] = assignedGroupIds(session.tenant) as [string];
    const name = groupName(session, groupId);
    session.notion.workspace.addGroup({ displayName: name });
    const summary = await session.sync();
    expect(summary.counts['link.success']).toBeGreaterThanOrEqual(1);
    expect(session.notion.workspace.groups().filter((g) => g.displayName === name)).toHaveLength(1);
    expect(session.differences()).toEqual([]);
  });

  it('adopts a Notion group with the members it lists: those Entra wants are not added again, and are ours from then on', async () => {
    const session = await open();
    const { user, groupId } = groupMemberUser(session.tenant);
    const name = groupName(session, groupId);
    const ws = session.notion.workspace;
    const member = ws.addUser({ userName: entraUserName(user.userPrincipalName), name: { formatted: user.displayName } });
    const stranger = ws.addUser({ userName: 'stranger@example.com', name: { formatted: 'Stranger' } });
    ws.addGroup({ displayName: name, members: [member.id, stranger.id] });
    await session.sync();
    const memberPatches = session.notion.requests().filter((r) => r.method === 'PATCH' && r.path.startsWith('/Groups/'));
    expect(memberPatches.filter((r) => JSON.stringify(r.body).includes(member.id))).toEqual([]);
    expect(notionGroupMembers(ws, name)).toEqual(expect.arrayContaining([member.userName, 'stranger@example.com']));
    // Recorded as applied: when Entra drops the membership, Notion follows; the member who was there before us stays.
    session.tenant.removeMember(groupId, user.id);
    await session.sync({ forceDeletes: true });
    expect(notionGroupMembers(ws, name)).not.toContain(member.userName);
    expect(notionGroupMembers(ws, name)).toContain('stranger@example.com');
  });

  it('adopts existing Notion users by userName, never touches unlinked ones, and refuses two candidates', async () => {
    const session = await open();
    const existing = directlyAssignedUser(session.tenant, 0);
    const ambiguous = groupMemberUser(session.tenant).user;
    const ws = session.notion.workspace;
    const adopted = ws.addUser({ userName: existing.userPrincipalName.toUpperCase(), name: { formatted: 'Old Name' } });
    ws.addUser({ userName: ambiguous.userPrincipalName });
    ws.addUser({ userName: 'someone.else@example.com', emails: [{ value: ambiguous.userPrincipalName, type: 'work' }] });
    const stranger = ws.addUser({ userName: 'stranger@example.com', name: { formatted: 'Stranger' } });
    const summary = await session.sync();
    expect(summary.counts['link.success']).toBeGreaterThanOrEqual(1);
    expect(summary.counts['create.failure']).toBe(1);
    expect(ws.account(adopted.id)?.name.formatted).toBe(existing.displayName);
    expect(ws.account(stranger.id)).toMatchObject({ inWorkspace: true, name: { formatted: 'Stranger' } });
    expect(ws.users().filter((u) => u.userName.toLowerCase() === ambiguous.userPrincipalName.toLowerCase())).toHaveLength(1);
  });
});
