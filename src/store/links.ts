// Links between Entra objects and the Notion objects we own, and the group memberships Notion has from us.
import { and, asc, eq, gt, isNotNull, or, sql } from 'drizzle-orm';
import { redactOptional, redactText } from '../observe/redact.js';
import type { Queryable } from './database.js';
import { columnsOf, inIds, textArray } from './id-array.js';
import { rowsOf } from './raw-rows.js';
import { appliedMemberships, links, type LinkRow } from './schema.js';

export type LinkObjectType = 'user' | 'group';

/**
 * active / disabled / deleted: what Notion has from us. pending-create: a POST was (maybe) sent and its outcome is not
 * known yet. unlinked: no Notion object (a create failed for sure, or a match was refused). released: no longer
 * managed (a staged delete was rejected): never touched again unless the object is matched anew. unaccounted: a Notion
 * member an initial cycle found that no in-scope Entra user accounts for (source id `notion:<id>`), waiting for
 * `approve --unaccounted` (staged to the deprovision action) or `approve --reject --unaccounted` (released).
 */
export type LinkState = 'active' | 'disabled' | 'deleted' | 'pending-create' | 'unlinked' | 'released' | 'unaccounted';

export interface LinkWrite {
  objectType: LinkObjectType;
  sourceId: string;
  notionId: string | null;
  state: LinkState;
  applied: Record<string, unknown>;
  appliedHash?: string | null;
  stagedAction?: string | null;
  stagedAt?: Date | null;
  attempts?: number;
  nextAttemptAt?: Date | null;
  lastErrorKind?: string | null;
  lastError?: string | null;
  pendingSince?: Date | null;
  /** Groups only: when the group left scope and began its grace period (see schema.ts `retiringSince`). */
  retiringSince?: Date | null;
}

export async function readLink(db: Queryable, target: string, objectType: LinkObjectType, sourceId: string): Promise<LinkRow | undefined> {
  const rows = await db
    .select()
    .from(links)
    .where(and(eq(links.target, target), eq(links.objectType, objectType), eq(links.sourceId, sourceId)));
  return rows[0];
}

/** Inserts or replaces the whole link; fields left out of `link` take their defaults (no escrow, nothing staged). */
export async function saveLink(db: Queryable, target: string, link: LinkWrite, now: Date): Promise<void> {
  await saveLinks(db, target, [link], now);
}

/**
 * `saveLink` for many links in one statement, one text[] parameter per column (`unnest`), not one per value (drizzle's
 * insert builder checks each value: 1.8 s of a 10,000-user adoption). At most one link per key: Postgres refuses to
 * upsert a row twice in one statement.
 */
export async function saveLinks(db: Queryable, target: string, toSave: readonly LinkWrite[], now: Date): Promise<void> {
  if (toSave.length === 0) return;
  const column = columnsOf(toSave);
  const iso = (date: Date | null | undefined): string | null => date?.toISOString() ?? null;
  await db.execute(sql`
    insert into ${links} (target, object_type, source_id, notion_id, state, applied, applied_hash, staged_action, staged_at, attempts,
      next_attempt_at, last_error_kind, last_error, pending_since, retiring_since, created_at, updated_at)
    select ${target}::text, l.object_type, l.source_id, l.notion_id, l.state, l.applied::jsonb, l.applied_hash, l.staged_action,
      l.staged_at::timestamptz, l.attempts::integer, l.next_attempt_at::timestamptz, l.last_error_kind, l.last_error,
      l.pending_since::timestamptz, l.retiring_since::timestamptz, ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz
    from unnest(${column((l) => l.objectType)}, ${column((l) => l.sourceId)}, ${column((l) => l.notionId)}, ${column((l) => l.state)},
      ${column((l) => JSON.stringify(l.applied))}, ${column((l) => l.appliedHash)}, ${column((l) => l.stagedAction)}, ${column((l) => iso(l.stagedAt))},
      ${column((l) => String(l.attempts ?? 0))}, ${column((l) => iso(l.nextAttemptAt))}, ${column((l) => l.lastErrorKind)},
      ${column((l) => redactOptional(l.lastError ?? null))}, ${column((l) => iso(l.pendingSince))}, ${column((l) => iso(l.retiringSince))})
      as l(object_type, source_id, notion_id, state, applied, applied_hash, staged_action, staged_at, attempts, next_attempt_at,
        last_error_kind, last_error, pending_since, retiring_since)
    on conflict (target, object_type, source_id) do update set notion_id = excluded.notion_id, state = excluded.state,
      applied = excluded.applied, applied_hash = excluded.applied_hash, staged_action = excluded.staged_action,
      staged_at = excluded.staged_at, attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at,
      last_error_kind = excluded.last_error_kind, last_error = excluded.last_error, pending_since = excluded.pending_since,
      retiring_since = excluded.retiring_since, updated_at = excluded.updated_at`);
}

