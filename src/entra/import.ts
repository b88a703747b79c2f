// Step 2 of a cycle: assignments, groups delta, users delta (or in-scope users by id) into the mirror, then the
// scope and its shrink check (set queries in SQL, src/store/scope-queries.ts: the mirror is never read whole). Fail closed (ARCHITECTURE.md principle 7): a Graph read error ends the import
// with complete=false; the sweep and the assignment listing only ever apply complete reads.
import type { Logger, Progress } from '../observe/index.js';
import {
  ANALYZE_AFTER_CHANGES, analyzeTables, countNamedAndKnownUsers, countScope, readStaleScopeUsers, readTargetState, readWatermark, replaceAssignments, updateTargetState, type Database,
} from '../store/index.js';
import { assignmentsMatter, listAssignments } from './assignments.js';
import { cleanedReporter, readDeltaStream, startStreamFromNow, type StreamContext } from './delta-stream.js';
import { GraphReadError } from './graph-errors.js';
import type { GraphReader } from './graph-reader.js';
import { readUsersById } from './id-reads.js';

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
  const context: StreamContext = { graph, db, target, logger, onPage: (count) => progress?.tick(count) };
  try {
    if (assignmentsMatter(options)) {
      progress?.phase('import assignments');
      const listing = await listAssignments(graph, await deps.servicePrincipalId());
      result.changed.assignments = await db.transaction((tx) => replaceAssignments(tx, target, listing));
    }

    progress?.phase('import groups');
    const groups = await readDeltaStream(context, 'groups', { full: options.full, select: groupSelect(options) });
    result.fullRead.groups = groups.fullRead;
    result.changed.groups = groups.changedObjects;
    result.changed.memberships = groups.changedMemberships;

    progress?.phase('import users');
    const select = userSelect(options);
    const byId = await chooseUsersById(db, target, options);
    if (byId) logger.info({ event: 'entra.import.users-by-id', target, inScope: byId.inScope, known: byId.known }, 'small scope: reading in-scope users by id');
    const users = byId ? await startStreamFromNow(context, 'users', { select }) : await readDeltaStream(context, 'users', { full: options.full, select });
    result.fullRead.users = users.fullRead;
    result.changed.users = users.changedObjects;

    // In-scope users without a row of this read generation (new in scope, or the small-scope path): by id.
    const stale = await readStaleScopeUsers(db, target, options, users.generation);
    if (stale.length > 0) {
      progress?.phase('import in-scope users by id', stale.length);
      result.changed.users += await readUsersById(graph, db, target, stale, {
        select, generation: users.generation, onBatch: (count) => progress?.tick(count), onCleaned: cleanedReporter(logger, 'users'),
      });
    }
    result.complete = true;
  } catch (error) {
    if (!(error instanceof GraphReadError)) throw error;
    result.incompleteReason = `${error.kind}: ${error.message}`;
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

/** The small-scope path is chosen only when a users full read is due (no position yet, or `full`). */
async function chooseUsersById(db: Database, target: string, options: ImportOptions): Promise<{ inScope: number; known: number } | null> {
  if (options.scope !== 'assigned') return null;
  const watermark = await readWatermark(db, target, 'users');
  const fullReadDue = options.full ? !(watermark?.nextLink && watermark.fullRead) : !watermark?.nextLink && !watermark?.deltaLink;
  if (!fullReadDue) return null;
  const { named, known } = await countNamedAndKnownUsers(db, target, options);
  return named <= known * SMALL_SCOPE_SHARE ? { inScope: named, known } : null;
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
