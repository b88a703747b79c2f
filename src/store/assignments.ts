// The mirror's app role assignments. Graph has no delta for them (reference entra-provisioning §6.3): each cycle lists
// them in full, and issue 14 asks that no cycle hold them whole. The listing's pages are staged in
// `source_assignments_listing` as they arrive; once the listing is complete, one transaction sets `source_assignments`
// to it in SQL. The watch poll compares a listing with the mirror page by page, also in SQL. On-demand provisioning
// reads only the assignments of the principals it concerns, and sets only theirs.
import { sql, type SQL } from 'drizzle-orm';
import type { Queryable } from './database.js';
import { columnsOf, inIds } from './id-array.js';
import { rowsOf } from './raw-rows.js';
import { sourceAssignments, sourceAssignmentsListing, sourceGroups, sourceMemberships, sourceUsers } from './schema.js';

/** One assignment of a user or group to the app, as listed by `appRoleAssignedTo`. */
export interface AssignmentWrite {
  id: string;
  principalId: string;
  principalType: string;
  appRoleId: string;
  principalDisplayName: string | null;
}

/** Empties the scratch of this target's listing: before a listing starts (a failed one may have left pages there). */
export async function clearAssignmentListing(db: Queryable, target: string): Promise<void> {
  await db.delete(sourceAssignmentsListing).where(sql`${sourceAssignmentsListing.target} = ${target}`);
}

/** Adds one page of the listing to the scratch; an id listed twice keeps its last row (as Graph would answer it now). */
export async function stageAssignmentPage(db: Queryable, target: string, page: readonly AssignmentWrite[]): Promise<void> {
  if (page.length === 0) return;
  await db.execute(sql`
    insert into ${sourceAssignmentsListing} (target, id, principal_id, principal_type, app_role_id, principal_display_name)
    select ${target}::text, a.id, a.principal_id, a.principal_type, a.app_role_id, a.principal_display_name from ${listedRows(page)}
    on conflict (target, id) do update set principal_id = excluded.principal_id, principal_type = excluded.principal_type,
      app_role_id = excluded.app_role_id, principal_display_name = excluded.principal_display_name`);
}

/**
 * Makes source_assignments equal to the staged listing, which must be complete, and empties the scratch; run it in a
 * transaction. Returns how many rows were added, changed or removed.
 */
export async function applyAssignmentListing(db: Queryable, target: string): Promise<number> {
  const staged = sql`(select id, principal_id, principal_type, app_role_id, principal_display_name from ${sourceAssignmentsListing}
    where target = ${target}) as a`;
  const changed = await setAssignments(db, target, staged, sql`true`);
  await clearAssignmentListing(db, target);
  return changed;
}

/**
 * Sets the assignments of these principals to `rows`, every one of which is theirs (an on-demand read of what they
 * hold); the rows of all other principals stay as they are. Marks dirty what setting a whole listing would for these
 * principals. It does not use the scratch: that belongs to the cycle holding the target lock, and on-demand imports run
 * without it. Returns how many rows were added, changed or removed.
 */
export async function replaceAssignmentsOf(db: Queryable, target: string, principalIds: readonly string[], rows: readonly AssignmentWrite[]): Promise<number> {
  const principals = new Set(principalIds);
  const stranger = rows.find((row) => !principals.has(row.principalId));
  if (stranger) throw new Error(`assignment ${stranger.id} is of ${stranger.principalId}, not of the principals being set`);
  if (principals.size === 0) return 0;
  return setAssignments(db, target, listedRows(rows), inIds(sql`s.principal_id`, [...principals]));
}

/** Of these assignment ids (one listed page), how many the mirror holds. */
export async function countMirroredAssignments(db: Queryable, target: string, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const [row] = await rowsOf<{ n: number | string }>(db, sql`
    select count(*) as n from ${sourceAssignments} where target = ${target} and ${inIds(sql`id`, ids)}`);
  return Number(row?.n ?? 0);
}

