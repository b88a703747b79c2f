// Scope as set queries (issue 14): who is in scope, which objects a cycle must evaluate and which groups' memberships
// it must plan, computed in SQL so that a cycle reads only what changed, never the whole mirror into memory.
// The rule is Entra's (reference entra-provisioning §1.2), the same as src/entra/scope.ts computes from plain rows.
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Queryable } from './database.js';
import { inIds, textArray } from './id-array.js';
import { rowsOf } from './raw-rows.js';
import { sourceAssignments, type SourceAssignmentRow } from './schema.js';

export interface ScopeRule {
  scope: 'assigned' | 'all';
  transitiveGroups: boolean;
}

export type ScopeObjectType = 'user' | 'group';

/**
 * The common-table prefix: `assigned_groups`, `reach` (the assigned groups and, when transitive, the groups nested in
 * them), `named_users` (the ids the rule names, mirrored or not), `scope_users` and `scope_groups` (live ones).
 */
function scopePrefix(target: string, rule: ScopeRule): SQL {
  const reach = rule.transitiveGroups
    ? sql`reach(id) as (
        select id from assigned_groups
        union
        select m.member_id from reach r join source_memberships m on m.target = ${target} and m.group_id = r.id and m.member_type = 'group')`
    : sql`reach(id) as (select id from assigned_groups)`;
  const named = rule.scope === 'all'
    ? sql`named_users(id) as (select id from source_users where target = ${target})`
    : sql`named_users(id) as (
        select principal_id from source_assignments where target = ${target} and principal_type = 'User'
        union
        select m.member_id from source_memberships m join reach r on m.group_id = r.id where m.target = ${target} and m.member_type = 'user')`;
  const scopeGroups = rule.scope === 'all'
    ? sql`scope_groups(id) as (select id from source_groups where target = ${target} and removed_reason is null)`
    : sql`scope_groups(id) as (select g.id from source_groups g join assigned_groups a on a.id = g.id where g.target = ${target} and g.removed_reason is null)`;
  // With `all`, the rule names every mirrored user: no semi-join of the users with themselves (a second at 100,000).
  const scopeUsers = rule.scope === 'all'
    ? sql`scope_users(id) as (select id from source_users where target = ${target} and removed_reason is null)`
    : sql`scope_users(id) as (select u.id from source_users u where u.target = ${target} and u.removed_reason is null and u.id in (select id from named_users))`;
  return sql`with recursive
    assigned_groups(id) as (select distinct principal_id from source_assignments where target = ${target} and principal_type = 'Group'),
    ${reach},
    ${named},
    ${scopeUsers},
    ${scopeGroups}`;
}

/**
 * `members(group_id, user_id)`: the live user members Notion should have of each in-scope group (of `roots` when
 * given): direct members, or everyone reachable through nested groups when transitive (Notion groups cannot nest).
 * Members of an in-scope group are in scope by the rule, so "live" is the only filter left.
 */
function membersTable(target: string, rule: ScopeRule, roots?: readonly string[]): SQL {
  const from = roots ? sql`select id from scope_groups where ${inIds(sql`id`, roots)}` : sql`select id from scope_groups`;
  const walk = rule.transitiveGroups
    ? sql`walk(root, id) as (
        select id, id from roots
        union
        select w.root, m.member_id from walk w join source_memberships m on m.target = ${target} and m.group_id = w.id and m.member_type = 'group')`
    : sql`walk(root, id) as (select id, id from roots)`;
  return sql`roots(id) as (${from}),
    ${walk},
    members(group_id, user_id) as (
      select distinct w.root, m.member_id from walk w
      join source_memberships m on m.target = ${target} and m.group_id = w.id and m.member_type = 'user'
      join source_users u on u.target = ${target} and u.id = m.member_id and u.removed_reason is null)`;
}

/** How many live users and groups are in scope. */
export async function countScope(db: Queryable, target: string, rule: ScopeRule): Promise<{ users: number; groups: number }> {
  const [row] = await rowsOf<{ users: number | string; groups: number | string }>(db, sql`${scopePrefix(target, rule)}
    select (select count(*) from scope_users) as users, (select count(*) from scope_groups) as groups`);
  return { users: Number(row?.users ?? 0), groups: Number(row?.groups ?? 0) };
}

