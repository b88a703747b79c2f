// Cycle records: one row per run with its kind, outcome and counts.
import { and, desc, eq, inArray, ne } from 'drizzle-orm';
import { redactOptional } from '../observe/redact.js';
import type { Queryable } from './database.js';
import { cycles, type CycleRow } from './schema.js';

export type CycleKind = 'initial' | 'incremental' | 'full' | 'verify' | 'on-demand';
export type CycleStatus = 'running' | 'succeeded' | 'partial' | 'held' | 'failed' | 'quarantined' | 'interrupted';

export async function recordCycleStart(
  db: Queryable,
  cycle: { id: string; target: string; kind: CycleKind; dryRun?: boolean; startedAt: Date; holder?: string },
): Promise<void> {
  await db.insert(cycles).values({ ...cycle, dryRun: cycle.dryRun ?? false, status: 'running', progressAt: cycle.startedAt });
}

/** The running cycle showed progress at `at`. */
export async function recordCycleProgress(db: Queryable, id: string, at: Date): Promise<void> {
  await db.update(cycles).set({ progressAt: at }).where(and(eq(cycles.id, id), eq(cycles.status, 'running')));
}

export interface RunningCycle {
  id: string;
  startedAt: Date;
  holder: string | null;
  /** When it last showed progress; its start when it has shown none (or ran before progress was recorded). */
  progressAt: Date;
}

/** The target's running cycle: the lock holder's, since a holder marks every other running row interrupted. */
export async function readRunningCycle(db: Queryable, target: string): Promise<RunningCycle | undefined> {
  const [row] = await db
    .select({ id: cycles.id, startedAt: cycles.startedAt, holder: cycles.holder, progressAt: cycles.progressAt })
    .from(cycles)
    .where(and(eq(cycles.target, target), eq(cycles.status, 'running')))
    .orderBy(desc(cycles.startedAt))
    .limit(1);
  return row ? { ...row, progressAt: row.progressAt ?? row.startedAt } : undefined;
}

export async function recordCycleEnd(
  db: Queryable,
  id: string,
  outcome: { status: Exclude<CycleStatus, 'running'>; finishedAt: Date; counts: Record<string, number>; importComplete?: boolean; error?: string },
): Promise<void> {
  await db
    .update(cycles)
    .set({ status: outcome.status, finishedAt: outcome.finishedAt, counts: outcome.counts, importComplete: outcome.importComplete ?? null, error: redactOptional(outcome.error ?? null) })
    .where(eq(cycles.id, id));
}

export async function listRecentCycles(db: Queryable, target: string, limit = 10): Promise<CycleRow[]> {
  return db.select().from(cycles).where(eq(cycles.target, target)).orderBy(desc(cycles.startedAt)).limit(limit);
}

export async function lastSuccessfulCycle(db: Queryable, target: string): Promise<CycleRow | undefined> {
  const rows = await db
    .select()
    .from(cycles)
    .where(and(eq(cycles.target, target), eq(cycles.status, 'succeeded'), eq(cycles.dryRun, false)))
    .orderBy(desc(cycles.startedAt))
    .limit(1);
  return rows[0];
}

/**
 * Whether a cycle (not a dry run, not on demand) has finished a complete Entra read and its apply on this store: until
 * one has, the store has not yet compared the workspace with the scope (members it cannot account for, issue 12).
 */
export async function hasCompleteCycle(db: Queryable, target: string): Promise<boolean> {
  const rows = await db
    .select({ id: cycles.id })
    .from(cycles)
    .where(and(eq(cycles.target, target), eq(cycles.dryRun, false), eq(cycles.importComplete, true), ne(cycles.kind, 'on-demand'), inArray(cycles.status, ['succeeded', 'partial', 'held'])))
    .limit(1);
  return rows.length > 0;
}

/** Cycles left `running` by a process that died: marked interrupted so `status` tells the truth. */
export async function markAbandonedCyclesInterrupted(db: Queryable, target: string, now: Date): Promise<number> {
  const rows = await db
    .update(cycles)
    .set({ status: 'interrupted', finishedAt: now, error: 'the process stopped before the cycle finished' })
    .where(and(eq(cycles.target, target), eq(cycles.status, 'running')))
    .returning({ id: cycles.id });
  return rows.length;
}
