// On-demand import of a group (`provision <group>`): the group by object id or displayName, its direct members, up to
// a bound of its in-scope user members, and the assignments of the group, of the groups holding it (nested scope) and
// of the members chosen: a bounded number of reads, never the app's whole assignment listing (issue 14). Every Graph
// read happens before the one store transaction: a read that fails writes nothing (fail closed, ARCHITECTURE.md
// principle 7).
import {
  readAssignmentsOf, readScopeEdgesOf, readWatermark, replaceAssignmentsOf, replaceMembersOfGroup, writeSourceObjects,
  type AssignmentWrite, type Database, type MirrorObjectWrite,
} from '../store/index.js';
import { readAssignmentsOfPrincipals, type PrincipalToRead } from './assignments.js';
import { toObjectWrite } from './delta-items.js';
import { cleanedReporter } from './delta-stream.js';
import { GraphReadError } from './graph-errors.js';
import type { GraphObject } from './graph-reader.js';
import type { ImportDependencies, ImportOptions } from './import.js';
import { groupSelect, userSelect } from './import.js';
import { equalsFilter } from './odata-filter.js';
import { holdingGroupsToRead } from './on-demand-principals.js';
import { scopeCandidates } from './scope.js';

export type OneGroupImport =
  | { found: false; candidates?: Array<{ id: string; displayName: string }> }
  | {
      found: true;
      groupId: string;
      /** Direct user members in Entra, and those the app's scope rule names (assigned directly or through a group). */
      userMembers: number;
      inScopeMembers: number;
      /** The in-scope members read into the mirror for this provisioning (at most the bound), by userPrincipalName. */
      chosen: Array<{ id: string; userPrincipalName: string }>;
    };

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const looksLikeObjectId = (value: string): boolean => guid.test(value.trim());

const memberTypes: Record<string, 'user' | 'group'> = { '#microsoft.graph.user': 'user', '#microsoft.graph.group': 'group' };

/** The group by id, or the one group with this displayName (case-insensitive, as Graph compares). */
async function findGroup(deps: ImportDependencies, idOrName: string, select: string[]): Promise<{ group?: GraphObject; candidates?: Array<{ id: string; displayName: string }> }> {
  if (looksLikeObjectId(idOrName)) {
    try {
      return { group: await deps.graph.getObject(`/groups/${encodeURIComponent(idOrName.trim())}`, { select }) };
    } catch (error) {
      if (error instanceof GraphReadError && error.kind === 'not-found') return {};
      throw error;
    }
  }
  const answer = await deps.graph.listAll('/groups', { select, filter: equalsFilter('displayName', idOrName) });
  // Only what matches the name asked for counts (a server that ignored the filter must not pick a group).
  const named = answer.filter((g) => typeof g.id === 'string' && typeof g.displayName === 'string' && g.displayName.toLowerCase() === idOrName.toLowerCase());
  const exact = named.filter((g) => g.displayName === idOrName);
  const pick = named.length === 1 ? named : exact;
  if (pick.length === 1) return { group: pick[0] as GraphObject };
  return { candidates: named.map((g) => ({ id: g.id as string, displayName: g.displayName as string })) };
}

