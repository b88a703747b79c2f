// The target's health as the worker sees it after each tick and on each readiness probe, read from the store so
// that every replica tells the same truth: quarantine, last success, staleness, staged deletes and escrows.
import { createTask } from 'node-cron';
import { countOpenWork, lastSuccessfulCycle, readTargetState, type Store } from '../store/index.js';

export interface TargetHealth {
  quarantine: { reason: string; since: Date | null; nextAttemptAt: Date | null } | undefined;
  lastSuccessAt: Date | undefined;
  /** No successful cycle for `staleAfterIntervals` schedule intervals (counted from the worker's start when none ever). */
  stale: boolean;
  stagedDeletes: number;
  escrowed: number;
}

export interface StalenessRule {
  /** How long without a successful cycle counts as stale. */
  staleAfterMs: number;
  /** Used instead of the last success when there was none: a new worker is not stale at once. */
  since: Date;
}

export async function readTargetHealth(store: Store, target: string, rule: StalenessRule, now: Date): Promise<TargetHealth> {
  const [state, lastSuccess, openWork] = await Promise.all([
    readTargetState(store.db, target),
    lastSuccessfulCycle(store.db, target),
    countOpenWork(store.db, target),
  ]);
  const lastSuccessAt = lastSuccess ? (lastSuccess.finishedAt ?? lastSuccess.startedAt) : undefined;
  const reference = lastSuccessAt ?? rule.since;
  return {
    quarantine: state?.quarantineReason
      ? { reason: state.quarantineReason, since: state.quarantineSince, nextAttemptAt: state.quarantineNextAttemptAt }
      : undefined,
    lastSuccessAt,
    stale: now.getTime() - reference.getTime() > rule.staleAfterMs,
    ...openWork,
  };
}

/**
 * The longest gap between consecutive runs of a cron schedule (over its next runs): "every 40 minutes" in cron
 * runs at :00 and :40, so gaps of 40 and 20 minutes; staleness must count in the longer one.
 */
export function longestScheduleGapMs(expression: string): number {
  const task = createTask(expression, () => undefined);
  try {
    const runs = task.getNextRuns(12);
    let longest = 0;
    for (let i = 1; i < runs.length; i++) longest = Math.max(longest, runs[i]!.getTime() - runs[i - 1]!.getTime());
    return longest;
  } finally {
    void task.destroy();
  }
}
