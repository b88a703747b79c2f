// Whole-table reads of a target's mirror and links, for tests to compare with the tenant and with Notion. The engine
// never reads a table whole (issue 14); tests may.
import { and, eq, sql } from 'drizzle-orm';
import type { LinkObjectType, Queryable } from '../../src/store/index.js';
import {
  appliedMemberships, links, sourceAssignments, sourceAssignmentsListing, sourceGroups, sourceMemberships, sourceUsers, type LinkRow, type SourceAssignmentRow,
} from '../../src/store/schema.js';

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

/** Every assignment row of the target, by id. */
export async function readAssignmentRows(db: Queryable, target: string): Promise<SourceAssignmentRow[]> {
  return db.select().from(sourceAssignments).where(eq(sourceAssignments.target, target)).orderBy(sourceAssignments.id);
}

/** Rows a listing left in its scratch table (empty between imports). */
export async function countStagedAssignments(db: Queryable, target: string): Promise<number> {
  const rows = await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(sourceAssignmentsListing).where(eq(sourceAssignmentsListing.target, target));
  return rows[0]?.n ?? 0;
}

export async function readDirtyIds(db: Queryable, target: string): Promise<{ users: string[]; groups: string[] }> {
  const [users, groups] = await Promise.all([
    db.select({ id: sourceUsers.id }).from(sourceUsers).where(and(eq(sourceUsers.target, target), eq(sourceUsers.dirty, true))),
    db.select({ id: sourceGroups.id }).from(sourceGroups).where(and(eq(sourceGroups.target, target), eq(sourceGroups.dirty, true))),
  ]);
  return { users: users.map((row) => row.id), groups: groups.map((row) => row.id) };
}

export async function readLinks(db: Queryable, target: string, objectType?: LinkObjectType): Promise<LinkRow[]> {
  const where = objectType ? and(eq(links.target, target), eq(links.objectType, objectType)) : eq(links.target, target);
  return db.select().from(links).where(where);
}

export async function countLinks(db: Queryable, target: string): Promise<number> {
  const rows = await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(links).where(eq(links.target, target));
  return rows[0]?.n ?? 0;
}

export async function readAppliedMemberships(db: Queryable, target: string): Promise<Array<{ groupSourceId: string; userSourceId: string }>> {
  return db
    .select({ groupSourceId: appliedMemberships.groupSourceId, userSourceId: appliedMemberships.userSourceId })
    .from(appliedMemberships)
    .where(eq(appliedMemberships.target, target));
}