/** For the import's small-scope choice: users the rule names, and users known at all (mirror rows and group members). */
export async function countNamedAndKnownUsers(db: Queryable, target: string, rule: ScopeRule): Promise<{ named: number; known: number }> {
  const [row] = await rowsOf<{ named: number | string; known: number | string }>(db, sql`${scopePrefix(target, rule)}
    select (select count(*) from named_users) as named,
      (select count(*) from (
        select id from source_users where target = ${target}
        union
        select member_id from source_memberships where target = ${target} and member_type = 'user') k) as known`);
  return { named: Number(row?.named ?? 0), known: Number(row?.known ?? 0) };
}

/** Of these user ids, those the mirror knows of: a row, a membership or an assignment. */
export async function readKnownUserIds(db: Queryable, target: string, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await rowsOf<{ id: string }>(db, sql`
    select id from source_users where target = ${target} and ${inIds(sql`id`, ids)}
    union select member_id from source_memberships where target = ${target} and ${inIds(sql`member_id`, ids)}
    union select principal_id from source_assignments where target = ${target} and ${inIds(sql`principal_id`, ids)}`);
  return rows.map((row) => row.id);
}

/** Users the rule names that no read of this generation has seen (new in scope, or the small-scope path). */
export async function readStaleScopeUsers(db: Queryable, target: string, rule: ScopeRule, generation: number): Promise<string[]> {
  // With `all`, the named users are the mirrored rows themselves: the stale ones are those the read did not reach.
  const rows = rule.scope === 'all'
    ? await rowsOf<{ id: string }>(db, sql`select id from source_users where target = ${target} and seen_generation < ${generation} order by id`)
    : await rowsOf<{ id: string }>(db, sql`${scopePrefix(target, rule)}
    select n.id from named_users n
    where not exists (select 1 from source_users u where u.target = ${target} and u.id = n.id and u.seen_generation >= ${generation})
    order by n.id`);
  return rows.map((row) => row.id);
}

export interface CandidateQuery {
  /** Every mirrored object (a full or verify run, a mapping change). */
  evaluateAll: boolean;
  now: Date;
  /** Restrict to these ids (on-demand provisioning). */
  only?: readonly string[];
  /**
   * One page of the ids, in id order after `after` (a windowed cycle, src/engine/windowed-cycle.ts): the vanished
   * links are then not read (readVanishedLinks reads them once).
   */
  page?: { after: string | null; limit: number };
}

export interface CandidateRows {
  /** Mirrored ids to evaluate, with whether the object is in scope. */
  ids: Array<{ id: string; inScope: boolean }>;
  /** Linked ids that the mirror no longer holds at all: treated as deleted in Entra. */
  vanished: string[];
}

/** A link with open work: the predicate of the links_open_work index (schema.ts), so that the index serves it. */
const openWorkLink = sql`(l.staged_action is not null or l.attempts > 0 or l.state in ('unaccounted', 'pending-create') or l.retiring_since is not null)`;

/** A link `l` escrowed and not yet due at `now`: left out of a cycle until then. */
const escrowWaiting = (now: Date): SQL => sql`coalesce(l.attempts > 0 and l.next_attempt_at > ${now.toISOString()}::timestamptz, false)`;

/** The mirror table of one kind. */
const mirrorTable = (objectType: ScopeObjectType): SQL => (objectType === 'user' ? sql.raw('source_users') : sql.raw('source_groups'));

/**
 * Which objects a cycle evaluates (the rule of src/engine/candidates.ts, as a query): dirty ones, every link with open
 * work (a pending create, an escrow, a staged deprovision, a group in its grace period), objects whose scope is not
 * the one a completed cycle last evaluated them with, or all of them; never an escrow not yet due.
 */
