// The worker: a cycle at start, then on the cron schedule, on a watch poll that saw a change, on VERIFY_SCHEDULE (a
// verify cycle) or on request; all through one debounced single-flight trigger, so never two cycles at once in this
// process (the engine's per-target lock keeps replicas apart). Quarantine back-off, health and alerts after each
// cycle, and a graceful stop.
import { schedule as scheduleCron } from 'node-cron';
import type { LoadedConfig } from '../config/index.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { createWorkerMetrics, type Logger, type ScimTraffic, type WorkerMetrics } from '../observe/index.js';
import type { Store } from '../store/index.js';
import { notifyAlertChanges } from './alerts.js';
import { longestScheduleGapMs, readTargetHealth, type StalenessRule, type TargetHealth } from './health.js';
import { startHealthServer, type HealthServer, type HealthServerOptions, type Readiness } from './http.js';
import { createCycleTrigger, type CycleRequestOptions } from './trigger.js';
import { startWatch, type WatchPoll } from './watch.js';

/** What the worker needs of a finished cycle (the engine's CycleSummary has these fields and more). */
export interface CycleOutcome {
  cycleId: string;
  status: 'succeeded' | 'partial' | 'held' | 'failed' | 'quarantined' | 'interrupted' | 'locked';
  durationMs: number;
  counts: Record<string, number>;
  scim: ScimTraffic;
  graph: { requests: number; throttled: number };
  error?: string;
}

/** What a cycle is asked to do: `verify` also reads Notion and repairs hand-made changes. */
export interface CycleRequest {
  mode: 'incremental' | 'verify';
  /** Why it runs: `start`, `schedule`, `verify-schedule`, `watch`, `console`, … (distinct, in order of arrival). */
  reasons: string[];
}

/** What the worker watches of a running cycle (the engine's CycleDependencies.onOperationDone). */
export interface CycleObserver {
  /** After each operation the cycle applies; `kind` is the engine's operation kind (`disable-user`, `skip`, …). */
  onOperationDone(op: { kind: string }, outcome: { failed: boolean }): void;
}

/** Runs one cycle; on abort it starts no new operation, lets the one in flight finish and returns `interrupted`. */
export type CycleRunner = (signal: AbortSignal, request: CycleRequest, observer: CycleObserver) => Promise<CycleOutcome>;

/** Reasons that mean "something changed in Entra": their cycles measure the propagation delay. */
const changeReasons = new Set(['watch', 'notification']);
/** Operations that only record (a log line, a staged or held deprovision): nothing reaches Notion, nothing propagated. */
const recordOnlyKinds = new Set(['skip', 'conflict', 'stage', 'unstage']);
/** The reason a VERIFY_SCHEDULE tick carries; a cycle with it runs in verify mode. */
export const verifyReason = 'verify-schedule';

/** Calls `onTick` on the schedule until stopped (node-cron by default; tests drive ticks by hand). */
export type TickSource = (expression: string, onTick: () => void) => { stop(): void };

export interface WorkerDependencies {
  config: LoadedConfig;
  store: Store;
  logger: Logger;
  runCycle: CycleRunner;
  now?: () => Date;
  ticks?: TickSource;
  /** Watch mode's poll of the Graph delta links (started when WATCH_INTERVAL_SECONDS > 0). */
  poll?: WatchPoll;
  sendWebhook?: (url: string, text: string) => Promise<void>;
  /** Serves every path of the HTTP port but the probes and /metrics (the web console, when enabled). */
  httpFallback?: HealthServerOptions['fallback'];
  /** Graph change notifications (src/notify): a route on the HTTP port, started once it listens, stopped first. */
  notifications?: NotificationHooks;
}

/** What the worker needs of the Graph change-notification service (src/notify's NotificationService). */
export interface NotificationHooks {
  readonly path: string;
  handle(request: IncomingMessage, response: ServerResponse): void;
  start(context: { requestCycle(reason: string): void; registry: Registry }): Promise<void>;
  stop(): Promise<void>;
}

