// The worker: a cycle at start and then on the cron schedule, never two at once in this process (the engine's
// per-target lock keeps replicas apart), quarantine back-off, health and alerts after each tick, and a graceful stop.
import { schedule as scheduleCron } from 'node-cron';
import type { LoadedConfig } from '../config/index.js';
import { createWorkerMetrics, type Logger, type WorkerMetrics } from '../observe/index.js';
import type { Store } from '../store/index.js';
import { notifyAlertChanges } from './alerts.js';
import { longestScheduleGapMs, readTargetHealth, type StalenessRule, type TargetHealth } from './health.js';
import { startHealthServer, type HealthServer, type HealthServerOptions, type Readiness } from './http.js';

/** What the worker needs of a finished cycle (the engine's CycleSummary has these fields and more). */
export interface CycleOutcome {
  cycleId: string;
  status: 'succeeded' | 'partial' | 'held' | 'failed' | 'quarantined' | 'interrupted' | 'locked';
  durationMs: number;
  counts: Record<string, number>;
  scim: { requests: number; throttled: number; retries: number };
  graph: { requests: number; throttled: number };
  error?: string;
}

/** Runs one cycle; on abort it starts no new operation, lets the one in flight finish and returns `interrupted`. */
export type CycleRunner = (signal: AbortSignal) => Promise<CycleOutcome>;

/** Calls `onTick` on the schedule until stopped (node-cron by default; tests drive ticks by hand). */
export type TickSource = (expression: string, onTick: () => void) => { stop(): void };

export interface WorkerDependencies {
  config: LoadedConfig;
  store: Store;
  logger: Logger;
  runCycle: CycleRunner;
  now?: () => Date;
  ticks?: TickSource;
  sendWebhook?: (url: string, text: string) => Promise<void>;
  /** Serves every path of the HTTP port but the probes and /metrics (the web console, when enabled). */
  httpFallback?: HealthServerOptions['fallback'];
}

export interface RunningWorker {
  /** The HTTP port actually listened on, when HTTP_PORT is set. */
  readonly httpPort: number | undefined;
  /** Resolves after the first tick (the cycle at start) is over. */
  readonly firstTick: Promise<void>;
  /** Runs one tick now, as the schedule would. */
  tick(): Promise<void>;
  /** Stops the schedule, aborts the running cycle and waits for it up to the grace period; true when it finished in time. */
  stop(): Promise<boolean>;
}

const cronTicks: TickSource = (expression, onTick) => {
  const task = scheduleCron(expression, onTick, { name: 'entra-notion-sync' });
  return { stop: () => void task.destroy() };
};

