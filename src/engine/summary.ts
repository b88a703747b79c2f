// The cycle summary: what the worker, `sync` and the `cycles` row report.
import { formatRate, type ScimTraffic } from '../observe/index.js';
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
  /** 'locked': another holder runs a cycle for this target; nothing was done and no cycles row written. */
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
