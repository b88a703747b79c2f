// One cycle (ARCHITECTURE.md "One cycle"): lock, import, evaluate, plan, guard, apply, summarise; and the dry run.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { LoadedConfig } from '../config/index.js';
import { compileMapping } from '../mapping/index.js';
import { silentProgress, type Logger, type Progress } from '../observe/index.js';
import { describeScimFailure, ScimError, type ScimClient } from '../scim/index.js';
import {
  ANALYZE_AFTER_CHANGES, analyzeTables, clearLinkEscrow, clearNotionListing, countOpenWork, describeLostStoreConnection, hasLinks, markAbandonedCyclesInterrupted, markEvaluated, pruneLog, readRunningCycle, recordCycleEnd, recordCycleProgress,
  recordCycleStart, updateTargetState, type CycleKind, type OpenWork, type Queryable, type Store,
} from '../store/index.js';
import { applyPlan, type ApplyEnd } from './apply.js';
import type { ApplyContext } from './apply-context.js';
import { createNotionClient, createSource } from './clients.js';
import { decisionFingerprint } from './decisions.js';
import { createHeartbeat, stalledAfterMs } from './heartbeat.js';
import { logActionOf, objectTypeOf, planOperations, type LinkView, type Operation, type Plan } from './model.js';
import type { Candidates } from './candidates.js';
import { spoolNotionListing } from './notion-listing.js';
import { prepareFromFacts, readCycleFacts, type CycleFacts, type PrepareInput, type Prepared } from './prepare.js';
import { readWithinOneWindow, runWindowedCycle, windowSizesFor, type WindowedInput } from './windowed-cycle.js';
import { enterQuarantine, leaveQuarantine, liftQuarantineOnNewConfiguration } from './quarantine.js';
import { checkNotionWhenQuiet, entraRefusal, notionRefusal } from './refusals.js';
import { describeLocked, type CycleStatusReported, type CycleSummary, type LockHolder } from './summary.js';
import { recordUnaccountedMembers } from './record-unaccounted.js';
import { unaccountedMessage } from './unaccounted.js';

export interface CycleDependencies {
  config: LoadedConfig;
  store: Store;
  logger: Logger;
  progress?: Progress;
  /** Stop starting operations; the one in flight finishes; the cycle is recorded 'interrupted'. */
  signal?: AbortSignal;
  now?: () => Date;
  /** After each operation the cycle applies (the worker's propagation delay is measured to the change's write). */
  onOperationDone?: (op: Operation, outcome: { failed: boolean }) => void;
}

export interface CycleOptions {
  mode?: 'incremental' | 'full' | 'verify';
  dryRun?: boolean;
  forceDeletes?: boolean;
  /** Records the cycle under this kind instead of the one the mode implies (e.g. 'on-demand'). */
  kindLabel?: CycleKind;
  /** On-demand: evaluate only these mirrored users, without a Graph import (the caller imported them). */
  onlyUsers?: string[];
  /** On-demand provisioning of a group: with `onlyUsers` (its chosen members), evaluate these groups too. */
  onlyGroups?: string[];
}

const day = 24 * 60 * 60 * 1000;

