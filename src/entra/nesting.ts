// Group nesting read upward (pure): with nested scope (TRANSITIVE_GROUPS), an assignment of a group names the users of
// the groups nested in it, so an on-demand read of a user's or a group's assignments also needs those of the groups
// holding its groups.

/**
 * The groups that hold any of `groupIds`, directly or through nested groups, by the given edges; not the groups asked
 * about themselves (one that holds another is already known). A cycle of groups is walked once.
 */
export function groupsHolding(groupIds: readonly string[], edges: ReadonlyArray<{ groupId: string; memberId: string; memberType: string }>): string[] {
  const holders = new Map<string, string[]>();
  for (const edge of edges) {
    if (edge.memberType !== 'group') continue;
    let list = holders.get(edge.memberId);
    if (!list) holders.set(edge.memberId, (list = []));
    list.push(edge.groupId);
  }
  const found = new Set<string>();
  const queue = [...groupIds];
  while (queue.length > 0) {
    for (const holder of holders.get(queue.pop() as string) ?? []) {
      if (found.has(holder)) continue;
      found.add(holder);
      queue.push(holder);
    }
  }
  for (const id of groupIds) found.delete(id);
  return [...found];
}
