// Test helper: finds users and groups in a generated tenant that play a given part (assigned directly, member of an
// assigned group), and reads their Notion counterparts.
import type { SimTenant, SimUser } from '../../src/sim/graph/index.js';
import type { NotionWorkspace, NotionUser } from '../../src/sim/notion/index.js';
import { entraUserName } from '../../src/cli/commands/demo-verdict.js';

export function assignedGroupIds(tenant: SimTenant): string[] {
  return tenant.assignments().filter((a) => a.principalType === 'Group').map((a) => a.principalId);
}

function memberOfAssignedGroup(tenant: SimTenant, userId: string): boolean {
  return assignedGroupIds(tenant).some((groupId) => tenant.membersOf(groupId).includes(userId));
}

/** An enabled user assigned directly and in no assigned group: unassigning takes it out of scope. */
export function directlyAssignedUser(tenant: SimTenant, skip = 0): SimUser {
  const users = tenant
    .assignments()
    .filter((a) => a.principalType === 'User')
    .map((a) => tenant.users().find((u) => u.id === a.principalId) as SimUser)
    .filter((u) => u && u.accountEnabled && !u.deletedDateTime && !memberOfAssignedGroup(tenant, u.id));
  const user = users[skip];
  if (!user) throw new Error('the tenant has no such directly assigned user; change the seed');
  return user;
}

/** An enabled user who is in scope through an assigned group, with that group. */
export function groupMemberUser(tenant: SimTenant): { user: SimUser; groupId: string } {
  for (const groupId of assignedGroupIds(tenant)) {
    for (const id of tenant.membersOf(groupId)) {
      const user = tenant.users().find((u) => u.id === id);
      if (user && user.accountEnabled && !user.deletedDateTime) return { user, groupId };
    }
  }
  throw new Error('the tenant has no assigned group with an enabled member; change the seed');
}

/** The Notion account of a user by its Entra UPN: a B2B guest's `alias_theirdomain#EXT#@…` is `alias@theirdomain` there. */
export function notionUser(workspace: NotionWorkspace, userPrincipalName: string): NotionUser | undefined {
  return workspace.accountByUserName(entraUserName(userPrincipalName));
}

export function notionGroupMembers(workspace: NotionWorkspace, displayName: string): string[] {
  const group = workspace.groups().find((g) => g.displayName === displayName);
  return (group?.members.values() ?? []).map((id) => workspace.account(id)?.userName ?? id).sort();
}