/** Plan counts for a dry run: `${action}.planned`. */
export function plannedCounts(plan: Plan): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const op of planOperations(plan)) {
    const key = `${logActionOf[op.kind]}.planned`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** What decides a finished cycle's status (failed and locked are decided elsewhere). */
export interface StatusFacts {
  end: ApplyEnd['kind'];
  /** The Graph read failed (a held scope shrink is not counted here). */
  importIncomplete: boolean;
  /** A suspicious scope shrink held removals this cycle. */
  shrinkHeld: boolean;
  /** Escrowed objects: every failure not recovered by the in-cycle retry is one (a member batch escrows its group). */
  open: OpenWork;
}

/**
 * The status contract: failed > quarantined > interrupted > partial (import incomplete) > held (staged deprovisions
 * waiting for approve, a held scope shrink, or Notion members a first cycle could not account for, waiting for
 * `approve --unaccounted`) > partial (failures left escrowed) > succeeded. A transient failure that the in-cycle retry
 * recovered leaves nothing behind: the cycle still succeeded (its counts show the failure).
 */
export function cycleStatus(facts: StatusFacts): Exclude<CycleStatusReported, 'failed' | 'locked'> {
  if (facts.end === 'quarantine') return 'quarantined';
  if (facts.end === 'interrupted') return 'interrupted';
  if (facts.importIncomplete) return 'partial';
  if (facts.shrinkHeld || facts.open.stagedDeletes > 0 || facts.open.unaccounted > 0) return 'held';
  if (facts.open.escrowed > 0) return 'partial';
  return 'succeeded';
}

export async function runCycle(deps: CycleDependencies, options: CycleOptions = {}): Promise<CycleSummary> {
  const now = deps.now ?? (() => new Date());
  const { config, store } = deps;
  const target = config.target;
  const db = store.db;
  const cycleId = randomUUID();
  const startedAt = now();
  const mode = options.mode ?? 'incremental';
  const finish = (partial: Omit<CycleSummary, 'cycleId' | 'target' | 'startedAt' | 'finishedAt' | 'durationMs'>): CycleSummary => {
    const finishedAt = now();
    return { cycleId, target, startedAt, finishedAt, durationMs: finishedAt.getTime() - startedAt.getTime(), ...partial };
  };
  // A mapping mistake is a configuration error: it stops the cycle before anything is recorded or sent.
  const mapping = compileMapping(config.mapping);
  const lock = await store.tryLockTarget(target);
  const noTraffic = { scim: { requests: 0, throttled: 0, retries: 0 }, graph: { requests: 0, throttled: 0 } };
  if (!lock) {
    const heldBy = await describeLockHolder(db, target, startedAt);
    return finish({ kind: options.kindLabel ?? mode, status: 'locked', importComplete: false, counts: {}, stagedDeletes: 0, escrowed: 0, unaccountedMembers: 0, ...noTraffic,
      ...(heldBy ? { heldBy } : {}), ...(heldBy?.stalled ? { error: describeLocked(target, heldBy, startedAt) } : {}) });
  }

  // A lost lock connection (issue 11): another replica may hold the lock now, so stop like an abort, send
  // no further operation; the SCIM client sends nothing more (queued requests are dropped), and end `failed`.
  const signal = deps.signal ? AbortSignal.any([deps.signal, lock.lost]) : lock.lost;
  const lockLost = () => (lock.lost.aborted ? 'lost the store connection (and the target lock with it)' : undefined);
  const logger = deps.logger.child({ cycleId, target });
  const progress = createHeartbeat(deps.progress ?? silentProgress, { now, startedAt, record: (at) => recordCycleProgress(db, cycleId, at) });
  progress.useLogger?.(logger);
  let scim: ScimClient | undefined;
  let kind: CycleKind = options.kindLabel ?? mode;
  let started = false;
  try {
    await markAbandonedCyclesInterrupted(db, target, startedAt);
    await liftQuarantineOnNewConfiguration(store, config, logger);
    if (!options.kindLabel && mode === 'incremental' && !(await hasLinks(db, target))) kind = 'initial';
    await recordCycleStart(db, { id: cycleId, target, kind, dryRun: options.dryRun ?? false, startedAt, holder: `${hostname()}:${process.pid}` });
    started = true;
    logger.info({ event: 'cycle.started', kind, mode, dryRun: options.dryRun ?? false }, 'cycle.started');
    scim = createNotionClient(config, logger, lock.lost, db);
    const source = createSource(config, logger, signal);
    const prepareInput: PrepareInput = {
      config, db, source, scim, progress, mapping, now: startedAt, mode, forceDeletes: options.forceDeletes ?? false,
      ...(options.onlyUsers ? { onlyUsers: options.onlyUsers, skipImport: true } : {}),
      ...(options.onlyGroups ? { onlyGroups: options.onlyGroups } : {}),
    };
    const facts = await readCycleFacts(prepareInput);
    const importResult = facts.importResult;
    const importComplete = importResult?.complete ?? true;
    const onDemand = options.onlyUsers !== undefined;
    let end: ApplyEnd = { kind: 'done' };
    let counts: Record<string, number>;
    if (options.dryRun) {
      counts = plannedCounts((await prepareFromFacts(prepareInput, facts)).plan);
    } else {
      const shared: SharedApplyState = { counts: {}, tally: { attempted: 0, failed: 0 }, failedThisCycle: new Set() };
      const apply = async (prepared: Prepared): Promise<ApplyEnd> => {
        const ctx = applyContext(prepared, { scim: prepareInput.scim, db, target, cycleId, logger, now }, shared);
        progress.phase('apply', planOperations(prepared.plan).length);
        const ended = await applyPlan(ctx, prepared.plan, {
          parallel: Math.max(4, config.notion.maxConcurrency * 2),
          signal,
          failurePercent: config.safety.quarantineFailurePercent,
          minOperations: config.safety.quarantineMinOperations,
          onOperationDone: (op, outcome) => {
            progress.tick();
            deps.onOperationDone?.(op, outcome);
          },
        });
        if (ended.kind === 'done') await settleEvaluation(store, config, prepared, onDemand);
        if (planOperations(prepared.plan).length >= ANALYZE_AFTER_CHANGES) await analyzeTables(db, 'links');
        return ended;
      };
      // A first cycle's members no in-scope user accounts for, recorded from Notion's listing while it is in the store.
      const recordUnaccounted = () => recordUnaccountedMembers({ db, target, cycleId, logger, now: now() }, facts.protectedUserNames, shared.counts);
      // Too many candidates for one window: evaluated, planned and applied a window at a time (windowed-cycle.ts).
      const sizes = windowSizesFor(config.evaluationWindow);
      // Entra refusing the app's credentials stops the cycle before any write: what the store holds from earlier reads
      // is not sent on while the directory cannot be read (as Entra's own quarantine halts provisioning).
      const refusedByEntra = entraRefusal(importResult);
      try {
        if (refusedByEntra) {
          end = { kind: 'quarantine', reason: refusedByEntra };
        } else {
          const whole = onDemand ? undefined : await readWithinOneWindow(prepareInput, facts, sizes);
          if (!onDemand && whole === undefined) {
            logger.info({ event: 'cycle.windowed', usersPerWindow: sizes.users, groupsPerWindow: sizes.groups }, 'cycle.windowed');
            end = await runWindowedCycle({ prepare: prepareInput, facts, sizes, signal, logger, apply, recordUnaccounted });
          } else {
            end = await applyInOnePiece(prepareInput, facts, whole, { apply, recordUnaccounted });
          }
          const refused = end.kind === 'done' && !onDemand ? await checkNotionWhenQuiet(db, target, prepareInput.scim, now()) : undefined;
          if (refused) end = { kind: 'quarantine', reason: refused };
        }
      } catch (error) {
        // Notion refusing the token outside an operation (a listing, the lookup before a create) quarantines as inside one.
        const refused = notionRefusal(error);
        if (refused === undefined) throw error;
        end = { kind: 'quarantine', reason: refused };
      }
      counts = shared.counts;
      if (end.kind === 'done' && !onDemand) {
        await updateTargetState(db, target, { mappingFingerprint: mapping.fingerprint, decisionFingerprint: decisionFingerprint(config, mapping) });
      }
      // The operator confirmed the smaller scope: it becomes the base for the next shrink check.
      if (end.kind === 'done' && options.forceDeletes && importResult?.scopeShrinkHeld) {
        await updateTargetState(db, target, { lastScopeSize: importResult.scope.users });
      }
      await pruneLog(db, target, new Date(now().getTime() - config.logRetentionDays * day));
    }
    progress.done();
    await progress.settled();
    const failures = Object.entries(counts).some(([key, n]) => key.endsWith('.failure') && n > 0);
    const quarantine = end.kind === 'quarantine' ? await enterQuarantine(db, config, end.reason, now()) : undefined;
    if (end.kind === 'done' && !options.dryRun && !failures) await leaveQuarantine(db, target);
    const open = await countOpenWork(db, target);
    const shrinkHeld = (importResult?.scopeShrinkHeld ?? false) && !(options.forceDeletes ?? false);
    const importIncomplete = !importComplete && !(importResult?.scopeShrinkHeld ?? false);
    const status = lockLost() ? 'failed' : cycleStatus({ end: end.kind, importIncomplete, shrinkHeld, open });
    const error = lockLost() ?? quarantine?.reason ?? (importComplete ? undefined : importResult?.incompleteReason ?? 'the Entra import was incomplete')
      ?? (open.unaccounted > 0 ? unaccountedMessage(open.unaccounted) : undefined);
    await recordCycleEnd(db, cycleId, { status, finishedAt: now(), counts, importComplete, ...(error ? { error } : {}) });
    const summary = finish({
      kind, status, importComplete, counts, stagedDeletes: open.stagedDeletes, escrowed: open.escrowed, unaccountedMembers: open.unaccounted,
      ...(quarantine ? { quarantine } : {}),
      scim: scimReport(scim),
      graph: source.stats(),
      ...(error ? { error } : {}),
    });
    logger.info({ event: 'cycle.finished', ...summary }, 'cycle.finished');
    return summary;
  } catch (error) {
    // A store restart may fail the query in flight before the lock's connection reports its own loss; and it ends the
    // sessions one by one, so the lock's may still answer: then the loss is the store's, named with its cause.
    await lock.confirm();
    await progress.settled();
    const message = lockLost() ?? describeLostStoreConnection(error) ?? describeCycleFailure(error);
    if (started) await recordCycleEnd(db, cycleId, { status: 'failed', finishedAt: now(), counts: {}, error: message }).catch(() => undefined);
    const summary = finish({ kind, status: 'failed', importComplete: false, counts: {}, stagedDeletes: 0, escrowed: 0, unaccountedMembers: 0, ...noTraffic, ...(scim ? { scim: scimReport(scim) } : {}), error: message });
    logger.error({ event: 'cycle.finished', ...summary }, 'cycle.finished');
    return summary;
  } finally {
    await scim?.close();
    await lock.release();
  }
}

/** Who holds the target's lock, from its running cycle's row (none between taking the lock and writing the row). */
async function describeLockHolder(db: Queryable, target: string, now: Date): Promise<LockHolder | undefined> {
  const running = await readRunningCycle(db, target);
  if (!running) return undefined;
  return { cycleId: running.id, holder: running.holder, startedAt: running.startedAt, progressAt: running.progressAt, stalled: now.getTime() - running.progressAt.getTime() > stalledAfterMs };
}

/** What ended a cycle that is not the store's loss: a Notion failure names Notion, anything else is its own message. */
function describeCycleFailure(error: unknown): string {
  if (error instanceof ScimError) return describeScimFailure(error);
  return error instanceof Error ? error.message : String(error);
}

/** The SCIM client's requests, and the rate it ended at: with `auto`, the rate learnt, which the next cycle starts from. */
function scimReport(scim: ScimClient): CycleSummary['scim'] {
  const rate = scim.rate();
  return { ...scim.stats(), requestsPerSecond: rate.learnt?.requestsPerSecond ?? rate.requestsPerSecond };
}

/** What every window of a cycle adds to: its counts, and the failure tally the quarantine reads. */
type SharedApplyState = Pick<ApplyContext, 'counts' | 'tally' | 'failedThisCycle'>;

function applyContext(prepared: Prepared, base: Pick<ApplyContext, 'scim' | 'db' | 'target' | 'cycleId' | 'logger' | 'now'>, shared: SharedApplyState): ApplyContext {
  return {
    ...base,
    ...shared,
    userLinks: prepared.userLinks,
    groupLinks: prepared.groupLinks,
    applied: prepared.applied,
    retry: [],
    evaluatedGroups: new Set(prepared.evaluated.groups),
  };
}

/**
 * A cycle planned in one piece. A first cycle lists Notion before it plans and keeps the listing until after the apply,
 * as a windowed cycle does, so that its unaccounted members are recorded from the store a page at a time.
 */
async function applyInOnePiece(input: PrepareInput, facts: CycleFacts, candidates: Candidates | undefined, steps: Pick<WindowedInput, 'apply' | 'recordUnaccounted'>): Promise<ApplyEnd> {
  if (!facts.findUnaccounted) return steps.apply(await prepareFromFacts(input, facts, candidates));
  const { db } = input;
  const target = input.config.target;
  input.progress.phase('read Notion');
  const listing = await spoolNotionListing(db, target, input.scim);
  try {
    const end = await steps.apply(await prepareFromFacts(input, facts, candidates, listing));
    // Only over a complete Entra read: a partial one would call members "not in scope" that are.
    if (end.kind === 'done' && facts.hold === undefined) await steps.recordUnaccounted();
    return end;
  } finally {
    // Scratch for this cycle only; whatever a failed clear leaves is cleared before the next listing.
    await clearNotionListing(db, target).catch(() => undefined);
  }
}

/**
 * After a completed apply of one plan: evaluated objects are no longer dirty and are settled with the scope they were
 * evaluated with (held deprovisions stay dirty).
 */
async function settleEvaluation(store: Store, config: LoadedConfig, prepared: Prepared, onDemand: boolean): Promise<void> {
  const target = config.target;
  const held = new Set(prepared.plan.records.filter((r) => r.kind === 'skip' && prepared.plan.deprovisionHold !== undefined).map((r) => r.sourceId));
  const settledWith = (ids: readonly string[], inScope: ReadonlySet<string>) => ids.filter((id) => !held.has(id)).map((id) => ({ id, inScope: inScope.has(id) }));
  // Groups stay dirty when the hold of an incomplete import or a scope shrink dropped member removals (plan.ts), and on
  // demand, where only the provisioned users' memberships were applied: the next cycle plans them again.
  const groupsSettle = prepared.plan.deprovisionHold === undefined && !onDemand;
  await markEvaluated(store.db, target, {
    users: settledWith(prepared.evaluated.users, prepared.scope.userIds),
    groups: groupsSettle ? settledWith(prepared.evaluated.groups, prepared.scope.groupIds) : [],
  });
  // An escrowed object evaluated again with nothing left to do (it left scope, or what failed is no longer wanted) is
  // no longer escrowed: else it would count as escrowed, and the cycle as partial, for ever.
  const planned = new Set(planOperations(prepared.plan).map((op) => `${objectTypeOf(op)}:${op.sourceId}`));
  const settled = (objectType: 'user' | 'group', ids: readonly string[], links: Map<string, LinkView>) =>
    ids.filter((id) => (links.get(id)?.attempts ?? 0) > 0 && !planned.has(`${objectType}:${id}`)).map((sourceId) => ({ objectType, sourceId }));
  for (const key of [...settled('user', prepared.evaluated.users, prepared.userLinks), ...settled('group', prepared.evaluated.groups, prepared.groupLinks)]) {
    await clearLinkEscrow(store.db, target, key, new Date());
  }
}