/** Escrow: the object failed; try again after `nextAttemptAt`. Creates an `unlinked` row when there was no link. */
export async function escrowLink(
  db: Queryable,
  target: string,
  key: { objectType: LinkObjectType; sourceId: string },
  failure: { attempts: number; nextAttemptAt: Date; kind: string; message: string },
  now: Date,
): Promise<void> {
  const escrow = { attempts: failure.attempts, nextAttemptAt: failure.nextAttemptAt, lastErrorKind: failure.kind, lastError: redactText(failure.message), updatedAt: now };
  await db
    .insert(links)
    .values({ target, ...key, notionId: null, state: 'unlinked', applied: {}, ...escrow, createdAt: now })
    .onConflictDoUpdate({ target: [links.target, links.objectType, links.sourceId], set: escrow });
}

/** The object's last operation succeeded: its escrow (if any) is over. */
export async function clearLinkEscrow(db: Queryable, target: string, key: { objectType: LinkObjectType; sourceId: string }, now: Date): Promise<void> {
  await db
    .update(links)
    .set({ attempts: 0, nextAttemptAt: null, lastErrorKind: null, lastError: null, updatedAt: now })
    .where(and(eq(links.target, target), eq(links.objectType, key.objectType), eq(links.sourceId, key.sourceId), gt(links.attempts, 0)));
}

export async function stageLinkDeprovision(db: Queryable, target: string, key: { objectType: LinkObjectType; sourceId: string }, action: string, now: Date): Promise<void> {
  await db
    .update(links)
    .set({ stagedAction: action, stagedAt: now, updatedAt: now })
    .where(and(eq(links.target, target), eq(links.objectType, key.objectType), eq(links.sourceId, key.sourceId)));
}

/** The object came back: its staged deprovision is no longer wanted. */
export async function unstageLinkDeprovision(db: Queryable, target: string, key: { objectType: LinkObjectType; sourceId: string }): Promise<void> {
  await db
    .update(links)
    .set({ stagedAction: null, stagedAt: null })
    .where(and(eq(links.target, target), eq(links.objectType, key.objectType), eq(links.sourceId, key.sourceId)));
}

/** Staged deprovisions that an operator approved carry this prefix; the next cycle applies them past the guard. */
export const approvedPrefix = 'approved:';

/** Some links of one type, by source id. */
export interface LinksOf {
  objectType: LinkObjectType;
  sourceIds: readonly string[];
}

// The ids as one array parameter (inIds), with their type: `approve` of everything staged after a mass deprovision
// passed each id as a parameter, and failed past Postgres's 65,535; without the type no index serves the ids.
const stagedFilter = (target: string, only: LinksOf | undefined) =>
  and(eq(links.target, target), isNotNull(links.stagedAction), ...(only ? [eq(links.objectType, only.objectType), inIds(sql`${links.sourceId}`, only.sourceIds)] : []));

/** A page of one type's links: after this source id, how many at most, and of which ids only. */
export interface LinkPage {
  objectType: LinkObjectType;
  afterSourceId?: string;
  limit: number;
  sourceIds?: readonly string[];
}

/**
 * The conditions and order of a page of one target's links: a range of the primary key, so that a decision can page
 * while it writes and each page is read from the index (ordered otherwise, each page sorted every row it filtered:
 * 250 ms a page at 66,000 staged deletes).
 */
export const linkPageOf = (page: LinkPage) => ({
  where: and(
    eq(links.objectType, page.objectType),
    page.afterSourceId === undefined ? undefined : gt(links.sourceId, page.afterSourceId),
    page.sourceIds ? inIds(sql`${links.sourceId}`, page.sourceIds) : undefined,
  ),
  orderBy: asc(links.sourceId),
});

/** Marks staged deprovisions (all, or those of the given Entra ids) as approved; returns how many. */
export async function approveStagedDeprovisions(db: Queryable, target: string, only?: LinksOf): Promise<number> {
  const rows = await db
    .update(links)
    .set({ stagedAction: sql`case when ${links.stagedAction} like ${`${approvedPrefix}%`} then ${links.stagedAction} else ${approvedPrefix} || ${links.stagedAction} end`, updatedAt: new Date() })
    .where(stagedFilter(target, only))
    .returning({ sourceId: links.sourceId });
  return rows.length;
}

/** Rejected staged deprovisions: the objects stay as they are in Notion and are released from management. */
export async function rejectStagedDeprovisions(db: Queryable, target: string, only?: LinksOf): Promise<number> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(links)
      .set({ stagedAction: null, stagedAt: null, state: 'released', notionId: null, retiringSince: null, updatedAt: new Date() })
      .where(stagedFilter(target, only))
      .returning({ sourceId: links.sourceId, objectType: links.objectType });
    const released = (objectType: string) => rows.filter((row) => row.objectType === objectType).map((row) => row.sourceId);
    for (const [column, ids] of [[appliedMemberships.userSourceId, released('user')], [appliedMemberships.groupSourceId, released('group')]] as const) {
      if (ids.length > 0) await tx.delete(appliedMemberships).where(and(eq(appliedMemberships.target, target), inIds(sql`${column}`, ids)));
    }
    return rows.length;
  });
}

