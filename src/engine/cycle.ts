// One cycle (ARCHITECTURE.md "One cycle"): lock, import, evaluate, plan, guard, apply, summarise; and the dry run.
import { randomUUID } from 'node:crypto';
import type { LoadedConfig } from '../config/index.js';
import { compileMapping } from '../mapping/index.js';
import { silentProgress, type Logger, type Progress } from '../observe/index.js';
import type { ScimClient } from '../scim/index.js';
import {
  clearDirty, countLinks, countOpenWork, markAbandonedCyclesInterrupted, pruneLog, readTargetState, recordCycleEnd, recordCycleStart,
  updateTargetState, type CycleKind, type Store,
} from '../store/index.js';
import { applyPlan, type ApplyEnd } from './apply.js';
import type { ApplyContext } from './apply-context.js';
import { quarantineDelayMs } from './backoff.js';
import { createNotionClient, createSource } from './clients.js';
import { logActionOf, planOperations, type Plan } from './model.js';
import { prepareCycle, type Prepared } from './prepare.js';
import type { CycleSummary } from './summary.js';

export interface CycleDependencies {
  config: LoadedConfig;
  store: Store;
  logger: Logger;
  progress?: Progress;
  /** Stop starting operations; the one in flight finishes; the cycle is recorded 'interrupted'. */
  signal?: AbortSignal;
  now?: () => Date;
}

export interface CycleOptions {
  mode?: 'incremental' | 'full' | 'verify';
  dryRun?: boolean;
  forceDeletes?: boolean;
  /** Records the cycle under this kind instead of the one the mode implies (e.g. 'on-demand'). */
  kindLabel?: CycleKind;
  /** On-demand: evaluate only these mirrored users, without a Graph import (the caller imported them). */
  onlyUsers?: string[];
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
  if (!lock) return finish({ kind: options.kindLabel ?? mode, status: 'locked', importComplete: false, counts: {}, stagedDeletes: 0, escrowed: 0, ...noTraffic });

