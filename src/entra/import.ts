// Step 2 of a cycle: assignments, groups delta and users delta (or in-scope users by id), read at once, into the
// mirror; then the scope and its shrink check (set queries in SQL, src/store/scope-queries.ts: the mirror is never read
// whole). Fail closed (ARCHITECTURE.md principle 7): a Graph read error ends the import with complete=false; the sweep
// and the assignment listing only ever apply complete reads.
import type { Logger, Progress } from '../observe/index.js';
import {
  ANALYZE_AFTER_CHANGES, analyzeTables, applyAssignmentListing, clearAssignmentListing, countNamedAndKnownUsers, countScope, readStaleScopeUsers,
  readTargetState, readWatermark, stageAssignmentPage, updateTargetState, type Database,
} from '../store/index.js';
import { assignmentsMatter, forEachAssignmentPage } from './assignments.js';
import { cleanedReporter, readDeltaStream, startStreamFromNow, type StreamContext } from './delta-stream.js';
import { GraphReadError, type GraphReadErrorKind } from './graph-errors.js';
import type { GraphReader } from './graph-reader.js';
import { readUsersById } from './id-reads.js';
import { oneAtATime } from './one-at-a-time.js';

export interface ImportOptions {
  /** Re-read everything (no deltaLink): objects no longer in Entra are marked removed at the end. */
  full: boolean;
  userAttributes: string[];
  groupAttributes: string[];
  scope: 'assigned' | 'all';
  /** The mapping reads app roles (see assignmentsMatter). */
  readsAppRoles: boolean;
  transitiveGroups: boolean;
  scopeShrinkHoldPercent: number;
  progress?: Progress;
}

export interface ImportResult {
  complete: boolean;
  incompleteReason?: string;
  /** Why the read stopped: `auth` (credentials or permissions refused) quarantines the target (cycle.ts). */
  incompleteKind?: GraphReadErrorKind;
  fullRead: { users: boolean; groups: boolean };
  changed: { users: number; groups: number; memberships: number; assignments: number };
  scope: { users: number; groups: number };
  scopeShrinkHeld: boolean;
  scopeShrinkDetail?: string;
  graphRequests: number;
}

export interface ImportDependencies {
  graph: GraphReader;
  logger: Logger;
  servicePrincipalId: () => Promise<string>;
}

/**
 * Why two paths for users: the tenant-wide users delta costs a page per ~100–200 users of the whole tenant on a
 * full read, while reading by id costs one request per 50 users in scope. When the users named by the
 * assignments are at most a quarter of the users we know of (mirror rows and group members), reading them by
 * id is never more requests, and far fewer in a large tenant with a small app. Groups always use the
 * tenant-wide delta: scope is defined by membership, and `members@delta` is how membership changes are seen.
 */
const SMALL_SCOPE_SHARE = 0.25;

export function userSelect(options: Pick<ImportOptions, 'userAttributes'>): string[] {
  return [...new Set(['id', 'accountEnabled', 'userPrincipalName', 'displayName', ...options.userAttributes])];
}

export function groupSelect(options: Pick<ImportOptions, 'groupAttributes'>): string[] {
  return [...new Set(['id', 'displayName', ...options.groupAttributes, 'members'])];
}

