// The whole mirror of a target, as scope is computed from it (ids and removal states, edges, assignments): what the
// tests compare with the tenant. The engine never reads it whole (issue 14); tests may.
import { eq } from 'drizzle-orm';
import { sourceAssignments, sourceGroups, sourceMemberships, sourceUsers } from '../../src/store/schema.js';
import type { Queryable } from '../../src/store/index.js';

export interface MirrorForScope {
  users: Array<{ id: string; removedReason: string | null; seenGeneration: number }>;
  groups: Array<{ id: string; removedReason: string | null; seenGeneration: number }>;
  memberships: Array<{ groupId: string; memberId: string; memberType: string }>;
  assignments: Array<{ principalId: string; principalType: string }>;
}

/** What scope is computed from: ids and removal states, edges and assignments (no attributes). */
export async function readMirrorForScope(db: Queryable, target: string): Promise<MirrorForScope> {
  const columns = (table: typeof sourceUsers) => ({ id: table.id, removedReason: table.removedReason, seenGeneration: table.seenGeneration });
  const [users, groups, memberships, assignments] = await Promise.all([
    db.select(columns(sourceUsers)).from(sourceUsers).where(eq(sourceUsers.target, target)),
    db.select(columns(sourceGroups as unknown as typeof sourceUsers)).from(sourceGroups).where(eq(sourceGroups.target, target)),
    db.select({ groupId: sourceMemberships.groupId, memberId: sourceMemberships.memberId, memberType: sourceMemberships.memberType })
      .from(sourceMemberships).where(eq(sourceMemberships.target, target)),
    db.select({ principalId: sourceAssignments.principalId, principalType: sourceAssignments.principalType })
      .from(sourceAssignments).where(eq(sourceAssignments.target, target)),
  ]);
  return { users, groups, memberships, assignments };
}