  // A lost lock connection (h3, issue 11): another replica may hold the lock now, so stop like an abort, send
  // no further operation; the SCIM client sends nothing more (queued requests are dropped), and end `failed`.
  const signal = deps.signal ? AbortSignal.any([deps.signal, lock.lost]) : lock.lost;
  const lockLost = () => (lock.lost.aborted ? 'lost the store connection (and the target lock with it)' : undefined);
  const logger = deps.logger.child({ cycleId, target });
  const progress = deps.progress ?? silentProgress;
  let scim: ScimClient | undefined;
  let kind: CycleKind = options.kindLabel ?? mode;
  let started = false;
  try {
    await markAbandonedCyclesInterrupted(db, target, startedAt);
    if (!options.kindLabel && mode === 'incremental' && (await countLinks(db, target)) === 0) kind = 'initial';
    await recordCycleStart(db, { id: cycleId, target, kind, dryRun: options.dryRun ?? false, startedAt });
    started = true;
    logger.info({ event: 'cycle.started', kind, mode, dryRun: options.dryRun ?? false }, 'cycle.started');
    scim = createNotionClient(config, logger, lock.lost);
    const source = createSource(config, logger, signal);
    const prepared = await prepareCycle({
      config, db, source, scim, progress, mapping, now: startedAt, mode, forceDeletes: options.forceDeletes ?? false,
      ...(options.onlyUsers ? { onlyUsers: options.onlyUsers, skipImport: true } : {}),
    });
    const importComplete = prepared.importResult?.complete ?? true;
    let end: ApplyEnd = { kind: 'done' };
    let counts: Record<string, number>;
    if (options.dryRun) {
      counts = plannedCounts(prepared.plan);
    } else {
      const ctx = applyContext(prepared, { scim, db, target, cycleId, logger, now });
      progress.phase('apply', planOperations(prepared.plan).length);
      end = await applyPlan(ctx, prepared.plan, {
        parallel: Math.max(4, config.notion.maxConcurrency * 2),
        signal,
        failurePercent: config.safety.quarantineFailurePercent,
        minOperations: config.safety.quarantineMinOperations,
        onOperationDone: () => progress.tick(),
      });
      counts = ctx.counts;
      if (end.kind === 'done') await finishState(store, target, prepared, mapping.fingerprint, options.onlyUsers !== undefined);
      // The operator confirmed the smaller scope: it becomes the base for the next shrink check.
      if (end.kind === 'done' && options.forceDeletes && prepared.importResult?.scopeShrinkHeld) {
        await updateTargetState(db, target, { lastScopeSize: prepared.scope.userIds.size });
      }
      await pruneLog(db, target, new Date(now().getTime() - config.logRetentionDays * day));
    }
    progress.done();
    const failures = Object.entries(counts).some(([key, n]) => key.endsWith('.failure') && n > 0);
    const quarantine = end.kind === 'quarantine' ? await enterQuarantine(store, target, end.reason, now()) : undefined;
    if (end.kind === 'done' && !options.dryRun && !failures) await leaveQuarantine(store, target);
    const status = lockLost() ? 'failed' : end.kind === 'quarantine' ? 'quarantined' : end.kind === 'interrupted' ? 'interrupted' : failures || !importComplete ? 'partial' : 'succeeded';
    const error = lockLost() ?? quarantine?.reason ?? (importComplete ? undefined : prepared.importResult?.incompleteReason ?? 'the Entra import was incomplete');
    const open = await countOpenWork(db, target);
    await recordCycleEnd(db, cycleId, { status, finishedAt: now(), counts, importComplete, ...(error ? { error } : {}) });
    const summary = finish({
      kind, status, importComplete, counts, stagedDeletes: open.stagedDeletes, escrowed: open.escrowed,
      ...(quarantine ? { quarantine } : {}),
      scim: scim.stats(),
      graph: source.stats(),
      ...(error ? { error } : {}),
    });
    logger.info({ event: 'cycle.finished', ...summary }, 'cycle.finished');
    return summary;
  } catch (error) {
    const message = lockLost() ?? (error instanceof Error ? error.message : String(error));
    if (started) await recordCycleEnd(db, cycleId, { status: 'failed', finishedAt: now(), counts: {}, error: message }).catch(() => undefined);
    const summary = finish({ kind, status: 'failed', importComplete: false, counts: {}, stagedDeletes: 0, escrowed: 0, ...noTraffic, ...(scim ? { scim: scim.stats() } : {}), error: message });
    logger.error({ event: 'cycle.finished', ...summary }, 'cycle.finished');
    return summary;
  } finally {
    await scim?.close();
    await lock.release();
  }
}

function applyContext(prepared: Prepared, base: Pick<ApplyContext, 'scim' | 'db' | 'target' | 'cycleId' | 'logger' | 'now'>): ApplyContext {
  return { ...base, userLinks: prepared.userLinks, groupLinks: prepared.groupLinks, applied: prepared.applied, counts: {}, tally: { attempted: 0, failed: 0 } };
}

/** After a completed apply: evaluated objects are no longer dirty (held deprovisions stay so) and the mapping is current. */
async function finishState(store: Store, target: string, prepared: Prepared, fingerprint: string, onDemand: boolean): Promise<void> {
  const held = new Set(prepared.plan.records.filter((r) => r.kind === 'skip' && prepared.plan.deprovisionHold !== undefined).map((r) => r.sourceId));
  await clearDirty(store.db, target, {
    users: prepared.evaluated.users.filter((id) => !held.has(id)),
    groups: prepared.evaluated.groups.filter((id) => !held.has(id)),
  });
  if (!onDemand) await updateTargetState(store.db, target, { mappingFingerprint: fingerprint });
}

async function enterQuarantine(store: Store, target: string, reason: string, now: Date): Promise<{ reason: string; nextAttemptAt: Date }> {
  const state = await readTargetState(store.db, target);
  const seriesCount = (state?.quarantineSeriesCount ?? 0) + 1;
  const nextAttemptAt = new Date(now.getTime() + quarantineDelayMs(seriesCount));
  await updateTargetState(store.db, target, { quarantineReason: reason, quarantineSince: state?.quarantineSince ?? now, quarantineSeriesCount: seriesCount, quarantineNextAttemptAt: nextAttemptAt });
  return { reason, nextAttemptAt };
}

async function leaveQuarantine(store: Store, target: string): Promise<void> {
  await updateTargetState(store.db, target, { quarantineReason: null, quarantineSince: null, quarantineSeriesCount: 0, quarantineNextAttemptAt: null });
}
