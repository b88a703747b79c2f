// The demo's verdict: what Notion should hold, computed straight from the simulated tenant (Entra's rules and its
// Notion gallery mapping, not the engine's code), compared with what the Notion simulator holds. Tests use the same
// check (test/helpers).
import type { SimTenant } from '../../sim/graph/index.js';
import type { NotionWorkspace } from '../../sim/notion/index.js';

/** What the default mapping (Entra's Notion gallery app) sends: userName and name.formatted (active is membership). */
export interface ExpectedUser {
  userName: string;
  formatted: string;
}

/**
 * Entra's userName for a B2B guest: `alias_theirdomain#EXT#@tenant` is sent as `alias@theirdomain` (HPW, B2B users).
 * Written apart from the engine's `externalUserName` (src/mapping/guests.ts) on purpose: this is the demo's and the
 * tests' oracle, and an oracle that called the code it checks would agree with its mistakes.
 */
export function entraUserName(upn: string): string {
  const guest = /^(.*)_([^_]+)#EXT#@/i.exec(upn);
  return guest ? `${guest[1]}@${guest[2]}` : upn;
}

export interface ExpectedWorkspace {
  /** Lower-cased userName → attributes. */
  users: Map<string, ExpectedUser>;
  /** Group displayName → lower-cased userNames of its members. */
  groups: Map<string, Set<string>>;
}

/**
 * Entra's default scope ("sync assigned"): users assigned directly or as direct members of an assigned group, not
 * soft-deleted and enabled; assigned groups with their direct user members who are in Notion.
 */
export function expectedWorkspace(tenant: SimTenant): ExpectedWorkspace {
  const assignments = tenant.assignments();
  const liveUsers = new Map(tenant.users().filter((u) => u.deletedDateTime === null).map((u) => [u.id, u]));
  const liveGroups = new Map(tenant.groups().map((g) => [g.id, g]));
  const assignedGroups = assignments.filter((a) => a.principalType === 'Group' && liveGroups.has(a.principalId)).map((a) => a.principalId);
  const inScope = new Set(assignments.filter((a) => a.principalType === 'User').map((a) => a.principalId));
  for (const groupId of assignedGroups) for (const memberId of tenant.membersOf(groupId)) if (liveUsers.has(memberId)) inScope.add(memberId);
  const users = new Map<string, ExpectedUser>();
  const active = new Set<string>();
  for (const id of inScope) {
    const user = liveUsers.get(id);
    if (!user || !user.accountEnabled) continue;
    active.add(id);
    const userName = entraUserName(user.userPrincipalName);
    users.set(userName.toLowerCase(), { userName, formatted: user.displayName });
  }
  const groups = new Map<string, Set<string>>();
  for (const groupId of new Set(assignedGroups)) {
    const members = tenant.membersOf(groupId).filter((id) => active.has(id)).map((id) => entraUserName(liveUsers.get(id)?.userPrincipalName ?? '').toLowerCase());
    groups.set((liveGroups.get(groupId)?.displayName ?? groupId), new Set(members));
  }
  return { users, groups };
}

/** Every difference between the expected workspace and the simulator's, as readable lines; empty when equal. */
export function workspaceDifferences(expected: ExpectedWorkspace, workspace: NotionWorkspace, options: { ignoreUserNames?: Iterable<string> } = {}): string[] {
  const ignored = new Set([...(options.ignoreUserNames ?? [])].map((n) => n.toLowerCase()));
  const problems: string[] = [];
  const members = new Map(workspace.users().map((u) => [u.userName.toLowerCase(), u]));
  for (const [key, want] of expected.users) {
    const have = members.get(key);
    if (!have) {
      problems.push(`missing user ${want.userName}`);
      continue;
    }
    if ((have.name.formatted ?? null) !== want.formatted) problems.push(`user ${want.userName}: name "${have.name.formatted}" instead of "${want.formatted}"`);
  }
  for (const key of members.keys()) if (!expected.users.has(key) && !ignored.has(key)) problems.push(`unexpected user ${key} in the workspace`);
  const groups = new Map<string, string[]>();
  for (const group of workspace.groups()) groups.set(group.displayName, [...(groups.get(group.displayName) ?? []), group.id]);
  for (const [name, want] of expected.groups) {
    const ids = groups.get(name) ?? [];
    if (ids.length !== 1) {
      problems.push(ids.length === 0 ? `missing group ${name}` : `${ids.length} groups named ${name}`);
      continue;
    }
    const group = workspace.group(ids[0] as string);
    const have = new Set((group?.members.values() ?? []).map((id) => workspace.account(id)?.userName.toLowerCase() ?? id).filter((n) => !ignored.has(n)));
    for (const member of want) if (!have.has(member)) problems.push(`group ${name}: member ${member} missing`);
    for (const member of have) if (!want.has(member)) problems.push(`group ${name}: unexpected member ${member}`);
  }
  for (const name of groups.keys()) if (!expected.groups.has(name)) problems.push(`unexpected group ${name}`);
  return problems;
}
