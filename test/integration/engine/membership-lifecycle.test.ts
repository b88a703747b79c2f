// A leaving and a returning user's group memberships, against each thing Notion may do with a removed member's groups
// (keep them, drop them, or drop them and give them back on rejoining within 30 days: reference notion-scim §3.6).
import { describe, expect, it } from 'vitest';
import { approveStagedDeprovisions, queryLog } from '../../../src/store/index.js';
import { readLinks } from '../../helpers/whole-tables.js';
import type { SimUser } from '../../../src/sim/graph/index.js';
import type { MembershipsOnRemoval } from '../../../src/sim/notion/index.js';
import { engineSessionPerTest, type EngineSession } from '../../helpers/engine-session.js';
import { assignedGroupIds, groupMemberUser, notionUser } from '../../helpers/tenant-picks.js';

const { synced } = engineSessionPerTest();
const modes: MembershipsOnRemoval[] = ['keep', 'restore-within-30-days', 'drop'];

/** Display names of the Notion groups the user is in (a removed member still counts where Notion kept them). */
function notionGroupsOf(s: EngineSession, upn: string): string[] {
  const id = notionUser(s.notion.workspace, upn)?.id as string;
  return s.notion.workspace.groupsOf(id).map((groupId) => s.notion.workspace.group(groupId)?.displayName as string).sort();
}

/** The assigned groups Entra puts the user in: what Notion should show, no more. */
function entraGroupsOf(s: EngineSession, user: SimUser): string[] {
  return assignedGroupIds(s.tenant)
    .filter((groupId) => s.tenant.membersOf(groupId).includes(user.id))
    .map((groupId) => s.tenant.groups().find((g) => g.id === groupId)?.displayName as string)
    .sort();
}

/** A synced workspace where one user is in two managed groups: the group that brings it into scope, and "Extra". */
async function userInTwoGroups(mode: MembershipsOnRemoval, env: Record<string, string> = {}): Promise<{ s: EngineSession; user: SimUser; extra: string }> {
  const s = await synced({ notion: { membershipsOnRemoval: mode }, env });
  const { user } = groupMemberUser(s.tenant);
  const extra = s.tenant.createGroup({ displayName: 'Extra' });
  s.tenant.assign(extra.id);
  s.tenant.addMember(extra.id, user.id);
  expect((await s.sync()).status).toBe('succeeded');
  expect(notionGroupsOf(s, user.userPrincipalName)).toContain('Extra');
  return { s, user, extra: extra.id };
}

describe.each(modes)('when a removal %s the memberships', (mode) => {
  it('takes a disabled user out of every managed group before disabling it', async () => {
    const { s, user } = await userInTwoGroups(mode);
    s.notion.clearRequests();
    s.tenant.disableUser(user.id);
    const cycle = await s.sync();
    expect(cycle.counts['disable.success']).toBe(1);
    expect(notionUser(s.notion.workspace, user.userPrincipalName)?.inWorkspace).toBe(false);
    expect(notionGroupsOf(s, user.userPrincipalName)).toEqual([]);
    // Entra sends the member removal before the deprovision (reference entra-provisioning), and so do we.
    const writes = s.notion.requests().filter((r) => r.method !== 'GET');
    const lastRemoval = writes.map((r) => r.method === 'PATCH' && r.path.startsWith('/Groups/')).lastIndexOf(true);
    const disable = writes.findIndex((r) => r.method === 'PATCH' && r.path.startsWith('/Users/'));
    expect(lastRemoval).toBeGreaterThanOrEqual(0);
    expect(lastRemoval).toBeLessThan(disable);
    expect(s.differences()).toEqual([]);
    const links = await readLinks(s.store.store.db, s.config.target, 'user');
    expect(links.find((l) => l.sourceId === user.id)?.state).toBe('disabled');
  });

  it("gives a re-enabled user exactly Entra's groups, though Entra changed them while the user was away", async () => {
    const { s, user, extra } = await userInTwoGroups(mode);
    s.tenant.disableUser(user.id);
    await s.sync();
    s.tenant.removeMember(extra, user.id);
    s.tenant.enableUser(user.id);
    const cycle = await s.sync();
    expect(cycle.counts['enable.success']).toBe(1);
    expect(notionGroupsOf(s, user.userPrincipalName)).toEqual(entraGroupsOf(s, user));
    expect(notionGroupsOf(s, user.userPrincipalName)).not.toContain('Extra');
    expect(s.differences()).toEqual([]);
  });
});

/** The user's link row in the store. */
async function linkOf(s: EngineSession, sourceId: string) {
  return (await readLinks(s.store.store.db, s.config.target, 'user')).find((l) => l.sourceId === sourceId);
}

