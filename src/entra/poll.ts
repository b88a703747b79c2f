// Watch mode's poll (issue 15): asks Graph whether anything a cycle would import changed, without writing the
// mirror. Idle, it costs one request per delta stream and one for the assignments (§6.4). A change that matters
// leaves the watermark where it was, so the cycle's import reads the same changes; a round with nothing that
// matters moves the deltaLink on (a compare-and-set: a cycle or another replica may have moved it meanwhile).
import type { Logger } from '../observe/index.js';
import {
  advanceDeltaLink, countAssignments, countMirroredAssignments, readKnownUserIds, readWatermark, type Database, type DeltaStream,
} from '../store/index.js';
import { assignmentsMatter, assignmentsPath, isProvisionedPrincipal } from './assignments.js';
import type { GraphObject, GraphReader } from './graph-reader.js';

export type PolledSource = DeltaStream | 'assignments';

export interface PollResult {
  /** What changed in a way a cycle must import; empty when nothing did. */
  changed: PolledSource[];
  graphRequests: number;
}

export interface PollDependencies {
  graph: GraphReader;
  logger: Logger;
  servicePrincipalId: () => Promise<string>;
}

export interface PollOptions {
  /** With `all`, every user is in scope and every users-delta item matters. */
  scope: 'assigned' | 'all';
  /** The mapping reads app roles (see assignmentsMatter). */
  readsAppRoles: boolean;
}

/** The first source that changed ends the poll: the cycle reads all of them anyway. */
export async function pollForChanges(deps: PollDependencies, db: Database, target: string, options: PollOptions): Promise<PollResult> {
  const before = deps.graph.counts().requests;
  const result = (changed: PolledSource[]): PollResult => ({ changed, graphRequests: deps.graph.counts().requests - before });
  if (assignmentsMatter(options) && (await assignmentsChanged(deps, db, target))) return result(['assignments']);
  // Groups before users: a membership change in an assigned group is the common case for a new hire.
  if (await streamChanged(deps, db, target, 'groups', options)) return result(['groups']);
  if (await streamChanged(deps, db, target, 'users', options)) return result(['users']);
  return result([]);
}

/**
 * Graph has no delta for app role assignments (§6.3): one `$select=id,principalType` page per 999 assignments,
 * compared with the mirror's assignment ids page by page (issue 14: neither side is held whole). An added assignment,
 * or a role swapped (a new assignment id), is a listed id the mirror lacks; a removed one makes the listing shorter
 * than the mirror. A `$count` would miss a swap (§6.4).
 */
async function assignmentsChanged(deps: PollDependencies, db: Database, target: string): Promise<boolean> {
  let listed = 0;
  let unmirrored = false;
  await deps.graph.forEachPage(assignmentsPath(await deps.servicePrincipalId()), { select: ['id', 'principalType'], top: 999 }, async (items) => {
    const ids = [...new Set(items.filter((item) => isProvisionedPrincipal(item.principalType)).map((item) => item.id as string))];
    listed += ids.length;
    if (!unmirrored) unmirrored = (await countMirroredAssignments(db, target, ids)) < ids.length;
  });
  return unmirrored || listed !== (await countAssignments(db, target));
}

/**
 * Follows the stream's deltaLink. A stream without a finished read (no deltaLink, or a checkpoint under way) is
 * left to the scheduled cycle, which finishes it; watching it would request a cycle on every poll.
 */
async function streamChanged(deps: PollDependencies, db: Database, target: string, stream: DeltaStream, options: PollOptions): Promise<boolean> {
  const watermark = await readWatermark(db, target, stream);
  if (!watermark?.deltaLink || watermark.nextLink) {
    deps.logger.debug({ event: 'watch.stream-not-ready', stream, message: 'no finished delta read yet; the scheduled cycle reads this stream' });
    return false;
  }
  let url = watermark.deltaLink;
  for (;;) {
    const page = await deps.graph.getDeltaPage(url);
    if (await anyItemMatters(db, target, stream, options, page.value)) return true;
    if (page.deltaLink) {
      if (page.deltaLink !== watermark.deltaLink) await advanceDeltaLink(db, target, stream, watermark.deltaLink, page.deltaLink);
      return false;
    }
    url = page.nextLink as string;
  }
}

/**
 * Every groups-delta item matters (a group the mirror misses would never be read again). A users-delta item
 * cannot matter when scope is `assigned` and the mirror knows nothing of the user (no row, no membership, no
 * assignment): were the user to come into scope later, through an assignment or a membership the poll sees,
 * the import reads every in-scope user it has no fresh row of by id. Only the page's ids are looked up (issue 14:
 * a poll never reads the mirror whole).
 */
async function anyItemMatters(db: Database, target: string, stream: DeltaStream, options: PollOptions, items: readonly GraphObject[]): Promise<boolean> {
  if (items.length === 0) return false;
  if (stream === 'groups' || options.scope === 'all') return true;
  const ids = items.map((item) => item.id).filter((id): id is string => typeof id === 'string');
  return (await readKnownUserIds(db, target, ids)).length > 0;
}
