// Which principals' assignments an on-demand import reads besides the user or group asked for (one-user.ts,
// one-group.ts): with nested scope, the groups holding its groups by the mirror's edges, which name its users too.
import { readSourceGroups, type Database } from '../store/index.js';
import type { PrincipalToRead } from './assignments.js';
import { groupsHolding } from './nesting.js';

/** The groups holding `groupIds` (directly or through nested groups), each with the display name the mirror has. */
export async function holdingGroupsToRead(
  db: Database, target: string, groupIds: readonly string[], edges: ReadonlyArray<{ groupId: string; memberId: string; memberType: string }>,
): Promise<PrincipalToRead[]> {
  const ids = groupsHolding(groupIds, edges);
  const names = new Map((await readSourceGroups(db, target, ids)).map((row) => [row.id, row.attributes.displayName]));
  return ids.map((id) => {
    const name = names.get(id);
    return { id, displayName: typeof name === 'string' ? name : null };
  });
}