export async function readCandidates(db: Queryable, target: string, objectType: ScopeObjectType, rule: ScopeRule, query: CandidateQuery): Promise<CandidateRows> {
  const table = mirrorTable(objectType);
  const scoped = objectType === 'user' ? sql.raw('scope_users') : sql.raw('scope_groups');
  // With `all`, every live object is in scope: no join of the mirror with itself.
  const inScope = rule.scope === 'all' ? sql`(o.removed_reason is null)` : sql`(s.id is not null)`;
  const scopeJoin = rule.scope === 'all' ? sql`` : sql`left join ${scoped} s on s.id = o.id`;
  const waiting = escrowWaiting(query.now);
  const linkJoin = sql`left join links l on l.target = o.target and l.object_type = ${objectType} and l.source_id = o.id`;
  const only = query.only ? sql`and ${inIds(sql`o.id`, query.only)}` : sql``;
  const after = query.page?.after ?? null;
  const keyset = (column: SQL) => (after === null ? sql`` : sql`and ${column} > ${after}`);
  const limit = query.page ? sql`limit ${query.page.limit}` : sql``;
  const ids = query.evaluateAll || query.only
    ? await rowsOf<{ id: string; in_scope: boolean }>(db, sql`${scopePrefix(target, rule)}
        select o.id, ${inScope} as in_scope from ${table} o ${scopeJoin} ${linkJoin}
        where o.target = ${target} ${only} ${query.only ? sql`` : sql`and not ${waiting}`} ${keyset(sql`o.id`)}
        order by o.id ${limit}`)
    : await rowsOf<{ id: string; in_scope: boolean }>(db, sql`${scopePrefix(target, rule)}
        select id, in_scope from (
        -- What changed in Entra, and (level-triggered, once per scope) every object whose scope is not the one a
        -- completed cycle last evaluated it with: a scope that moved through a nested group or a group's removal
        -- marks no user dirty. An object evaluated with the scope it has now (a disabled user left unlinked, a
        -- protected user left linked) stays settled until it changes.
        select o.id, ${inScope} as in_scope from ${table} o ${scopeJoin} ${linkJoin}
        where o.target = ${target} and (o.dirty or o.evaluated_in_scope is distinct from ${inScope}) and not ${waiting}
        union
        -- Open work (through the links_open_work index): a pending create, a due escrow, a staged deprovision, and a
        -- group in its grace period, whose delete falls due without any change in Entra.
        select o.id, ${inScope} from links l join ${table} o on o.target = l.target and o.id = l.source_id ${scopeJoin}
        where l.target = ${target} and l.object_type = ${objectType} and not ${waiting}
          and ${openWorkLink}) candidates
        where true ${keyset(sql`id`)}
        order by id ${limit}`);
  const vanished = query.only || query.page ? [] : await readVanishedLinks(db, target, objectType, query);
  return { ids: ids.map((row) => ({ id: row.id, inScope: row.in_scope })), vanished };
}

/** Linked ids that the mirror no longer holds at all (not an escrow waiting): treated as deleted in Entra. */
export async function readVanishedLinks(db: Queryable, target: string, objectType: ScopeObjectType, query: Pick<CandidateQuery, 'evaluateAll' | 'now'>): Promise<string[]> {
  const table = mirrorTable(objectType);
  const waiting = escrowWaiting(query.now);
  // Mirror rows are never deleted: a link without one is an approved unaccounted member (open work, found through the
  // links_open_work index) unless the mirror was lost; a full, verify or mapping-change run checks every link.
  const openWork = query.evaluateAll ? sql`` : sql`and ${openWorkLink}`;
  const rows = await rowsOf<{ source_id: string }>(db, sql`select l.source_id from links l
    where l.target = ${target} and l.object_type = ${objectType} and l.state in ('active', 'disabled') and not ${waiting} ${openWork}
      and not exists (select 1 from ${table} o where o.target = ${target} and o.id = l.source_id)
    order by l.source_id`);
  return rows.map((row) => row.source_id);
}

/** Of these mirrored ids, those in scope now (the rule of `readCandidates`, for a few objects: on-demand provisioning). */
export async function readInScopeIds(db: Queryable, target: string, objectType: ScopeObjectType, rule: ScopeRule, ids: readonly string[]): Promise<Set<string>> {
  const { ids: rows } = await readCandidates(db, target, objectType, rule, { evaluateAll: false, now: new Date(), only: ids });
  return new Set(rows.filter((row) => row.inScope).map((row) => row.id));
}

/**
 * The groups whose memberships this cycle plans, with whether each is in scope: the evaluated groups, the in-scope
 * groups that hold them (transitive: their member lists change with a nested group's), and the groups of the evaluated
 * users (in-scope groups they are in, directly or through nested groups, and groups we applied them to). Every way a
 * group's wanted members can part from its applied ones evaluates one of these: a membership change dirties the group,
 * a user's scope or link change evaluates the user, a failed or refused batch escrows the group, and a removal held
 * by an incomplete import leaves the group dirty (src/engine/cycle.ts, finishState). So a cycle reads the groups of
 * what changed, never every membership of the tenant.
 */