export interface RunningWorker {
  /** The HTTP port actually listened on, when HTTP_PORT is set. */
  readonly httpPort: number | undefined;
  /** Resolves after the first tick (the cycle at start) is over. */
  readonly firstTick: Promise<void>;
  /** Runs one tick now, as the schedule would, and resolves when no cycle runs or waits any more. */
  tick(): Promise<void>;
  /** Asks for a cycle (debounced, single flight); `reason` is logged and counted. Never waits for it. */
  requestCycle(reason: string, options?: CycleRequestOptions): void;
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

  let controller: AbortController | undefined;
  let stopping = false;

  /** Runs the cycle unless the quarantine defers it; returns its outcome (undefined when none ran). */
  async function runOneCycle(request: CycleRequest, observer: CycleObserver): Promise<Pick<CycleOutcome, 'status' | 'error'> | undefined> {
    const state = await readTargetHealth(store, target, rule, now());
    const nextAttemptAt = state.quarantine?.nextAttemptAt;
    if (nextAttemptAt && nextAttemptAt > now()) {
      logger.info({ event: 'cycle.deferred', reason: 'quarantine', quarantineReason: state.quarantine?.reason, nextAttemptAt: nextAttemptAt.toISOString() });
      return undefined;
    }
    controller = new AbortController();
    try {
      const outcome = await deps.runCycle(controller.signal, request, observer);
      metrics.recordCycle(outcome);
      metrics.recordCycleReasons(request.reasons);
      // A lock held by a cycle that shows no progress is an outage the staleness alert would only report hours later.
      if (outcome.status === 'locked' && outcome.error) logger.error({ event: 'cycle.lock-stalled', target, message: outcome.error });
      else if (outcome.status === 'locked') logger.info({ event: 'cycle.locked', target, message: 'another process holds the lock for this target; waiting for the next tick' });
      return outcome;
    } catch (error) {
      metrics.recordCycleError();
      logger.error({ event: 'cycle.error', error: error instanceof Error ? error.message : String(error) });
      return { status: 'failed', error: error instanceof Error ? error.message : String(error) };
    } finally {
      controller = undefined;
    }
  }

  /**
   * Health after a cycle, and at each tick of the schedule that finds a cycle still running (a cycle stuck or slow
   * for hours must not hide the staleness until it ends): metrics, the staleness error line, and alerts. One at a
   * time, so that no alert goes out twice. Failures here never stop the worker.
   */
  let observing: Promise<void> = Promise.resolve();
  function observeHealth(lastCycle: Pick<CycleOutcome, 'status' | 'error'> | undefined): Promise<void> {
    observing = observing.then(() => observeHealthNow(lastCycle));
    return observing;
  }

