// Prometheus metrics (prom-client): cycles, operations, live HTTP answers, durations, open work, the build, and the
// standard Node process metrics under their standard names. The worker serves them; a job writes or pushes them.
import { readFileSync } from 'node:fs';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { onHttpAnswer } from './http-answers.js';

/** What metrics need of a finished cycle (a subset of the engine's CycleSummary). */
export interface CycleMetricsInput {
  status: string;
  durationMs: number;
  /** `${action}.${status}`, e.g. `create.success`. */
  counts: Record<string, number>;
  scim: ScimTraffic;
  graph: { requests: number; throttled: number };
}

/** A cycle's Notion requests, as its summary, the worker and the metrics report them. */
export interface ScimTraffic {
  requests: number;
  throttled: number;
  retries: number;
  /** The rate Notion requests went at when the cycle ended; with auto, the rate learnt (absent: no SCIM client). */
  requestsPerSecond?: number;
}

/** Gauges read from the store after each tick, so that every replica reports the same truth. */
export interface OpenWorkInput {
  stagedDeletes: number;
  escrowed: number;
  lastSuccessAt: Date | undefined;
  quarantined: boolean;
  stale: boolean;
}

export interface WorkerMetrics {
  recordCycle(cycle: CycleMetricsInput): void;
  /** A cycle that threw instead of returning a summary. */
  recordCycleError(): void;
  recordOpenWork(state: OpenWorkInput): void;
  // --- Watch mode and the cycle trigger (issue 15) ---
  /** Cycles run, once per reason that asked for them (`schedule`, `watch`, `verify-schedule`, …). */
  recordCycleReasons(reasons: string[]): void;
  /** A watch poll: `unchanged`, `changed`, `skipped` (a cycle ran or waited) or `failed`; `changed` names the sources. */
  recordPoll(outcome: 'unchanged' | 'changed' | 'skipped' | 'failed', changed?: string[]): void;
  /** Seconds from a change's detection (a poll or a notification) to one Notion write of the cycle that served it. */
  recordPropagation(seconds: number): void;
  // --- end of watch mode ---
  /** The exposition text and its content type, for `/metrics`. */
  render(): Promise<{ contentType: string; body: string }>;
  readonly registry: Registry;
  /** Stops counting HTTP answers (the live listener). */
  close(): void;
}

export interface MetricsOptions {
  /** Node's process metrics (CPU, memory, event loop): for a long-lived worker, not for a job's last words. */
  processMetrics?: boolean;
}

const prefix = 'entra_notion_sync_';

/** This package's version, for build_info ("unknown" if package.json was left out of an image). */
export const packageVersion: string = readPackageVersion();

function readPackageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function createWorkerMetrics(target: string, options: MetricsOptions = {}): WorkerMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ target });
  // Standard names (process_cpu_seconds_total, nodejs_heap_size_used_bytes, …), so stock dashboards and alerts work.
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  new Gauge({ name: `${prefix}build_info`, help: 'Always 1; the labels name the running version and Node.js', labelNames: ['version', 'node'], registers }).set(
    { version: packageVersion, node: process.version },
    1,
  );
  const httpRequests = new Counter({
    name: `${prefix}http_requests_total`,
    help: 'HTTP answers from Notion (service="scim") and Microsoft Graph (service="graph") by method and status; status="error" when none arrived',
    labelNames: ['service', 'method', 'status'],
    registers,
  });
  const stopCounting = onHttpAnswer((service, method, status) => httpRequests.inc({ service, method, status: String(status) }));

  const cycles = new Counter({ name: `${prefix}cycles_total`, help: 'Cycles by outcome (succeeded, partial, held, failed, quarantined, interrupted, locked, error)', labelNames: ['outcome'], registers });
  const operations = new Counter({ name: `${prefix}operations_total`, help: 'Provisioning operations by action and status', labelNames: ['action', 'status'], registers });
  const scimRequests = new Counter({ name: `${prefix}scim_requests_total`, help: 'SCIM requests sent to Notion, counted when a cycle ends', registers });
  const scimThrottled = new Counter({ name: `${prefix}scim_throttled_total`, help: 'SCIM answers 429 (Too Many Requests), counted when a cycle ends', registers });
  const scimRetries = new Counter({ name: `${prefix}scim_retries_total`, help: 'SCIM requests retried', registers });
  const scimRate = new Gauge({
    name: `${prefix}scim_rate_requests_per_second`,
    help: 'The rate Notion requests went at when the last cycle ended: NOTION_RATE_LIMIT_RPS (lowered while 429s repeat), or with auto the rate learnt (0: no cycle yet)',
    registers,
  });
  const graphRequests = new Counter({ name: `${prefix}graph_requests_total`, help: 'Microsoft Graph requests, counted when a cycle ends', registers });
  const graphThrottled = new Counter({ name: `${prefix}graph_throttled_total`, help: 'Microsoft Graph answers 429 (Too Many Requests), counted when a cycle ends', registers });
  const duration = new Histogram({
    name: `${prefix}cycle_duration_seconds`,
    help: 'Duration of cycles that ran (not those refused the lock)',
    buckets: [1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 14400],
    registers,
  });
  const lastSuccess = new Gauge({ name: `${prefix}last_successful_cycle_timestamp_seconds`, help: 'Unix time of the last successful cycle (0: none yet)', registers });
  const stagedDeletes = new Gauge({ name: `${prefix}staged_deletes`, help: 'Deprovisions held by the deletion guard, waiting for approve', registers });
  const escrowed = new Gauge({ name: `${prefix}escrowed_objects`, help: 'Objects whose last operation failed and that wait for a retry', registers });
  const quarantined = new Gauge({ name: `${prefix}quarantined`, help: '1 while the target is quarantined', registers });
  const stale = new Gauge({ name: `${prefix}stale`, help: '1 when no cycle succeeded for STALE_AFTER_INTERVALS schedule intervals', registers });
  lastSuccess.set(0);

  // --- Watch mode and the cycle trigger (issue 15) ---
  const cycleReasons = new Counter({ name: `${prefix}cycle_triggers_total`, help: 'Cycles run, by each reason that asked for them (start, schedule, watch, notification, verify-schedule, console)', labelNames: ['reason'], registers });
  const polls = new Counter({ name: `${prefix}watch_polls_total`, help: 'Watch polls of the Graph delta links by outcome (unchanged, changed, skipped, failed)', labelNames: ['outcome'], registers });
  const pollChanges = new Counter({ name: `${prefix}watch_changes_detected_total`, help: 'Watch polls that saw a change, by source (users, groups, assignments)', labelNames: ['source'], registers });
  const propagation = new Histogram({
    name: `${prefix}propagation_delay_seconds`,
    help: "Seconds from a change's detection (watch poll or notification) to each successful Notion write of the cycle that served it (one observation per write)",
    buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 900],
    registers,
  });
  const watchMetrics = {
    recordCycleReasons(reasons: string[]) {
      for (const reason of reasons) cycleReasons.inc({ reason });
    },
    recordPoll(outcome: 'unchanged' | 'changed' | 'skipped' | 'failed', changed: string[] = []) {
      polls.inc({ outcome });
      for (const source of changed) pollChanges.inc({ source });
    },
    recordPropagation(seconds: number) {
      propagation.observe(seconds);
    },
  };
  // --- end of watch mode ---

  return {
    ...watchMetrics,
    registry,
    recordCycle(cycle) {
      cycles.inc({ outcome: cycle.status });
      if (cycle.status === 'locked') return;
      duration.observe(cycle.durationMs / 1000);
      for (const [key, count] of Object.entries(cycle.counts)) {
        const dot = key.lastIndexOf('.');
        if (dot > 0 && count > 0) operations.inc({ action: key.slice(0, dot), status: key.slice(dot + 1) }, count);
      }
      scimRequests.inc(cycle.scim.requests);
      scimThrottled.inc(cycle.scim.throttled);
      scimRetries.inc(cycle.scim.retries);
      if (cycle.scim.requestsPerSecond !== undefined) scimRate.set(cycle.scim.requestsPerSecond);
      graphRequests.inc(cycle.graph.requests);
      graphThrottled.inc(cycle.graph.throttled);
    },
    recordCycleError() {
      cycles.inc({ outcome: 'error' });
    },
    recordOpenWork(state) {
      stagedDeletes.set(state.stagedDeletes);
      escrowed.set(state.escrowed);
      lastSuccess.set(state.lastSuccessAt ? state.lastSuccessAt.getTime() / 1000 : 0);
      quarantined.set(state.quarantined ? 1 : 0);
      stale.set(state.stale ? 1 : 0);
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    close: stopCounting,
  };
}