export async function readTouchedGroups(
  db: Queryable, target: string, rule: ScopeRule, evaluated: { users: readonly string[]; groups: readonly string[] },
): Promise<Array<{ id: string; inScope: boolean }>> {
  if (evaluated.users.length === 0 && evaluated.groups.length === 0) return [];
  const parentsOf = (from: SQL) => sql`select m.group_id from ${from} c join source_memberships m on m.target = ${target} and m.member_id = c.id and m.member_type = 'group'`;
  const holders = rule.transitiveGroups
    ? sql`holders(id) as (
        select m.group_id from source_memberships m where m.target = ${target} and m.member_type = 'user' and ${inIds(sql`m.member_id`, evaluated.users)}
        union select unnest(${textArray(evaluated.groups)})
        union ${parentsOf(sql`holders`)})`
    : sql`holders(id) as (
        select m.group_id from source_memberships m where m.target = ${target} and m.member_type = 'user' and ${inIds(sql`m.member_id`, evaluated.users)})`;
  const rows = await rowsOf<{ id: string; in_scope: boolean }>(db, sql`${scopePrefix(target, rule)},
    ${holders},
    touched(id) as (
      select unnest(${textArray(evaluated.groups)})
      union select h.id from holders h where h.id in (select id from scope_groups)
      union select a.group_source_id from applied_memberships a where a.target = ${target} and ${inIds(sql`a.user_source_id`, evaluated.users)}
      -- A returning user (an evaluated user linked disabled or deleted) may be given back groups by Notion that we no
      -- longer record (restored-memberships.ts): every managed group is checked then.
      union select l.source_id from links l where l.target = ${target} and l.object_type = 'group' and l.state = 'active' and l.notion_id is not null
        and exists (select 1 from links u where u.target = ${target} and u.object_type = 'user'
          and u.state in ('disabled', 'deleted') and ${inIds(sql`u.source_id`, evaluated.users)}))
    select t.id, t.id in (select id from scope_groups) as in_scope from touched t order by t.id`);
  return rows.map((row) => ({ id: row.id, inScope: row.in_scope }));
}

/**
 * Per user of `userIds`, the in-scope groups that hold it, directly or (transitive) through nested groups: for the app
 * roles a user holds through a group.
 */
export async function readScopeGroupsOfUsers(db: Queryable, target: string, rule: ScopeRule, userIds: readonly string[]): Promise<Map<string, string[]>> {
  const groups = new Map<string, string[]>();
  if (userIds.length === 0) return groups;
  const up = rule.transitiveGroups
    ? sql`union select h.user_id, m.group_id from holders h join source_memberships m on m.target = ${target} and m.member_id = h.group_id and m.member_type = 'group'`
    : sql``;
  const rows = await rowsOf<{ user_id: string; group_id: string }>(db, sql`${scopePrefix(target, rule)},
    holders(user_id, group_id) as (
      select m.member_id, m.group_id from source_memberships m where m.target = ${target} and m.member_type = 'user' and ${inIds(sql`m.member_id`, userIds)}
      ${up})
    select distinct user_id, group_id from holders where group_id in (select id from scope_groups) order by user_id, group_id`);
  for (const row of rows) groups.set(row.user_id, [...(groups.get(row.user_id) ?? []), row.group_id]);
  return groups;
}

/** Per in-scope group of `groupIds`: the live user members Notion should have (see membersTable). */
export async function readGroupMembers(db: Queryable, target: string, rule: ScopeRule, groupIds: readonly string[]): Promise<Map<string, Set<string>>> {
  const members = new Map<string, Set<string>>();
  if (groupIds.length === 0) return members;
  const rows = await rowsOf<{ group_id: string; user_id: string }>(db, sql`${scopePrefix(target, rule)},
    ${membersTable(target, rule, groupIds)}
    select group_id, user_id from members`);
  for (const id of groupIds) members.set(id, new Set());
  for (const row of rows) members.get(row.group_id)?.add(row.user_id);
  return members;
}

/** App role assignments of these principals (the evaluated users and their groups), not of the whole tenant. */
export async function readAssignmentsOf(db: Queryable, target: string, principalIds: readonly string[]): Promise<SourceAssignmentRow[]> {
  if (principalIds.length === 0) return [];
  return db.select().from(sourceAssignments)
    .where(and(eq(sourceAssignments.target, target), inIds(sql`${sourceAssignments.principalId}`, [...new Set(principalIds)])));
}

/** A change this large makes the planner's row estimates stale enough to pick nested loops over the whole mirror. */
export const ANALYZE_AFTER_CHANGES = 500;

/**
 * Refreshes the planner's statistics after a large change. PGlite runs no autovacuum at all, and Postgres's lags:
 * without statistics the set queries above, estimated at a handful of rows, ran as nested loops (minutes at 100k).
 */
export async function analyzeTables(db: Queryable, which: 'mirror' | 'links'): Promise<void> {
  await db.execute(which === 'mirror'
    ? sql`analyze source_users, source_groups, source_memberships, source_assignments`
    : sql`analyze links, applied_memberships`);
}
