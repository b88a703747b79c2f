// A job's metrics outlive its process: written for node_exporter's textfile collector, or pushed to a Pushgateway.
import { renameSync, writeFileSync } from 'node:fs';
import { Pushgateway, type Registry } from 'prom-client';
import { createWorkerMetrics, type CycleMetricsInput } from './metrics.js';

export interface MetricsExportOptions {
  /** METRICS_TEXTFILE: a `.prom` file in node_exporter's `--collector.textfile.directory`. */
  textfile?: string;
  /** METRICS_PUSHGATEWAY_URL */
  pushgatewayUrl?: string;
}

/** What a `sync` run knows when it ends (a subset of the engine's CycleSummary). */
export interface JobCycleInput extends CycleMetricsInput {
  finishedAt: Date;
  stagedDeletes: number;
  escrowed: number;
  quarantine?: unknown;
}

export const pushgatewayJobName = 'entra_notion_sync';

/**
 * Writes and/or pushes the metrics of one finished `sync` run. The HTTP answers were counted live since `begin`;
 * a run that did not succeed leaves no last-success time (an alert on its age or absence then fires, as it should).
 */
export function beginJobMetrics(target: string, options: MetricsExportOptions) {
  const metrics = createWorkerMetrics(target, { processMetrics: false });
  return {
    async finish(cycle: JobCycleInput): Promise<void> {
      metrics.close();
      metrics.recordCycle(cycle);
      metrics.recordOpenWork({ stagedDeletes: cycle.stagedDeletes, escrowed: cycle.escrowed, lastSuccessAt: cycle.finishedAt, quarantined: cycle.quarantine !== undefined, stale: false });
      // A job cannot know staleness (that needs the schedule), nor a last success it did not see.
      metrics.registry.removeSingleMetric('entra_notion_sync_stale');
      if (cycle.status !== 'succeeded') metrics.registry.removeSingleMetric('entra_notion_sync_last_successful_cycle_timestamp_seconds');
      await exportMetrics(metrics.registry, target, options);
    },
    cancel: () => metrics.close(),
  };
}

export async function exportMetrics(registry: Registry, target: string, options: MetricsExportOptions): Promise<void> {
  if (options.textfile) writeFileAtomically(options.textfile, await registry.metrics());
  if (options.pushgatewayUrl) {
    const gateway = new Pushgateway(options.pushgatewayUrl, { timeout: 10_000 }, registry);
    // PUT: this run's metrics replace the previous run's for the same job and target.
    await gateway.push({ jobName: pushgatewayJobName, groupings: { target } });
  }
}

/** node_exporter may read the file at any moment: write a temporary file beside it, then rename it into place. */
export function writeFileAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}
