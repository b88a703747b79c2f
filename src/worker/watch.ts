// Watch mode: every WATCH_INTERVAL_SECONDS the worker asks Graph whether anything changed (the delta links and the
// app's assignments) and requests a cycle when something did. Polls never overlap each other, and none runs while a
// cycle runs or waits: the cycle's import reads the same delta links.
import type { Logger, WorkerMetrics } from '../observe/index.js';

/** One poll: the sources that changed (`users`, `groups`, `assignments`); empty when nothing did. */
export interface PollOutcome {
  changed: string[];
  /** Graph requests this poll sent (token requests included). */
  requests: number;
}

export type WatchPoll = (signal: AbortSignal) => Promise<PollOutcome>;

export interface WatchOptions {
  intervalMs: number;
  poll: WatchPoll;
  /** True while a cycle runs or waits: the poll is skipped then. */
  busy: () => boolean;
  onChange: (changed: string[]) => void;
  logger: Logger;
  metrics: Pick<WorkerMetrics, 'recordPoll'>;
}

export interface RunningWatch {
  stop(): Promise<void>;
}

export function startWatch(options: WatchOptions): RunningWatch {
  const { logger, metrics } = options;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;

  async function pollOnce(): Promise<void> {
    if (options.busy()) {
      metrics.recordPoll('skipped');
      return;
    }
    try {
      const outcome = await options.poll(controller.signal);
      if (outcome.changed.length === 0) {
        metrics.recordPoll('unchanged');
        logger.debug({ event: 'watch.unchanged', requests: outcome.requests });
        return;
      }
      metrics.recordPoll('changed', outcome.changed);
      logger.info({ event: 'watch.changed', changed: outcome.changed, requests: outcome.requests });
      options.onChange(outcome.changed);
    } catch (error) {
      if (controller.signal.aborted) return;
      // A failed poll changes nothing: the next poll, or the schedule, sees the same changes.
      metrics.recordPoll('failed');
      logger.warn({ event: 'watch.failed', error: error instanceof Error ? error.message : String(error) });
    }
  }

  function schedule(): void {
    if (controller.signal.aborted) return;
    timer = setTimeout(() => {
      timer = undefined;
      polling = pollOnce().finally(() => {
        polling = undefined;
        schedule();
      });
    }, options.intervalMs);
  }

  schedule();
  return {
    async stop() {
      controller.abort();
      if (timer) clearTimeout(timer);
      await polling;
    },
  };
}