export async function importIntoMirror(deps: ImportDependencies, db: Database, target: string, options: ImportOptions): Promise<ImportResult> {
  const { graph, logger } = deps;
  const progress = options.progress;
  const requestsBefore = graph.counts().requests;
  const result: ImportResult = {
    complete: false, fullRead: { users: false, groups: false },
    changed: { users: 0, groups: 0, memberships: 0, assignments: 0 },
    scope: { users: 0, groups: 0 }, scopeShrinkHeld: false, graphRequests: 0,
  };
  // The reads below run at once; their mirror writes take turns (StreamContext.serialize).
  const serialize = oneAtATime();
  const context: StreamContext = { graph, db, target, logger, onPage: (count) => progress?.tick(count), serialize };
  // Each page is staged as it arrives (issue 14: the listing is never held whole); only a listing that reached its last
  // page is applied, so a partial one never looks like unassignments. A failed one's pages are cleared next time.
  const readAssignments = async () => {
    await serialize(() => clearAssignmentListing(db, target));
    await forEachAssignmentPage(graph, await deps.servicePrincipalId(), (page) => serialize(() => stageAssignmentPage(db, target, page)));
    result.changed.assignments = await serialize(() => db.transaction((tx) => applyAssignmentListing(tx, target)));
  };
  const readGroups = async () => {
    const groups = await readDeltaStream(context, 'groups', { full: options.full, select: groupSelect(options) });
    result.fullRead.groups = groups.fullRead;
    result.changed.groups = groups.changedObjects;
    result.changed.memberships = groups.changedMemberships;
  };
  const readUsers = async (byId: SmallScope | null) => {
    const select = userSelect(options);
    if (byId) logger.info({ event: 'entra.import.users-by-id', target, inScope: byId.inScope, known: byId.known }, 'small scope: reading in-scope users by id');
    const users = byId ? await startStreamFromNow(context, 'users', { select }) : await readDeltaStream(context, 'users', { full: options.full, select });
    result.fullRead.users = users.fullRead;
    result.changed.users = users.changedObjects;
    return { select, generation: users.generation };
  };
  try {
    // The three reads are independent, and reading them at once saves the time of the shorter ones (issue 14: the
    // import is most of what precedes an initial sync's first Notion request), except when a users full read is due
    // with SYNC_SCOPE=assigned: the choice of the small-scope path counts the users the assignments and groups name.
    const usersWaitForScope = await smallScopeChoiceDue(db, target, options);
    progress?.phase(usersWaitForScope ? 'import assignments and groups' : 'import assignments, groups and users');
    let [, , usersRead] = await settleAll([
      assignmentsMatter(options) ? readAssignments() : Promise.resolve(),
      readGroups(),
      usersWaitForScope ? Promise.resolve(undefined) : readUsers(null),
    ]);
    if (!usersRead) {
      progress?.phase('import users');
      usersRead = await readUsers(await chooseUsersById(db, target, options));
    }
    const { select, generation } = usersRead;

    // In-scope users without a row of this read generation (new in scope, or the small-scope path): by id.
    const stale = await readStaleScopeUsers(db, target, options, generation);
    if (stale.length > 0) {
      progress?.phase('import in-scope users by id', stale.length);
      result.changed.users += await readUsersById(graph, db, target, stale, {
        select, generation, onBatch: (count) => progress?.tick(count), onCleaned: cleanedReporter(logger, 'users'),
      });
    }
    result.complete = true;
  } catch (error) {
    if (!(error instanceof GraphReadError)) throw error;
    result.incompleteReason = `${error.kind}: ${error.message}`;
    result.incompleteKind = error.kind;
    logger.warn({ event: 'entra.import.incomplete', target, kind: error.kind, status: error.status, code: error.code, reason: error.message }, 'Graph read stopped; the mirror keeps its earlier truth');
  }

  const changes = result.changed.users + result.changed.groups + result.changed.memberships + result.changed.assignments;
  if (changes >= ANALYZE_AFTER_CHANGES) await analyzeTables(db, 'mirror');
  result.scope = await countScope(db, target, options);
  if (result.complete) await checkScopeShrink(db, target, result.scope.users, options, result);
  result.graphRequests = graph.counts().requests - requestsBefore;
  logger.info({ event: 'entra.import.finished', target, ...result }, 'import finished');
  return result;
}

interface SmallScope {
  inScope: number;
  known: number;
}

/** The small-scope path can be chosen only with SYNC_SCOPE=assigned when a users full read is due (no position yet, or `full`). */
async function smallScopeChoiceDue(db: Database, target: string, options: ImportOptions): Promise<boolean> {
  if (options.scope !== 'assigned') return false;
  const watermark = await readWatermark(db, target, 'users');
  return options.full ? !(watermark?.nextLink && watermark.fullRead) : !watermark?.nextLink && !watermark?.deltaLink;
}

/** After the assignments and groups are read: whether the users they name are few enough to read by id. */
async function chooseUsersById(db: Database, target: string, options: ImportOptions): Promise<SmallScope | null> {
  const { named, known } = await countNamedAndKnownUsers(db, target, options);
  return named <= known * SMALL_SCOPE_SHARE ? { inScope: named, known } : null;
}

/**
 * Waits for every read, even after one failed: a read still running would go on writing the mirror after the import
 * returned. Then the first failure is thrown, one that is not a Graph read error first (it is not an incomplete read).
 */
async function settleAll<T extends readonly unknown[]>(reads: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(reads);
  const failures = settled.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
  const first = failures.find((error) => !(error instanceof GraphReadError)) ?? failures[0];
  if (failures.length > 0) throw first;
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** Holds a complete import whose scope shrank by more than the configured share since the last complete one. */
async function checkScopeShrink(db: Database, target: string, now: number, options: ImportOptions, result: ImportResult): Promise<void> {
  const last = (await readTargetState(db, target))?.lastScopeSize ?? null;
  const shrinkPercent = last && last > 0 ? ((last - now) / last) * 100 : 0;
  if (shrinkPercent > options.scopeShrinkHoldPercent) {
    result.complete = false;
    result.scopeShrinkHeld = true;
    result.scopeShrinkDetail = `users in scope fell from ${last} to ${now} (${shrinkPercent.toFixed(1)}%, hold above ${options.scopeShrinkHoldPercent}%)`;
    result.incompleteReason = `scope shrink held: ${result.scopeShrinkDetail}`;
    return;
  }
  await updateTargetState(db, target, { lastScopeSize: now, lastCompleteImportAt: new Date() });
}
