// On-demand import (`provision <upn|id>`): one user, the groups it belongs to, and the assignments that decide its
// scope and roles: its own, its groups' and (nested scope) those of the groups holding them in the mirror. Never the
// app's whole assignment listing (issue 14). Every Graph read happens before the one store transaction.
import {
  readAssignmentsOf, readScopeEdgesOf, readWatermark, replaceAssignmentsOf, replaceMembershipsOfMember, writeSourceObjects, type Database,
} from '../store/index.js';
import { readAssignmentsOfPrincipals, type PrincipalToRead } from './assignments.js';
import { toObjectWrite } from './delta-items.js';
import { cleanedReporter } from './delta-stream.js';
import { GraphReadError } from './graph-errors.js';
import type { ImportDependencies, ImportOptions } from './import.js';
import { userSelect } from './import.js';
import { holdingGroupsToRead } from './on-demand-principals.js';

export async function importOneUser(
  deps: ImportDependencies, db: Database, target: string, idOrUpn: string, options: ImportOptions,
): Promise<{ found: boolean; userId?: string }> {
  const { graph } = deps;
  let user;
  try {
    user = await graph.getObject(`/users/${encodeURIComponent(idOrUpn)}`, { select: userSelect(options) });
  } catch (error) {
    // Graph answers 404 for an unknown user and for one in the recycle bin alike.
    if (error instanceof GraphReadError && error.kind === 'not-found') return { found: false };
    throw error;
  }
  const write = toObjectWrite(user, cleanedReporter(deps.logger, 'users'));
  const groups = (await graph.listAll(`/users/${write.id}/memberOf`, { select: ['id', 'displayName'], top: 999 }))
    .filter((item) => item['@odata.type'] === '#microsoft.graph.group')
    .map((item) => ({ id: item.id as string, displayName: typeof item.displayName === 'string' ? item.displayName : null }));
  const groupIds = groups.map((group) => group.id);
  const principals: PrincipalToRead[] = [
    { id: write.id, displayName: typeof user.displayName === 'string' ? user.displayName : null },
    ...groups,
    ...(options.transitiveGroups ? await holdingGroupsToRead(db, target, groupIds, await readScopeEdgesOf(db, target, [])) : []),
  ];
  const principalIds = principals.map((principal) => principal.id);
  const assignments = await readAssignmentsOfPrincipals(graph, await deps.servicePrincipalId(), principals, await readAssignmentsOf(db, target, principalIds));
  // Rows carry the streams' current read generation, so the next import sees them as fresh.
  const [usersGeneration, groupsGeneration] = await Promise.all([
    readWatermark(db, target, 'users').then((row) => row?.readGeneration ?? 0),
    readWatermark(db, target, 'groups').then((row) => row?.readGeneration ?? 0),
  ]);
  await db.transaction(async (tx) => {
    await writeSourceObjects(tx, target, 'users', [write], usersGeneration);
    await replaceMembershipsOfMember(tx, target, { id: write.id, type: 'user' }, groupIds, groupsGeneration);
    await replaceAssignmentsOf(tx, target, principalIds, assignments);
  });
  return { found: true, userId: write.id };
}
