// The cycle summary: what the worker, `sync` and the `cycles` row report.
import { formatRate, formatSeconds, type ScimTraffic } from '../observe/index.js';
import type { CycleKind } from '../store/index.js';

/**
 * succeeded; partial: an incomplete import, failures, or objects left escrowed; held: deprovisions staged waiting for
 * `approve`, or held by a suspicious scope shrink; quarantined; failed; interrupted; locked (another holder ran it).
 */
export type CycleStatusReported = 'succeeded' | 'partial' | 'held' | 'failed' | 'quarantined' | 'interrupted' | 'locked';

export interface CycleSummary {
  cycleId: string;
  target: string;
  kind: CycleKind;
  /** 'locked': another holder runs a cycle for this target; nothing was done and no cycles row written (`error` says
   * so when the holder's cycle has stalled). */
  status: CycleStatusReported;
  startedAt: Date;
  finishedAt: Date;
  durationMs: number;
  importComplete: boolean;
  /** `${action}.${status}`, e.g. 'create.success', 'disable.failure', 'staged-delete.skipped'. */
  counts: Record<string, number>;
  stagedDeletes: number;
  escrowed: number;
  /** Notion members an initial cycle could not account for, still waiting for `approve --unaccounted` or --reject. */
  unaccountedMembers: number;
  quarantine?: { reason: string; nextAttemptAt: Date };
  scim: ScimTraffic;
  graph: { requests: number; throttled: number };
  error?: string;
  /** With 'locked': the cycle that holds the lock, when its row says (none between taking the lock and writing it). */
  heldBy?: LockHolder;
}

export interface LockHolder {
  cycleId: string;
  /** host:pid of the process running it (null for a cycle started before this was recorded). */
  holder: string | null;
  startedAt: Date;
  progressAt: Date;
  /** No progress for `stalledAfterMs`: the holder is stuck, not slow. */
  stalled: boolean;
}

const notionRate = ({ requests, requestsPerSecond }: ScimTraffic): string =>
  requests > 0 && requestsPerSecond !== undefined ? ` at ${formatRate(requestsPerSecond)}/s` : '';

/** One line per summary for people: status, duration, and the non-zero counts. */
export function describeSummary(summary: CycleSummary): string {
  const counts = Object.entries(summary.counts)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, n]) => `${key}=${n}`)
    .join(' ');
  const extras = [
    summary.stagedDeletes > 0 ? `staged deletes: ${summary.stagedDeletes}` : '',
    summary.escrowed > 0 ? `escrowed: ${summary.escrowed}` : '',
    summary.unaccountedMembers > 0 ? `unaccounted Notion members: ${summary.unaccountedMembers}` : '',
    summary.quarantine ? `quarantined: ${summary.quarantine.reason}` : '',
    summary.error ? `error: ${summary.error}` : '',
  ].filter(Boolean);
  return [
    `${summary.kind} cycle ${summary.status} in ${(summary.durationMs / 1000).toFixed(1)}s`,
    `  changes: ${counts || 'none'}`,
    `  requests: Notion ${summary.scim.requests} (throttled ${summary.scim.throttled})${notionRate(summary.scim)}, Graph ${summary.graph.requests}`,
    ...extras.map((e) => `  ${e}`),
  ].join('\n');
}

/** Why a cycle found the target locked, for people: who holds it, since when, and whether it still moves. */
export function describeLocked(target: string, heldBy: LockHolder | undefined, now: Date): string {
  if (!heldBy) return `Another process is running a cycle for target "${target}"; nothing was done.`;
  const ago = (at: Date) => formatSeconds(Math.max(0, now.getTime() - at.getTime()) / 1000);
  const who = heldBy.holder ? `Another process (${heldBy.holder})` : 'Another process';
  const cycle = `cycle ${heldBy.cycleId.slice(0, 8)}, started ${heldBy.startedAt.toISOString()}`;
  if (!heldBy.stalled) return `${who} is running a cycle for target "${target}" (${cycle}, ${ago(heldBy.startedAt)} ago; last progress ${ago(heldBy.progressAt)} ago); nothing was done.`;
  return (
    `${who} holds the lock for target "${target}" with a cycle that has shown no progress for ${ago(heldBy.progressAt)} (${cycle}): it looks stuck, ` +
    'and nothing was done. Stop or restart that process: Postgres releases the lock with its connection.'
  );
}
