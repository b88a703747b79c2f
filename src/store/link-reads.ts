// Link reads proportional to a cycle's change (issue 14): the links of given objects, the applied memberships of given
// groups, and counts, instead of every link and every applied membership of the target.
import { and, eq, isNotNull, like, ne, sql } from 'drizzle-orm';
import type { Queryable } from './database.js';
import type { LinkObjectType } from './links.js';
import { chunksOf as chunks } from './chunks.js';
import { inIds } from './id-array.js';
import { appliedMemberships, links, type LinkRow } from './schema.js';


/** The links of these objects, except those kept for unaccounted members (no Entra object stands behind them). */
export async function readLinksOf(db: Queryable, target: string, objectType: LinkObjectType, sourceIds: readonly string[]): Promise<LinkRow[]> {
  const rows: LinkRow[] = [];
  for (const ids of chunks([...new Set(sourceIds)])) {
    rows.push(...(await db.select().from(links)
      .where(and(eq(links.target, target), eq(links.objectType, objectType), inIds(sql`${links.sourceId}`, ids), ne(links.state, 'unaccounted')))));
  }
  return rows;
}

/** A link as the holder of a Notion id: which object holds it, in which state (no attributes). */
export interface LinkHolder {
  sourceId: string;
  notionId: string;
  state: string;
}

/**
 * The links that hold one of these Notion ids (other than `exceptSourceId`'s, when given): a lookup on the
 * links_notion_id index, in chunks of ids.
 */
export async function readHoldersOf(db: Queryable, target: string, objectType: LinkObjectType, notionIds: readonly string[], exceptSourceId?: string): Promise<LinkHolder[]> {
  const holders: LinkHolder[] = [];
  for (const ids of chunks([...new Set(notionIds)])) {
    const rows = await db.select({ sourceId: links.sourceId, notionId: links.notionId, state: links.state }).from(links)
      .where(and(
        eq(links.target, target), eq(links.objectType, objectType), inIds(sql`${links.notionId}`, ids), ne(links.state, 'unaccounted'),
        exceptSourceId === undefined ? undefined : ne(links.sourceId, exceptSourceId),
      ));
    holders.push(...(rows as LinkHolder[]));
  }
  return holders;
}

/** Linked active users: the base of the deletion guard's percentage. */
export async function countActiveUserLinks(db: Queryable, target: string): Promise<number> {
  const rows = await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(links)
    .where(and(eq(links.target, target), eq(links.objectType, 'user'), eq(links.state, 'active')));
  return rows[0]?.n ?? 0;
}

/** Applied memberships of these groups. */
export async function readAppliedMembershipsOf(db: Queryable, target: string, groupSourceIds: readonly string[]): Promise<Map<string, Set<string>>> {
  const applied = new Map<string, Set<string>>();
  for (const ids of chunks([...new Set(groupSourceIds)])) {
    const rows = await db.select({ groupSourceId: appliedMemberships.groupSourceId, userSourceId: appliedMemberships.userSourceId }).from(appliedMemberships)
      .where(and(eq(appliedMemberships.target, target), inIds(sql`${appliedMemberships.groupSourceId}`, ids)));
    for (const row of rows) applied.set(row.groupSourceId, (applied.get(row.groupSourceId) ?? new Set()).add(row.userSourceId));
  }
  return applied;
}

/** Staged deprovisions an operator approved, as `${objectType}:${sourceId}`. */
export async function readApprovedStaged(db: Queryable, target: string, approvedPrefix: string): Promise<Set<string>> {
  const rows = await db.select({ objectType: links.objectType, sourceId: links.sourceId }).from(links)
    .where(and(eq(links.target, target), isNotNull(links.stagedAction), like(links.stagedAction, `${approvedPrefix}%`)));
  return new Set(rows.map((row) => `${row.objectType}:${row.sourceId}`));
}

/** Whether the target has any link at all (an empty store runs an initial cycle). */
export async function hasLinks(db: Queryable, target: string): Promise<boolean> {
  const rows = await db.select({ one: sql`1` }).from(links).where(eq(links.target, target)).limit(1);
  return rows.length > 0;
}