export async function startWorker(deps: WorkerDependencies): Promise<RunningWorker> {
  const { config, store, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const target = config.target;
  const metrics: WorkerMetrics = createWorkerMetrics(target);
  const rule: StalenessRule = { staleAfterMs: config.worker.staleAfterIntervals * longestScheduleGapMs(config.schedule), since: now() };
  const webhookUrl = config.worker.webhookUrl;

  let running: Promise<void> | undefined;
  let controller: AbortController | undefined;
  let stopping = false;

  /** Runs the cycle unless the quarantine defers it; returns its outcome (undefined when none ran). */
  async function runOneCycle(): Promise<Pick<CycleOutcome, 'status' | 'error'> | undefined> {
    const state = await readTargetHealth(store, target, rule, now());
    const nextAttemptAt = state.quarantine?.nextAttemptAt;
    if (nextAttemptAt && nextAttemptAt > now()) {
      logger.info({ event: 'cycle.deferred', reason: 'quarantine', quarantineReason: state.quarantine?.reason, nextAttemptAt: nextAttemptAt.toISOString() });
      return undefined;
    }
    controller = new AbortController();
    try {
      const outcome = await deps.runCycle(controller.signal);
      metrics.recordCycle(outcome);
      if (outcome.status === 'locked') logger.info({ event: 'cycle.locked', target, message: 'another process holds the lock for this target; waiting for the next tick' });
      return outcome;
    } catch (error) {
      metrics.recordCycleError();
      logger.error({ event: 'cycle.error', error: error instanceof Error ? error.message : String(error) });
      return { status: 'failed', error: error instanceof Error ? error.message : String(error) };
    } finally {
      controller = undefined;
    }
  }

  /** Health after a tick: metrics, the staleness error line, and alerts. Failures here never stop the worker. */
  async function observeHealth(lastCycle: Pick<CycleOutcome, 'status' | 'error'> | undefined): Promise<void> {
    let health: TargetHealth;
    try {
      health = await readTargetHealth(store, target, rule, now());
    } catch (error) {
      logger.error({ event: 'worker.health.unreadable', error: error instanceof Error ? error.message : String(error) });
      return;
    }
    metrics.recordOpenWork({ ...health, quarantined: health.quarantine !== undefined });
    if (health.stale) {
      logger.error({
        event: 'worker.stale',
        lastSuccessAt: health.lastSuccessAt?.toISOString() ?? null,
        staleAfterIntervals: config.worker.staleAfterIntervals,
        message: `no successful cycle for ${config.worker.staleAfterIntervals} schedule intervals`,
      });
    }
    if (webhookUrl) {
      await notifyAlertChanges(
        { store, target, logger, webhookUrl, staleAfterIntervals: config.worker.staleAfterIntervals, ...(deps.sendWebhook ? { send: deps.sendWebhook } : {}) },
        { ...health, lastCycle },
      ).catch((error: unknown) => logger.warn({ event: 'alert.failed', error: error instanceof Error ? error.message : String(error) }));
    }
  }

  async function tick(): Promise<void> {
    if (stopping) return;
    if (running) {
      logger.info({ event: 'cycle.skipped', reason: 'the previous cycle is still running' });
      return;
    }
    running = (async () => {
      let outcome: Pick<CycleOutcome, 'status' | 'error'> | undefined;
      try {
        outcome = await runOneCycle();
      } catch (error) {
        // Reading the quarantine state failed: the store is unreachable; the next tick tries again.
        logger.error({ event: 'cycle.error', error: error instanceof Error ? error.message : String(error) });
        outcome = { status: 'failed', error: error instanceof Error ? error.message : String(error) };
      }
      await observeHealth(outcome);
    })();
    try {
      await running;
    } finally {
      running = undefined;
    }
  }

  async function checkReadiness(): Promise<Readiness> {
    try {
      await store.ping();
    } catch (error) {
      return { ready: false, problems: [`store unreachable: ${error instanceof Error ? error.message : String(error)}`] };
    }
    const health = await readTargetHealth(store, target, rule, now());
    const problems: string[] = [];
    if (health.quarantine) problems.push(`quarantined: ${health.quarantine.reason}`);
    if (health.stale) problems.push(`stale: no successful cycle for ${config.worker.staleAfterIntervals} schedule intervals`);
    return { ready: problems.length === 0, problems };
  }

  const server: HealthServer | undefined = config.worker.httpPort
    ? await startHealthServer({ port: config.worker.httpPort, logger, metrics, checkReadiness, ...(deps.httpFallback ? { fallback: deps.httpFallback } : {}) })
    : undefined;
  logger.info({ event: 'worker.started', target, schedule: config.schedule, staleAfterMs: rule.staleAfterMs, httpPort: server?.port ?? null });
  const ticks = (deps.ticks ?? cronTicks)(config.schedule, () => void tick());
  const firstTick = tick();

  return {
    httpPort: server?.port,
    firstTick,
    tick,
    async stop() {
      stopping = true;
      ticks.stop();
      const inFlight = running;
      if (inFlight) {
        logger.info({ event: 'worker.stopping', message: 'waiting for the running cycle to stop', graceSeconds: config.worker.shutdownGraceSeconds });
        controller?.abort();
      }
      const finished = inFlight ? await settlesWithin(inFlight, config.worker.shutdownGraceSeconds * 1000) : true;
      if (!finished) logger.warn({ event: 'worker.grace-exceeded', graceSeconds: config.worker.shutdownGraceSeconds, message: 'the running cycle did not stop in time; the next start marks it interrupted' });
      await server?.close();
      logger.info({ event: 'worker.stopped' });
      return finished;
    },
  };
}

async function settlesWithin(work: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
