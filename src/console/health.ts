// The overview's health verdict, from the store only (every replica and the standalone console tell the same truth).
import { createTask } from 'node-cron';
import type { PhaseSnapshot } from '../observe/index.js';
import { countLinksByState, listRecentCycles, readNotionRate, type CycleRow, type LinkCount, type NotionRateReport, type Store } from '../store/index.js';
import { longestScheduleGapMs, readTargetHealth, type TargetHealth } from '../worker/health.js';
import type { ConsoleContext } from './context.js';

export type HealthLabel = 'healthy' | 'running' | 'quarantined' | 'stale' | 'held';

export interface OverviewFacts {
  label: HealthLabel;
  health: TargetHealth;
  running: CycleRow | undefined;
  /** The running cycle's phase, when this process runs it. */
  phase: PhaseSnapshot | undefined;
  lastFinished: CycleRow | undefined;
  nextCycleAt: Date | undefined;
  links: LinkCount[];
  cycles: CycleRow[];
  notionRate: NotionRateReport;
}

/** Quarantine first (nothing runs), then stale (nothing succeeded for too long), held (deletions wait), running. */
export function healthLabel(health: TargetHealth, running: boolean, lastStatus: string | undefined): HealthLabel {
  if (health.quarantine) return 'quarantined';
  if (health.stale) return 'stale';
  if (health.stagedDeletes > 0 || lastStatus === 'held') return 'held';
  if (running) return 'running';
  return 'healthy';
}

export async function readOverviewFacts(ctx: ConsoleContext, store: Store = ctx.store): Promise<OverviewFacts> {
  const now = ctx.now();
  const staleAfterMs = ctx.config.worker.staleAfterIntervals * longestScheduleGapMs(ctx.config.schedule);
  const [health, cycles, links, notionRate] = await Promise.all([
    readTargetHealth(store, ctx.target, { staleAfterMs, since: ctx.startedAt }, now),
    listRecentCycles(store.db, ctx.target, 100),
    countLinksByState(store.db, ctx.target),
    readNotionRate(store.db, ctx.target, ctx.config.notion.rateLimitRps),
  ]);
  const running = cycles.find((c) => c.status === 'running');
  const lastFinished = cycles.find((c) => c.status !== 'running');
  return {
    label: healthLabel(health, running !== undefined, lastFinished?.status),
    health,
    running,
    phase: running ? ctx.phaseInFlight() : undefined,
    lastFinished,
    nextCycleAt: health.quarantine?.nextAttemptAt ?? nextScheduledRun(ctx.config.schedule),
    links,
    cycles,
    notionRate,
  };
}

function nextScheduledRun(expression: string): Date | undefined {
  const task = createTask(expression, () => undefined);
  try {
    return task.getNextRuns(1)[0];
  } finally {
    void task.destroy();
  }
}