describe('a member Notion gives its old groups back to', () => {
  /** Removed by hand in Notion (nothing the engine sent): Notion keeps both groups to give back on rejoining. */
  async function removedByHandThenBack(): Promise<{ s: EngineSession; user: SimUser }> {
    const { s, user, extra } = await userInTwoGroups('restore-within-30-days');
    s.notion.workspace.removeUser(notionUser(s.notion.workspace, user.userPrincipalName)?.id as string);
    s.tenant.disableUser(user.id);
    await s.sync();
    s.tenant.removeMember(extra, user.id);
    s.tenant.enableUser(user.id);
    return { s, user };
  }

  it('reads the groups back after the re-enable and removes what Entra does not have, saying why', async () => {
    const { s, user } = await removedByHandThenBack();
    const cycle = await s.sync();
    expect(cycle.status).toBe('succeeded');
    expect(notionGroupsOf(s, user.userPrincipalName)).toEqual(entraGroupsOf(s, user));
    const removals = await queryLog(s.store.store.db, { target: s.config.target, cycleId: cycle.cycleId, action: 'remove-members' });
    expect(removals).toEqual([expect.objectContaining({ displayName: 'Extra', status: 'success', reason: expect.stringContaining('Entra does not put them in') })]);
    expect(s.differences()).toEqual([]);
  });

  it('removes nothing when the read-back fails or is malformed, and keeps the re-enable escrowed until it works', async () => {
    const { s, user } = await removedByHandThenBack();
    s.notion.injectFault({ kind: 'malformed', count: 50, match: { method: 'GET', path: /^\/Groups/ } });
    const failed = await s.sync();
    expect(failed.status).toBe('partial');
    // Notion gave "Extra" back and nothing was removed: the read was not trusted.
    expect(notionGroupsOf(s, user.userPrincipalName)).toContain('Extra');
    expect(await linkOf(s, user.id)).toMatchObject({ state: 'disabled', lastErrorKind: 'unexpected-response' });

    s.notion.clearFaults();
    const recovered = await s.sync();
    expect(recovered.status).toBe('succeeded');
    expect(notionGroupsOf(s, user.userPrincipalName)).toEqual(entraGroupsOf(s, user));
    expect(await linkOf(s, user.id)).toMatchObject({ state: 'active', attempts: 0 });
    expect(s.differences()).toEqual([]);
  });
});

describe('holds keep memberships', () => {
  it('keeps the memberships of a user whose disable is staged by the deletion guard, and removes them once approved', async () => {
    const { s, user } = await userInTwoGroups('keep', { DELETION_THRESHOLD: '0' });
    const before = notionGroupsOf(s, user.userPrincipalName);
    s.tenant.disableUser(user.id);
    s.notion.clearRequests();
    expect((await s.sync()).status).toBe('held');
    expect(s.writes()).toBe(0);
    expect(notionGroupsOf(s, user.userPrincipalName)).toEqual(before);

    await approveStagedDeprovisions(s.store.store.db, s.config.target);
    expect((await s.sync()).counts['disable.success']).toBe(1);
    expect(notionGroupsOf(s, user.userPrincipalName)).toEqual([]);
  });

  it('removes no membership when the Entra import was incomplete', async () => {
    const { s, user, extra } = await userInTwoGroups('keep');
    const before = notionGroupsOf(s, user.userPrincipalName);
    s.tenant.disableUser(user.id);
    s.tenant.removeMember(extra, user.id);
    s.graph.injectFault({ kind: 'status', status: 400, count: 1, match: { path: /delta/ } });
    s.notion.clearRequests();
    const held = await s.sync();
    expect(held.importComplete).toBe(false);
    expect(s.notion.requests().filter((r) => r.method === 'PATCH' && r.path.startsWith('/Groups/'))).toEqual([]);
    expect(notionGroupsOf(s, user.userPrincipalName)).toEqual(before);
  });
});

describe('offboarding first', () => {
  it('sends a disable before a create when both are pending', async () => {
    const s = await synced();
    const { user: leaver } = groupMemberUser(s.tenant);
    const hire = s.tenant.hireUser({ userPrincipalName: 'new.hire@contoso.example', displayName: 'New Hire' });
    s.tenant.assign(hire.id);
    s.tenant.disableUser(leaver.id);
    s.notion.clearRequests();
    const cycle = await s.sync();
    expect(cycle.counts['disable.success']).toBe(1);
    expect(cycle.counts['create.success']).toBe(1);
    const leaverId = notionUser(s.notion.workspace, leaver.userPrincipalName)?.id as string;
    const writes = s.notion.requests().filter((r) => r.method !== 'GET');
    const disable = writes.findIndex((r) => r.method === 'PATCH' && r.path === `/Users/${leaverId}`);
    const create = writes.findIndex((r) => r.method === 'POST' && r.path === '/Users');
    expect(disable).toBeGreaterThanOrEqual(0);
    expect(create).toBeGreaterThan(disable);
    expect(s.differences()).toEqual([]);
  });

  it('disables a leaver even when its member removals fail enough to quarantine the cycle', async () => {
    const { s, user } = await userInTwoGroups('keep');
    s.config.safety.quarantineMinOperations = 1;
    s.tenant.disableUser(user.id);
    s.notion.injectFault({ kind: 'status', status: 400, rate: 1, match: { method: 'PATCH', path: /^\/Groups\// } });
    const cycle = await s.sync();
    expect(cycle.status).toBe('quarantined');
    expect(notionUser(s.notion.workspace, user.userPrincipalName)?.inWorkspace).toBe(false);
    // The memberships stay recorded, and a later cycle removes them once Notion takes the removals.
    s.notion.clearFaults();
    await s.sync(undefined, () => new Date(Date.now() + 2 * 24 * 60 * 60 * 1000));
    expect(notionGroupsOf(s, user.userPrincipalName)).toEqual([]);
  });
});
