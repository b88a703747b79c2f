// The mirror of Entra: writes of delta pages (objects, memberships) and the reads the engine needs; the assignments
// have their own module (assignments.ts). Every write marks what changed `dirty`, so a cycle
// evaluates only those objects (ARCHITECTURE.md, "One cycle").
import { and, eq, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Queryable } from './database.js';
import { chunksOf as chunks } from './chunks.js';
import { columnsOf, inIds } from './id-array.js';
import { rowsOf } from './raw-rows.js';
import { sourceGroups, sourceMemberships, sourceUsers, type SourceGroupRow, type SourceUserRow } from './schema.js';


export type MirrorKind = 'users' | 'groups';
export type RemovedReason = 'changed' | 'deleted';

/** One object from a delta page: attributes null for an `@removed` entry (the last known ones are kept). */
export interface MirrorObjectWrite {
  id: string;
  attributes: Record<string, unknown> | null;
  removedReason: RemovedReason | null;
}

export interface MembershipWrite {
  groupId: string;
  memberId: string;
  memberType: 'user' | 'group';
  removed: boolean;
}


// source_users and source_groups have the same columns; the groups table is used through the users table's type.
const objectTable = (kind: MirrorKind): typeof sourceUsers => (kind === 'users' ? sourceUsers : (sourceGroups as unknown as typeof sourceUsers));

/**
 * Upserts one page of objects seen by a read of generation `generation`. Returns how many changed (new, other
 * attributes, other removal state); those are marked dirty. Removals of objects never mirrored are ignored.
 */
export async function writeSourceObjects(db: Queryable, target: string, kind: MirrorKind, items: MirrorObjectWrite[], generation: number): Promise<number> {
  const table = objectTable(kind);
  const latest = new Map(items.map((item) => [item.id, item]));
  let changed = 0;
  for (const ids of chunks([...latest.keys()])) {
    const existing = new Map(
      (await db.select({ id: table.id, attributes: table.attributes, removedReason: table.removedReason, seenGeneration: table.seenGeneration })
        .from(table).where(and(eq(table.target, target), inIds(sql`${table.id}`, ids)))).map((row) => [row.id, row]),
    );
    const upserts: Array<{ id: string; attributes: Record<string, unknown>; removedReason: RemovedReason | null }> = [];
    const touched: string[] = [];
    for (const id of ids) {
      const item = latest.get(id) as MirrorObjectWrite;
      const before = existing.get(id);
      if (item.attributes === null && !before) continue;
      const attributes = item.attributes ?? (before?.attributes as Record<string, unknown>);
      const same = before && before.removedReason === item.removedReason && stableJson(before.attributes) === stableJson(attributes);
      if (!same) {
        upserts.push({ id, attributes, removedReason: item.removedReason });
      } else if (before.seenGeneration !== generation) {
        touched.push(id);
      }
    }
    if (upserts.length > 0) {
      await upsertObjects(db, table, target, upserts, generation);
      changed += upserts.length;
    }
    if (touched.length > 0) {
      await db.update(table).set({ seenGeneration: generation }).where(and(eq(table.target, target), inIds(sql`${table.id}`, touched)));
    }
    // A deleted group has no members any more (its own member list is not replayed by Graph).
    const deletedGroups = upserts.filter((row) => kind === 'groups' && row.removedReason === 'deleted').map((row) => row.id);
    if (deletedGroups.length > 0) {
      await markUserMembersDirty(db, target, await db.delete(sourceMemberships)
        .where(and(eq(sourceMemberships.target, target), inArray(sourceMemberships.groupId, deletedGroups)))
        .returning({ memberId: sourceMemberships.memberId, memberType: sourceMemberships.memberType }));
    }
  }
  return changed;
}

/**
 * Inserts or replaces mirror objects, marked dirty, in one statement with one parameter per column (`unnest`): the
 * attributes travel as JSON text and become jsonb in Postgres.
 */
async function upsertObjects(
  db: Queryable, table: typeof sourceUsers, target: string,
  rows: ReadonlyArray<{ id: string; attributes: Record<string, unknown>; removedReason: RemovedReason | null }>, generation: number,
): Promise<void> {
  const column = columnsOf(rows);
  await db.execute(sql`
    insert into ${table} (target, id, attributes, removed_reason, changed_at, dirty, seen_generation)
    select ${target}::text, object.id, object.attributes::jsonb, object.removed_reason, ${new Date().toISOString()}::timestamptz, true, ${generation}::integer
    from unnest(${column((row) => row.id)}, ${column((row) => JSON.stringify(row.attributes))}, ${column((row) => row.removedReason)})
      as object(id, attributes, removed_reason)
    on conflict (target, id) do update set attributes = excluded.attributes, removed_reason = excluded.removed_reason,
      changed_at = excluded.changed_at, dirty = true, seen_generation = excluded.seen_generation`);
}

/**
 * Applies `members@delta` entries (adds and `@removed`); returns how many edges changed and marks their groups dirty,
 * and their user members: a user's groups decide its scope and the app roles it holds through a group.
 */