export async function importOneGroup(
  deps: ImportDependencies, db: Database, target: string, idOrName: string, options: ImportOptions, maxMembers: number,
): Promise<OneGroupImport> {
  const { graph } = deps;
  const select = groupSelect(options).filter((name) => name !== 'members');
  const { group, candidates } = await findGroup(deps, idOrName, select);
  if (!group) return { found: false, ...(candidates && candidates.length > 0 ? { candidates } : {}) };
  const write = toObjectWrite(group, cleanedReporter(deps.logger, 'groups'));
  const groupId = write.id;
  // Direct members only: Notion groups cannot nest, and Entra's on-demand does not expand nested groups (reference entra-provisioning §5.4).
  const listed = await graph.listAll(`/groups/${encodeURIComponent(groupId)}/members`, { select: ['id', 'userPrincipalName'], top: 999 });
  const members = listed.flatMap((item) => {
    const type = typeof item['@odata.type'] === 'string' ? memberTypes[item['@odata.type']] : undefined;
    if (typeof item.id !== 'string') throw new GraphReadError('malformed', `group ${groupId}: a member without a string id; the read stops`);
    return type ? [{ id: item.id, type, userPrincipalName: typeof item.userPrincipalName === 'string' ? item.userPrincipalName : item.id }] : [];
  });
  const servicePrincipalId = await deps.servicePrincipalId();

  // Who the scope rule names among this group's users, with its members as just read and the mirror's other edges
  // that bear on them (the nesting of groups and these users' other groups; not the whole mirror).
  const users = members.filter((m) => m.type === 'user');
  const otherEdges = (await readScopeEdgesOf(db, target, users.map((m) => m.id))).filter((e) => e.groupId !== groupId);
  const edges = [...otherEdges, ...members.map((m) => ({ groupId, memberId: m.id, memberType: m.type }))];
  // Read now: the assignments of the group and of the groups holding it (nested scope), which name all its members at
  // once. The members' own and their other groups' are the mirror's until the members chosen are read below: reading
  // every member's would cost a request per member.
  const groupPrincipals: PrincipalToRead[] = [
    { id: groupId, displayName: typeof group.displayName === 'string' ? group.displayName : null },
    ...(options.transitiveGroups ? await holdingGroupsToRead(db, target, [groupId], edges) : []),
  ];
  const groupRows = await readAssignmentsOfPrincipals(graph, servicePrincipalId, groupPrincipals, await readAssignmentsOf(db, target, groupPrincipals.map((p) => p.id)));
  // Only a group with members in `edges` can name a user.
  const bearing = new Set([...users.map((m) => m.id), ...edges.map((e) => e.groupId)]);
  for (const principal of groupPrincipals) bearing.delete(principal.id);
  const mirrored = await readAssignmentsOf(db, target, [...bearing]);
  const inScopeBy = (assignments: readonly AssignmentWrite[]) => {
    const named = scopeCandidates({ memberships: edges, assignments }, { scope: options.scope, transitiveGroups: options.transitiveGroups });
    return users.filter((m) => options.scope === 'all' || named.userIds.has(m.id));
  };

  const wanted = inScopeBy([...mirrored, ...groupRows])
    .sort((a, b) => a.userPrincipalName.toLowerCase().localeCompare(b.userPrincipalName.toLowerCase())).slice(0, maxMembers);
  const userWrites: MirrorObjectWrite[] = [];
  const read: PrincipalToRead[] = [];
  for (const member of wanted) {
    try {
      const user = await graph.getObject(`/users/${encodeURIComponent(member.id)}`, { select: userSelect(options) });
      userWrites.push(toObjectWrite(user, cleanedReporter(deps.logger, 'users')));
      read.push({ id: member.id, displayName: typeof user.displayName === 'string' ? user.displayName : null });
    } catch (error) {
      // Deleted since the member list was read: nothing to provision for it.
      if (!(error instanceof GraphReadError && error.kind === 'not-found')) throw error;
    }
  }
  // The chosen members' own assignments, read now too: a member they leave out of scope is not provisioned.
  const readIds = new Set(read.map((m) => m.id));
  const memberRows = await readAssignmentsOfPrincipals(graph, servicePrincipalId, read, mirrored.filter((row) => readIds.has(row.principalId)));
  const inScope = inScopeBy([...mirrored.filter((row) => !readIds.has(row.principalId)), ...groupRows, ...memberRows]);
  const inScopeIds = new Set(inScope.map((m) => m.id));
  const chosen = wanted.filter((m) => readIds.has(m.id) && inScopeIds.has(m.id)).map(({ id, userPrincipalName }) => ({ id, userPrincipalName }));

  // Rows carry the streams' current read generation, so the next import sees them as fresh.
  const [usersGeneration, groupsGeneration] = await Promise.all([
    readWatermark(db, target, 'users').then((row) => row?.readGeneration ?? 0),
    readWatermark(db, target, 'groups').then((row) => row?.readGeneration ?? 0),
  ]);
  await db.transaction(async (tx) => {
    await writeSourceObjects(tx, target, 'groups', [write], groupsGeneration);
    await replaceMembersOfGroup(tx, target, groupId, members, groupsGeneration);
    if (userWrites.length > 0) await writeSourceObjects(tx, target, 'users', userWrites, usersGeneration);
    await replaceAssignmentsOf(tx, target, [...groupPrincipals, ...read].map((p) => p.id), [...groupRows, ...memberRows]);
  });
  return { found: true, groupId, userMembers: users.length, inScopeMembers: inScope.length, chosen };
}