export async function countAssignments(db: Queryable, target: string): Promise<number> {
  const [row] = await rowsOf<{ n: number | string }>(db, sql`select count(*) as n from ${sourceAssignments} where target = ${target}`);
  return Number(row?.n ?? 0);
}

/** Rows in hand as a relation `a` with the table's columns; the last row of an id listed twice wins. */
function listedRows(rows: readonly AssignmentWrite[]): SQL {
  const latest = [...new Map(rows.map((row) => [row.id, row])).values()];
  const column = columnsOf(latest);
  return sql`unnest(${column((row) => row.id)}, ${column((row) => row.principalId)}, ${column((row) => row.principalType)},
    ${column((row) => row.appRoleId)}, ${column((row) => row.principalDisplayName)}) as a(id, principal_id, principal_type, app_role_id, principal_display_name)`;
}

/**
 * Sets the target's stored assignments that `owned` selects (a condition on a stored row `s`: all of them, or those of
 * some principals) to `listing` (a relation `a` with the table's columns, one row per id) in four statements, none of
 * which brings rows to the client. An assignment added, removed or changed changes its principal's scope or roles, so
 * the principal is marked dirty first, while the old rows are still there to compare: the user, or the group and its
 * direct user members.
 */
async function setAssignments(db: Queryable, target: string, listing: SQL, owned: SQL): Promise<number> {
  // Whether a stored row `s` and a listed row `a` of the same id differ (a null display name equals a null).
  const differs = sql`(s.principal_id, s.principal_type, s.app_role_id, s.principal_display_name)
    is distinct from (a.principal_id, a.principal_type, a.app_role_id, a.principal_display_name)`;
  // Both sides of each difference: a removed or changed row's old principal, an added or changed row's new one. The
  // update of groups runs as part of the statement (a data-modifying WITH runs once, whether or not it is read).
  await db.execute(sql`
    with changed(principal_id, principal_type) as (
      select s.principal_id, s.principal_type from ${sourceAssignments} s
      where s.target = ${target} and ${owned} and not exists (select 1 from ${listing} where a.id = s.id and not ${differs})
      union
      select a.principal_id, a.principal_type from ${listing}
      where not exists (select 1 from ${sourceAssignments} s where s.target = ${target} and s.id = a.id and not ${differs})
    ), changed_groups as (
      update ${sourceGroups} set dirty = true
      where target = ${target} and id in (select principal_id from changed where principal_type = 'Group')
    )
    update ${sourceUsers} set dirty = true
    where target = ${target} and (
      id in (select principal_id from changed where principal_type = 'User')
      or id in (select member_id from ${sourceMemberships} where target = ${target} and member_type = 'user'
        and group_id in (select principal_id from changed where principal_type = 'Group')))`);
  const counted = async (statement: SQL): Promise<number> => {
    const [row] = await rowsOf<{ n: number | string }>(db, sql`with written as (${statement} returning 1) select count(*) as n from written`);
    return Number(row?.n ?? 0);
  };
  const removed = await counted(sql`
    delete from ${sourceAssignments} s where s.target = ${target} and ${owned} and not exists (select 1 from ${listing} where a.id = s.id)`);
  const changed = await counted(sql`
    update ${sourceAssignments} s set principal_id = a.principal_id, principal_type = a.principal_type, app_role_id = a.app_role_id,
      principal_display_name = a.principal_display_name
    from ${listing} where s.target = ${target} and s.id = a.id and ${differs}`);
  // New rows by the unique index, not by an anti-join with the table written to: planned while the table is empty (the
  // first import), that join scanned again, for each listed row, every row the statement had inserted so far.
  const added = await counted(sql`
    insert into ${sourceAssignments} (target, id, principal_id, principal_type, app_role_id, principal_display_name)
    select ${target}::text, a.id, a.principal_id, a.principal_type, a.app_role_id, a.principal_display_name from ${listing}
    on conflict (target, id) do nothing`);
  return removed + changed + added;
}