export async function writeMemberships(db: Queryable, target: string, changes: MembershipWrite[], generation: number): Promise<number> {
  const latest = new Map(changes.map((change) => [`${change.groupId}\u0000${change.memberId}`, change]));
  const changedGroups = new Set<string>();
  const changedUsers = new Set<string>();
  let changed = 0;
  for (const batch of chunks([...latest.values()])) {
    const removals = batch.filter((change) => change.removed);
    if (removals.length > 0) {
      const deleted = await db.delete(sourceMemberships)
        .where(and(eq(sourceMemberships.target, target), edgeIn(removals)))
        .returning({ groupId: sourceMemberships.groupId, memberId: sourceMemberships.memberId, memberType: sourceMemberships.memberType });
      for (const row of deleted) {
        changedGroups.add(row.groupId);
        if (row.memberType === 'user') changedUsers.add(row.memberId);
      }
      changed += deleted.length;
    }
    const additions = batch.filter((change) => !change.removed);
    if (additions.length > 0) {
      const column = columnsOf(additions);
      const rows = await rowsOf<{ groupId: string; memberId: string; memberType: string; inserted: boolean }>(db, sql`
        insert into ${sourceMemberships} (target, group_id, member_id, member_type, seen_generation)
        select ${target}::text, edge.group_id, edge.member_id, edge.member_type, ${generation}::integer
        from unnest(${column((edge) => edge.groupId)}, ${column((edge) => edge.memberId)}, ${column((edge) => edge.memberType)})
          as edge(group_id, member_id, member_type)
        on conflict (target, group_id, member_id) do update set member_type = excluded.member_type, seen_generation = excluded.seen_generation
        returning group_id as "groupId", member_id as "memberId", member_type as "memberType", (xmax = 0) as inserted`);
      // xmax = 0 only for a row this statement inserted (not updated): how new edges are told apart.
      for (const row of rows.filter((r) => r.inserted)) {
        changedGroups.add(row.groupId);
        if (row.memberType === 'user') changedUsers.add(row.memberId);
      }
      changed += rows.filter((row) => row.inserted).length;
    }
  }
  await markDirty(db, target, 'groups', [...changedGroups]);
  await markDirty(db, target, 'users', [...changedUsers]);
  return changed;
}

/** Sets the groups one member belongs to (an on-demand read of `memberOf`); returns how many edges changed. */
export async function replaceMembershipsOfMember(
  db: Queryable, target: string, member: { id: string; type: 'user' | 'group' }, groupIds: string[], generation: number,
): Promise<number> {
  const before = await db.select({ groupId: sourceMemberships.groupId }).from(sourceMemberships)
    .where(and(eq(sourceMemberships.target, target), eq(sourceMemberships.memberId, member.id)));
  const wanted = new Set(groupIds);
  const writes: MembershipWrite[] = [
    ...before.filter((row) => !wanted.has(row.groupId)).map((row) => ({ groupId: row.groupId, memberId: member.id, memberType: member.type, removed: true })),
    ...groupIds.map((groupId) => ({ groupId, memberId: member.id, memberType: member.type, removed: false })),
  ];
  return writeMemberships(db, target, writes, generation);
}

/** Sets the members of one group (an on-demand read of its `members`); returns how many edges changed. */
export async function replaceMembersOfGroup(
  db: Queryable, target: string, groupId: string, members: ReadonlyArray<{ id: string; type: 'user' | 'group' }>, generation: number,
): Promise<number> {
  const before = await db.select({ memberId: sourceMemberships.memberId, memberType: sourceMemberships.memberType }).from(sourceMemberships)
    .where(and(eq(sourceMemberships.target, target), eq(sourceMemberships.groupId, groupId)));
  const wanted = new Set(members.map((member) => member.id));
  const writes: MembershipWrite[] = [
    ...before.filter((row) => !wanted.has(row.memberId)).map((row) => ({ groupId, memberId: row.memberId, memberType: row.memberType === 'group' ? 'group' as const : 'user' as const, removed: true })),
    ...members.map((member) => ({ groupId, memberId: member.id, memberType: member.type, removed: false })),
  ];
  return writeMemberships(db, target, writes, generation);
}

/**
 * The end of a complete full read: objects it did not see are gone from Entra (`deleted`), and so are edges it
 * did not see. Soft-deleted objects (`changed`) stay so: a full read cannot tell a restore-able user from a gone one.
 */
