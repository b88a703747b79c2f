// Drift repair (`sync --verify`): hand-made changes in Notion to objects we own are put back; others are left alone.
import { describe, expect, it } from 'vitest';
import { engineSessionPerTest } from '../../helpers/engine-session.js';
import { assignedGroupIds, directlyAssignedUser, groupMemberUser, notionUser } from '../../helpers/tenant-picks.js';

const { open } = engineSessionPerTest({});

describe('sync --verify', () => {
  it('repairs members removed, a user removed, attributes edited and a group deleted by hand', async () => {
    const session = await open({ tenant: { seed: 21, users: 30, groups: 4 } });
    const s = session;
    await s.sync();
    const ws = s.notion.workspace;
    const { user: member, groupId } = groupMemberUser(s.tenant);
    const groupName = s.tenant.groups().find((g) => g.id === groupId)?.displayName as string;
    const group = ws.groupByDisplayName(groupName);
    const memberInNotion = notionUser(ws, member.userPrincipalName);
    ws.removeGroupMember(group?.id as string, memberInNotion?.id as string);
    const removed = directlyAssignedUser(s.tenant);
    ws.removeUser(notionUser(ws, removed.userPrincipalName)?.id as string);
    ws.editUser(memberInNotion?.id as string, { name: { formatted: 'Edited By Hand' }, title: 'Hand Title' });
    const otherGroupName = s.tenant.groups().find((g) => g.id === assignedGroupIds(s.tenant).find((id) => id !== groupId))?.displayName;
    if (otherGroupName) ws.deleteGroup(ws.groupByDisplayName(otherGroupName)?.id as string);
    const stranger = ws.addUser({ userName: 'stranger@example.com' });
    expect(s.differences(['stranger@example.com']).length).toBeGreaterThan(2);

    const incremental = await s.sync();
    expect(incremental.status).toBe('succeeded');
    expect(s.differences(['stranger@example.com']).length).toBeGreaterThan(0);

    const verify = await s.sync({ mode: 'verify' });
    expect(verify).toMatchObject({ kind: 'verify', status: 'succeeded' });
    expect(s.differences(['stranger@example.com'])).toEqual([]);
    expect(ws.account(stranger.id)?.inWorkspace).toBe(true);

    s.notion.clearRequests();
    await s.sync({ mode: 'verify' });
    expect(s.writes()).toBe(0);
  });
});
