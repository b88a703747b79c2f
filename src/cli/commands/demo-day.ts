// The demo's scripted day in the simulated tenant: a hire, a rename, a disable, an unassignment, a hard delete,
// membership changes and a new group. Returns one line per change for the console.
import type { SimTenant, SimUser } from '../../sim/graph/index.js';

function assignedGroups(tenant: SimTenant): string[] {
  return tenant.assignments().filter((a) => a.principalType === 'Group').map((a) => a.principalId);
}

/** Enabled, live users in scope, directly assigned ones first (unassigning those takes them out of scope). */
function inScopeUsers(tenant: SimTenant): { direct: SimUser[]; viaGroup: SimUser[] } {
  const users = new Map(tenant.users().filter((u) => u.accountEnabled && u.deletedDateTime === null).map((u) => [u.id, u]));
  const viaGroupIds = new Set(assignedGroups(tenant).flatMap((g) => tenant.membersOf(g)));
  const direct = tenant.assignments().filter((a) => a.principalType === 'User' && !viaGroupIds.has(a.principalId)).map((a) => users.get(a.principalId));
  const viaGroup = [...viaGroupIds].map((id) => users.get(id));
  return { direct: direct.filter((u): u is SimUser => u !== undefined), viaGroup: viaGroup.filter((u): u is SimUser => u !== undefined) };
}

export function playScriptedDay(tenant: SimTenant): string[] {
  const lines: string[] = [];
  const groups = assignedGroups(tenant);
  const groupName = (id: string) => tenant.groups().find((g) => g.id === id)?.displayName ?? id;
  const { direct, viaGroup } = inScopeUsers(tenant);
  const pool = [...viaGroup, ...direct.slice(1)];
  const take = (): SimUser => {
    const user = pool.shift();
    if (!user) throw new Error('the generated tenant is too small for the demo day; use more --users');
    return user;
  };

  const hire = tenant.hireUser({ userPrincipalName: 'ada.lovelace@contoso.example', displayName: 'Ada Lovelace', givenName: 'Ada', surname: 'Lovelace', mail: 'ada.lovelace@contoso.example', jobTitle: 'Engineer' });
  tenant.assign(hire.id);
  if (groups[0]) tenant.addMember(groups[0], hire.id);
  lines.push(`hire: ${hire.userPrincipalName}, assigned to the app${groups[0] ? ` and added to ${groupName(groups[0])}` : ''}`);

  const renamed = take();
  const newUpn = `renamed.${renamed.userPrincipalName}`;
  tenant.renameUser(renamed.id, { userPrincipalName: newUpn, displayName: `${renamed.displayName} (renamed)` });
  lines.push(`rename: ${renamed.userPrincipalName} → ${newUpn}`);

  const disabled = take();
  tenant.disableUser(disabled.id);
  lines.push(`disable: ${disabled.userPrincipalName} (accountEnabled=false)`);

  const unassigned = direct[0];
  if (unassigned) {
    tenant.unassign(unassigned.id);
    lines.push(`unassign: ${unassigned.userPrincipalName} removed from the app`);
  } else {
    const leaver = take();
    for (const groupId of groups) if (tenant.membersOf(groupId).includes(leaver.id)) tenant.removeMember(groupId, leaver.id);
    lines.push(`unassign: ${leaver.userPrincipalName} removed from every assigned group`);
  }

  const deleted = take();
  tenant.hardDeleteUser(deleted.id);
  lines.push(`hard delete: ${deleted.userPrincipalName}`);

  const mover = take();
  const from = groups.find((g) => tenant.membersOf(g).includes(mover.id));
  const to = groups.find((g) => !tenant.membersOf(g).includes(mover.id));
  if (to) {
    tenant.addMember(to, mover.id);
    lines.push(`membership: ${mover.userPrincipalName} added to ${groupName(to)}`);
  }
  const stayer = take();
  const leaveGroup = groups.find((g) => g !== from && tenant.membersOf(g).includes(stayer.id)) ?? groups.find((g) => tenant.membersOf(g).includes(stayer.id));
  if (leaveGroup && tenant.membersOf(leaveGroup).length > 1) {
    tenant.removeMember(leaveGroup, stayer.id);
    lines.push(`membership: ${stayer.userPrincipalName} removed from ${groupName(leaveGroup)}`);
  }

  const group = tenant.createGroup({ displayName: 'Demo Launch Team' });
  for (const member of [hire, take(), take()]) tenant.addMember(group.id, member.id);
  tenant.assign(group.id);
  lines.push(`new group: ${group.displayName} with 3 members, assigned to the app`);
  return lines;
}