export async function sweepUnseen(db: Queryable, target: string, kind: MirrorKind, generation: number): Promise<{ objects: number; memberships: number }> {
  const table = objectTable(kind);
  const swept = await db.update(table).set({ removedReason: 'deleted', dirty: true, changedAt: new Date() })
    .where(and(eq(table.target, target), lt(table.seenGeneration, generation), isNull(table.removedReason)))
    .returning({ id: table.id });
  if (kind === 'users') return { objects: swept.length, memberships: 0 };
  const edgeColumns = { groupId: sourceMemberships.groupId, memberId: sourceMemberships.memberId, memberType: sourceMemberships.memberType };
  for (const ids of chunks(swept.map((row) => row.id))) {
    await markUserMembersDirty(db, target, await db.delete(sourceMemberships)
      .where(and(eq(sourceMemberships.target, target), inArray(sourceMemberships.groupId, ids))).returning(edgeColumns));
  }
  const edges = await db.delete(sourceMemberships)
    .where(and(eq(sourceMemberships.target, target), lt(sourceMemberships.seenGeneration, generation)))
    .returning(edgeColumns);
  await markDirty(db, target, 'groups', [...new Set(edges.map((edge) => edge.groupId))]);
  await markUserMembersDirty(db, target, edges);
  return { objects: swept.length, memberships: edges.length };
}

/**
 * The edges that decide whether these users are named by the scope rule: every group-in-group edge (the nesting a
 * transitive rule walks) and the users' own memberships; not the other users' (on-demand provisioning of a group).
 */
export async function readScopeEdgesOf(db: Queryable, target: string, userIds: readonly string[]): Promise<Array<{ groupId: string; memberId: string; memberType: string }>> {
  return db.select({ groupId: sourceMemberships.groupId, memberId: sourceMemberships.memberId, memberType: sourceMemberships.memberType })
    .from(sourceMemberships)
    .where(and(eq(sourceMemberships.target, target), or(eq(sourceMemberships.memberType, 'group'), inIds(sql`${sourceMemberships.memberId}`, userIds))));
}

export async function readSourceUsers(db: Queryable, target: string, ids?: string[]): Promise<SourceUserRow[]> {
  return readObjects(db, target, 'users', ids);
}

export async function readSourceGroups(db: Queryable, target: string, ids?: string[]): Promise<SourceGroupRow[]> {
  return readObjects(db, target, 'groups', ids);
}

/**
 * Called by the engine once a completed cycle has evaluated these objects: no longer dirty, and settled with the scope
 * the evaluation saw (see `evaluatedInScope`).
 */
export async function markEvaluated(db: Queryable, target: string, evaluated: { users: EvaluatedObject[]; groups: EvaluatedObject[] }): Promise<void> {
  for (const [kind, list] of [['users', evaluated.users], ['groups', evaluated.groups]] as const) {
    const table = objectTable(kind);
    for (const inScope of [true, false]) {
      const ids = list.filter((object) => object.inScope === inScope).map((object) => object.id);
      if (ids.length === 0) continue;
      await db.update(table).set({ dirty: false, evaluatedInScope: inScope }).where(and(eq(table.target, target), inIds(sql`${table.id}`, ids)));
    }
  }
}

export interface EvaluatedObject {
  id: string;
  inScope: boolean;
}

async function readObjects(db: Queryable, target: string, kind: MirrorKind, ids?: string[]): Promise<SourceUserRow[]> {
  const table = objectTable(kind);
  if (!ids) return db.select().from(table).where(eq(table.target, target));
  const rows: SourceUserRow[] = [];
  for (const chunk of chunks(ids)) rows.push(...(await db.select().from(table).where(and(eq(table.target, target), inIds(sql`${table.id}`, chunk)))));
  return rows;
}

/**
 * For an object whose escrow an operator cleared: the next cycle evaluates it again, as promised, even when a completed
 * cycle settled it and nothing changed in Entra since.
 */
export async function markObjectsDirty(db: Queryable, target: string, objects: ReadonlyArray<{ objectType: string; sourceId: string }>): Promise<void> {
  await markDirty(db, target, 'users', objects.filter((o) => o.objectType === 'user').map((o) => o.sourceId));
  await markDirty(db, target, 'groups', objects.filter((o) => o.objectType === 'group').map((o) => o.sourceId));
}

async function markDirty(db: Queryable, target: string, kind: MirrorKind, ids: string[]): Promise<void> {
  const table = objectTable(kind);
  for (const chunk of chunks(ids)) {
    await db.update(table).set({ dirty: true }).where(and(eq(table.target, target), inIds(sql`${table.id}`, chunk)));
  }
}

/**
 * Users who lost these edges: their groups decide their scope and the app roles they hold through a group, as in
 * writeMemberships. Whether the assignment listing (applied at another moment of the import) or the group's deletion
 * is written first, the members of an unassigned, deleted group are marked either way.
 */
async function markUserMembersDirty(db: Queryable, target: string, edges: ReadonlyArray<{ memberId: string; memberType: string }>): Promise<void> {
  await markDirty(db, target, 'users', [...new Set(edges.filter((edge) => edge.memberType === 'user').map((edge) => edge.memberId))]);
}

function edgeIn(edges: MembershipWrite[]): SQL {
  const pairs = edges.map((edge) => sql`(${edge.groupId}, ${edge.memberId})`);
  return sql`(${sourceMemberships.groupId}, ${sourceMemberships.memberId}) in (${sql.join(pairs, sql`, `)})`;
}

/** jsonb does not keep key order: compare attributes with keys sorted. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner);
}
