// Who is in scope, from mirror rows (pure). Entra's rule (reference §1.2): users assigned directly or as DIRECT
// members of an assigned group; optionally members of nested groups too (Entra cannot); or everyone with 'all'.

export interface ScopeInput {
  users: ReadonlyArray<{ id: string; removedReason: string | null }>;
  groups: ReadonlyArray<{ id: string; removedReason: string | null }>;
  memberships: ReadonlyArray<{ groupId: string; memberId: string; memberType: string }>;
  assignments: ReadonlyArray<{ principalId: string; principalType: string }>;
}

export interface ScopeOptions {
  scope: 'assigned' | 'all';
  transitiveGroups: boolean;
}

export interface Scope {
  /** Live (not removed) users in scope. */
  userIds: Set<string>;
  /** Live groups in scope: the assigned ones (with 'all': every group). */
  groupIds: Set<string>;
  /** Per in-scope group, its in-scope user members for Notion: direct, or flattened through nested groups
   *  when transitiveGroups (Notion groups cannot nest). */
  groupMembers: Map<string, Set<string>>;
}

export function computeScope(input: ScopeInput, options: ScopeOptions): Scope {
  const liveUsers = new Set(input.users.filter((user) => user.removedReason === null).map((user) => user.id));
  const liveGroups = new Set(input.groups.filter((group) => group.removedReason === null).map((group) => group.id));
  const candidates = scopeCandidates(input, options);
  const userIds = options.scope === 'all' ? liveUsers : new Set([...candidates.userIds].filter((id) => liveUsers.has(id)));
  const groupIds = new Set((options.scope === 'all' ? [...liveGroups] : [...candidates.groupIds]).filter((id) => liveGroups.has(id)));
  const members = membersByGroup(input.memberships);
  const groupMembers = new Map<string, Set<string>>();
  for (const groupId of groupIds) {
    const users = options.transitiveGroups ? transitiveUsers(groupId, members) : directUsers(groupId, members);
    groupMembers.set(groupId, new Set([...users].filter((id) => userIds.has(id))));
  }
  return { userIds, groupIds, groupMembers };
}

/**
 * The ids that the 'assigned' rule names, whether or not the mirror holds them yet: what the import reads by
 * id when it takes the small-scope path. (With 'all' the rule names everyone, so the sets stay empty.)
 */
export function scopeCandidates(input: Pick<ScopeInput, 'memberships' | 'assignments'>, options: ScopeOptions): { userIds: Set<string>; groupIds: Set<string> } {
  const userIds = new Set<string>();
  const groupIds = new Set<string>();
  if (options.scope === 'all') return { userIds, groupIds };
  const members = membersByGroup(input.memberships);
  for (const assignment of input.assignments) {
    if (assignment.principalType === 'User') userIds.add(assignment.principalId);
    if (assignment.principalType !== 'Group') continue;
    groupIds.add(assignment.principalId);
    const users = options.transitiveGroups ? transitiveUsers(assignment.principalId, members) : directUsers(assignment.principalId, members);
    for (const id of users) userIds.add(id);
  }
  return { userIds, groupIds };
}

type MemberIndex = Map<string, Array<{ memberId: string; memberType: string }>>;

function membersByGroup(memberships: ScopeInput['memberships']): MemberIndex {
  const index: MemberIndex = new Map();
  for (const edge of memberships) {
    let list = index.get(edge.groupId);
    if (!list) index.set(edge.groupId, (list = []));
    list.push({ memberId: edge.memberId, memberType: edge.memberType });
  }
  return index;
}

function directUsers(groupId: string, members: MemberIndex): Set<string> {
  return new Set((members.get(groupId) ?? []).filter((edge) => edge.memberType === 'user').map((edge) => edge.memberId));
}

/** Users reachable through nested groups; a group seen twice (a cycle, a diamond) is walked once. */
function transitiveUsers(groupId: string, members: MemberIndex): Set<string> {
  const users = new Set<string>();
  const seen = new Set([groupId]);
  const queue = [groupId];
  while (queue.length > 0) {
    for (const edge of members.get(queue.pop() as string) ?? []) {
      if (edge.memberType === 'user') users.add(edge.memberId);
      else if (!seen.has(edge.memberId)) {
        seen.add(edge.memberId);
        queue.push(edge.memberId);
      }
    }
  }
  return users;
}
