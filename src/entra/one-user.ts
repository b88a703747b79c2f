// On-demand import (`provision <upn|id>`): one user, the groups it belongs to, and the app's assignments.
import { readWatermark, replaceAssignments, replaceMembershipsOfMember, writeSourceObjects, type Database } from '../store/index.js';
import { listAssignments } from './assignments.js';
import { toObjectWrite } from './delta-items.js';
import { cleanedReporter } from './delta-stream.js';
import { GraphReadError } from './graph-errors.js';
import type { ImportDependencies, ImportOptions } from './import.js';
import { userSelect } from './import.js';

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
  const groupIds = (await graph.listAll(`/users/${write.id}/memberOf`, { select: ['id'], top: 999 }))
    .filter((item) => item['@odata.type'] === '#microsoft.graph.group')
    .map((item) => item.id as string);
  const assignments = await listAssignments(graph, await deps.servicePrincipalId());
  // Rows carry the streams' current read generation, so the next import sees them as fresh.
  const [usersGeneration, groupsGeneration] = await Promise.all([
    readWatermark(db, target, 'users').then((row) => row?.readGeneration ?? 0),
    readWatermark(db, target, 'groups').then((row) => row?.readGeneration ?? 0),
  ]);
  await db.transaction(async (tx) => {
    await writeSourceObjects(tx, target, 'users', [write], usersGeneration);
    await replaceMembershipsOfMember(tx, target, { id: write.id, type: 'user' }, groupIds, groupsGeneration);
    await replaceAssignments(tx, target, assignments);
  });
  return { found: true, userId: write.id };
}