  async function observeHealthNow(lastCycle: Pick<CycleOutcome, 'status' | 'error'> | undefined): Promise<void> {
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

  /** First change request not yet served by a cycle (for the propagation delay). */
  let changeDetectedAt: number | undefined;

  /**
   * The propagation delay, observed at every successful write of a cycle that serves a detected change, from the
   * earliest detection it serves: each write is a change arriving in Notion, so a burst of 100 changes gives 100
   * observations and the p95 shows how long its last writes waited (observing the first write only would show how
   * fast the worker reacts, not how long changes take). A change detected later in the same debounce window is
   * measured from the earlier detection (an upper bound), and the cycle's retry of an escrowed object counts as
   * a write of it. Record-only operations and failed writes propagated nothing.
   */
  function propagationObserver(detectedAt: number | undefined) {
    const delaysMs: number[] = [];
    const observer: CycleObserver = {
      onOperationDone(op, outcome) {
        if (detectedAt === undefined || outcome.failed || recordOnlyKinds.has(op.kind)) return;
        const delayMs = now().getTime() - detectedAt;
        delaysMs.push(delayMs);
        metrics.recordPropagation(delayMs / 1000);
      },
    };
    return { observer, delaysMs };
  }

  /** One trigger firing: a verify cycle when VERIFY_SCHEDULE asked for one (it does all an incremental one does). */
  async function runRequested(reasons: string[]): Promise<void> {
    const request: CycleRequest = { mode: reasons.includes(verifyReason) ? 'verify' : 'incremental', reasons };
    const propagation = propagationObserver(changeDetectedAt);
    changeDetectedAt = undefined;
    logger.info({ event: 'cycle.triggered', mode: request.mode, reasons });
    let outcome: Pick<CycleOutcome, 'status' | 'error'> | undefined;
    try {
      outcome = await runOneCycle(request, propagation.observer);
    } catch (error) {
      // Reading the quarantine state failed: the store is unreachable; the next request tries again.
      logger.error({ event: 'cycle.error', error: error instanceof Error ? error.message : String(error) });
      outcome = { status: 'failed', error: error instanceof Error ? error.message : String(error) };
    }
    const delays = propagation.delaysMs;
    if (delays.length > 0) {
      logger.info({ event: 'worker.propagated', writes: delays.length, firstWriteDelayMs: delays[0], lastWriteDelayMs: delays.at(-1), status: outcome?.status });
    }
    await observeHealth(outcome);
  }

  const trigger = createCycleTrigger({ run: runRequested, debounceMs: config.worker.debounceSeconds * 1000, logger, now: () => now().getTime() });

  function requestCycle(reason: string, options?: CycleRequestOptions): void {
    if (stopping) return;
    if (changeReasons.has(reason)) changeDetectedAt ??= now().getTime();
    trigger.request(reason, options);
  }

  function scheduleTick(): void {
    const running = trigger.busy();
    requestCycle('schedule', { immediate: true });
    if (running) void observeHealth(undefined);
  }

  async function tick(): Promise<void> {
    scheduleTick();
    await trigger.idle();
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
    ? await startHealthServer({
      port: config.worker.httpPort, logger, metrics, checkReadiness,
      ...(deps.httpFallback ? { fallback: deps.httpFallback } : {}),
      ...(deps.notifications ? { routes: { [deps.notifications.path]: deps.notifications.handle } } : {}),
    })
    : undefined;
  // Graph validates the notification URL when a subscription is created: the port listens first.
  await deps.notifications?.start({ requestCycle: (reason) => requestCycle(reason), registry: metrics.registry });
  const watchIntervalSeconds = deps.poll ? config.worker.watchIntervalSeconds : 0;
  const verifySchedule = config.worker.verifySchedule === 'off' ? null : config.worker.verifySchedule;
  logger.info({
    event: 'worker.started', target, schedule: config.schedule, verifySchedule, watchIntervalSeconds: watchIntervalSeconds || null,
    debounceSeconds: config.worker.debounceSeconds, staleAfterMs: rule.staleAfterMs, httpPort: server?.port ?? null,
  });
  const tickSource = deps.ticks ?? cronTicks;
  const ticks = tickSource(config.schedule, scheduleTick);
  const verifyTicks = verifySchedule ? tickSource(verifySchedule, () => requestCycle(verifyReason, { immediate: true })) : undefined;
  requestCycle('start', { immediate: true });
  const firstTick = trigger.idle();
  // A poll has already gathered the changes of its interval: its cycle starts at once (the debounce is for bursts
  // of notifications, and merges them with a poll's request all the same).
  const watch = deps.poll && watchIntervalSeconds > 0
    ? startWatch({ intervalMs: watchIntervalSeconds * 1000, poll: deps.poll, busy: () => trigger.busy(), onChange: () => requestCycle('watch', { immediate: true }), logger, metrics })
    : undefined;

  return {
    httpPort: server?.port,
    firstTick,
    tick,
    requestCycle,
    async stop() {
      stopping = true;
      // The subscriptions are deleted while the cycle winds down (bounded by the service).
      const unsubscribed = deps.notifications?.stop();
      ticks.stop();
      verifyTicks?.stop();
      await watch?.stop();
      const inFlight = trigger.busy();
      if (inFlight) {
        logger.info({ event: 'worker.stopping', message: 'waiting for the running cycle to stop', graceSeconds: config.worker.shutdownGraceSeconds });
        controller?.abort();
      }
      const finished = await settlesWithin(trigger.stop(), config.worker.shutdownGraceSeconds * 1000);
      if (!finished) logger.warn({ event: 'worker.grace-exceeded', graceSeconds: config.worker.shutdownGraceSeconds, message: 'the running cycle did not stop in time; the next start marks it interrupted' });
      await unsubscribed;
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