const unaccounted = (target: string) => and(eq(links.target, target), eq(links.objectType, 'user'), eq(links.state, 'unaccounted'));

/** A page of the unaccounted members: the rows a decision applies to, a page at a time. */
export async function readUnaccountedPage(db: Queryable, target: string, page: LinkPage): Promise<LinkRow[]> {
  const { where, orderBy } = linkPageOf(page);
  return db.select().from(links).where(and(unaccounted(target), where)).orderBy(orderBy).limit(page.limit);
}

/** The unaccounted members a decision names, by Notion id or userName (case-insensitive). */
export async function findUnaccountedMembers(db: Queryable, target: string, ids: readonly string[]): Promise<LinkRow[]> {
  return db.select().from(links).where(and(unaccounted(target), or(
    inIds(sql`${links.notionId}`, ids),
    inIds(sql`lower(${links.applied}->>'userName')`, ids.map((id) => id.toLowerCase())),
  )));
}

/**
 * Approved: the member becomes a link holding an approved staged deprovision, so the guard lets the next cycle apply
 * the deprovision action. Rejected: released, never touched nor reported again.
 */
export async function decideUnaccountedLinks(db: Queryable, target: string, sourceIds: readonly string[], decision: { approve: string } | { reject: true }): Promise<void> {
  if (sourceIds.length === 0) return;
  const now = new Date();
  const set = 'approve' in decision
    ? { state: 'active', stagedAction: `${approvedPrefix}${decision.approve}`, stagedAt: now, updatedAt: now }
    : { state: 'released', notionId: null, updatedAt: now };
  await db
    .update(links)
    .set(set)
    .where(and(unaccounted(target), inIds(sql`${links.sourceId}`, sourceIds)));
}

/** Clears every escrow so that failed objects are tried again in the next cycle; returns how many. */
export async function clearEscrows(db: Queryable, target: string): Promise<number> {
  // Counted in the database: returning every cleared id only to count them held them all.
  const [row] = await rowsOf<{ cleared: number }>(db, sql`
    with cleared as (
      update ${links} set attempts = 0, next_attempt_at = null, last_error_kind = null, last_error = null, updated_at = now()
      where target = ${target} and (attempts > 0 or next_attempt_at is not null)
      returning 1)
    select count(*)::int as cleared from cleared`);
  return row?.cleared ?? 0;
}

/** A group kept emptied in Notion after it left scope: deleted at `deleteAfter` (null: group deletes are off). */
export interface RetiringGroup {
  sourceId: string;
  notionId: string | null;
  name: string | undefined;
  retiringSince: Date;
}

/** Groups in their grace period (or kept for good when group deletes are off), oldest first. */
export async function listRetiringGroups(db: Queryable, target: string, limit = 1000): Promise<RetiringGroup[]> {
  const rows = await db
    .select({ sourceId: links.sourceId, notionId: links.notionId, applied: links.applied, retiringSince: links.retiringSince })
    .from(links)
    .where(and(eq(links.target, target), eq(links.objectType, 'group'), eq(links.state, 'disabled'), isNotNull(links.retiringSince)))
    .orderBy(asc(links.retiringSince))
    .limit(limit);
  return rows.map((r) => ({
    sourceId: r.sourceId,
    notionId: r.notionId,
    name: typeof r.applied.displayName === 'string' ? r.applied.displayName : undefined,
    retiringSince: r.retiringSince as Date,
  }));
}

// ---- applied memberships ----

/** One array parameter for the members, whatever their number (an adopted group brings all of its own at once). */
export async function addAppliedMemberships(db: Queryable, target: string, groupSourceId: string, userSourceIds: readonly string[]): Promise<void> {
  if (userSourceIds.length === 0) return;
  await db.execute(sql`
    insert into ${appliedMemberships} (target, group_source_id, user_source_id)
    select ${target}::text, ${groupSourceId}::text, unnest(${textArray(userSourceIds)})
    on conflict do nothing`);
}

export async function removeAppliedMemberships(db: Queryable, target: string, groupSourceId: string, userSourceIds: readonly string[]): Promise<void> {
  if (userSourceIds.length === 0) return;
  await db
    .delete(appliedMemberships)
    .where(and(eq(appliedMemberships.target, target), eq(appliedMemberships.groupSourceId, groupSourceId), inIds(sql`${appliedMemberships.userSourceId}`, userSourceIds)));
}

/** Notion drops the memberships of a removed member (reference §3.1): forget them so that a re-enable adds them back. */
export async function clearAppliedMembershipsOfUser(db: Queryable, target: string, userSourceId: string): Promise<void> {
  await db.delete(appliedMemberships).where(and(eq(appliedMemberships.target, target), eq(appliedMemberships.userSourceId, userSourceId)));
}

export async function clearAppliedMembershipsOfGroup(db: Queryable, target: string, groupSourceId: string): Promise<void> {
  await db.delete(appliedMemberships).where(and(eq(appliedMemberships.target, target), eq(appliedMemberships.groupSourceId, groupSourceId)));
}
