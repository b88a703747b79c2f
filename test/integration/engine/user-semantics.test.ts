// Each row of "Semantics to keep" for users, end to end: a change in the simulated tenant, a cycle, and Notion's state.
import { describe, expect, it } from 'vitest';
import { runCycle } from '../../../src/engine/index.js';
import { createLogger } from '../../../src/observe/index.js';
import { engineSessionPerTest } from '../../helpers/engine-session.js';
import { directlyAssignedUser, groupMemberUser, notionGroupMembers, notionUser } from '../../helpers/tenant-picks.js';

const { open, synced } = engineSessionPerTest();

describe('user semantics', () => {
  it('disables a user who was unassigned', async () => {
    const s = await synced();
    const user = directlyAssignedUser(s.tenant);
    s.tenant.unassign(user.id);
    const summary = await s.sync();
    expect(summary.counts['disable.success']).toBe(1);
    expect(notionUser(s.notion.workspace, user.userPrincipalName)?.inWorkspace).toBe(false);
    expect(s.differences()).toEqual([]);
  });

  it('deletes a user who was unassigned when deprovisionAction is delete', async () => {
    const s = await synced({ env: { DEPROVISION_ACTION: 'delete' } });
    const user = directlyAssignedUser(s.tenant);
    s.tenant.unassign(user.id);
    const summary = await s.sync();
    expect(summary.counts['delete.success']).toBe(1);
    expect(s.notion.requestCounts()['DELETE /Users/:id']).toBe(1);
    expect(s.differences()).toEqual([]);
  });

  it('adds a deleted user back with the same Notion account when it is assigned again', async () => {
    const s = await synced({ env: { DEPROVISION_ACTION: 'delete' } });
    const user = directlyAssignedUser(s.tenant);
    const id = notionUser(s.notion.workspace, user.userPrincipalName)?.id;
    s.tenant.unassign(user.id);
    await s.sync();
    s.tenant.assign(user.id);
    expect((await s.sync()).counts['enable.success']).toBe(1);
    expect(notionUser(s.notion.workspace, user.userPrincipalName)).toMatchObject({ id, inWorkspace: true });
    expect(s.differences()).toEqual([]);
  });

  it('leaves an unassigned user alone when deprovisionAction is none', async () => {
    const s = await synced({ env: { DEPROVISION_ACTION: 'none' } });
    const user = directlyAssignedUser(s.tenant);
    s.tenant.unassign(user.id);
    s.notion.clearRequests();
    const summary = await s.sync();
    expect(summary.counts['skip.skipped']).toBe(1);
    expect(s.writes()).toBe(0);
    expect(notionUser(s.notion.workspace, user.userPrincipalName)?.inWorkspace).toBe(true);
  });

  it('disables a user whose account was disabled, and re-enables it with its group memberships', async () => {
    const s = await synced();
    const { user, groupId } = groupMemberUser(s.tenant);
    const groupName = s.tenant.groups().find((g) => g.id === groupId)?.displayName as string;
    s.tenant.disableUser(user.id);
    await s.sync();
    expect(notionUser(s.notion.workspace, user.userPrincipalName)?.inWorkspace).toBe(false);
    expect(notionGroupMembers(s.notion.workspace, groupName)).not.toContain(user.userPrincipalName);

    s.tenant.enableUser(user.id);
    const summary = await s.sync();
    expect(summary.counts['enable.success']).toBe(1);
    expect(notionUser(s.notion.workspace, user.userPrincipalName)?.inWorkspace).toBe(true);
    expect(notionGroupMembers(s.notion.workspace, groupName)).toContain(user.userPrincipalName);
    expect(s.differences()).toEqual([]);
  });

  it('re-enables through PATCH when Notion reactivates by PATCH, without a new POST', async () => {
    const s = await synced({ notion: { reactivateByPatch: true } });
    const user = directlyAssignedUser(s.tenant);
    s.tenant.disableUser(user.id);
    await s.sync();
    s.tenant.enableUser(user.id);
    s.notion.clearRequests();
    await s.sync();
    expect(s.notion.requestCounts()['POST /Users'] ?? 0).toBe(0);
    expect(notionUser(s.notion.workspace, user.userPrincipalName)?.inWorkspace).toBe(true);
  });

  it('disables a soft-deleted user and deletes it once hard-deleted', async () => {
    const s = await synced();
    const user = directlyAssignedUser(s.tenant);
    s.tenant.softDeleteUser(user.id);
    expect((await s.sync()).counts['disable.success']).toBe(1);
    expect(notionUser(s.notion.workspace, user.userPrincipalName)?.inWorkspace).toBe(false);
    s.tenant.hardDeleteUser(user.id);
    expect((await s.sync()).counts['delete.success']).toBe(1);
    expect(s.differences()).toEqual([]);
  });

  it('deletes a user hard-deleted straight away', async () => {
    const s = await synced();
    const user = directlyAssignedUser(s.tenant);
    s.tenant.hardDeleteUser(user.id);
    expect((await s.sync()).counts['delete.success']).toBe(1);
    expect(notionUser(s.notion.workspace, user.userPrincipalName)?.inWorkspace).toBe(false);
  });

  it('renames a user by PATCHing userName and the name, keeping the same Notion account', async () => {
    const s = await synced();
    const user = directlyAssignedUser(s.tenant);
    const before = notionUser(s.notion.workspace, user.userPrincipalName)?.id;
    const upn = `renamed.${user.userPrincipalName}`;
    s.tenant.renameUser(user.id, { userPrincipalName: upn, displayName: 'Renamed Person' });
    const summary = await s.sync();
    expect(summary.counts['update.success']).toBe(1);
    expect(notionUser(s.notion.workspace, upn)).toMatchObject({ id: before, inWorkspace: true, name: { formatted: 'Renamed Person' } });
    expect(s.differences()).toEqual([]);
  });

  it('reports a userName collision as a conflict and escrows it, without retrying blindly', async () => {
    const s = await synced();
    const user = directlyAssignedUser(s.tenant);
    s.notion.workspace.addUser({ userName: 'taken@example.com' });
    s.tenant.renameUser(user.id, { userPrincipalName: 'taken@example.com' });
    s.notion.clearRequests();
    const summary = await s.sync();
    expect(summary.status).toBe('partial');
    expect(summary.counts['update.failure']).toBe(1);
    expect(summary.escrowed).toBe(1);
    expect(s.notion.requestCounts()['PATCH /Users/:id']).toBe(1);
  });

  it('never changes or removes a protected user, even when it is in scope', async () => {
    const session = await open();
    const user = directlyAssignedUser(session.tenant);
    const s = session;
    s.notion.workspace.addUser({ userName: user.userPrincipalName, name: { formatted: 'The Owner' } });
    const config = { ...s.config, provisioning: { ...s.config.provisioning, protectedUsers: [user.userPrincipalName.toUpperCase()] } };
    const run = () => runCycle({ config, store: s.store.store, logger: createLogger({ level: 'silent' }) });
    expect((await run()).counts['skip.skipped']).toBe(1);
    s.tenant.unassign(user.id);
    s.notion.clearRequests();
    await run();
    expect(s.writes()).toBe(0);
    expect(notionUser(s.notion.workspace, user.userPrincipalName)).toMatchObject({ inWorkspace: true, name: { formatted: 'The Owner' } });
  });

  it('adds a new hire and never creates a user who is not in scope', async () => {
    const s = await synced();
    const hire = s.tenant.hireUser({ userPrincipalName: 'new.hire@example.com', displayName: 'New Hire' });
    const outsider = s.tenant.hireUser({ userPrincipalName: 'outsider@example.com' });
    s.tenant.assign(hire.id);
    await s.sync();
    expect(notionUser(s.notion.workspace, 'new.hire@example.com')?.inWorkspace).toBe(true);
    expect(notionUser(s.notion.workspace, outsider.userPrincipalName)).toBeUndefined();
    expect(s.differences()).toEqual([]);
  });
});
