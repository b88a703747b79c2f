// Graph change notifications for the worker: the endpoint, the subscriptions kept alive beside it, and the hints
// they turn into (a cycle requested, rate limited). Nothing here reads or writes the directory or Notion: every
// change still comes from the next delta read (reference graph-notifications §5).
import type { Registry } from 'prom-client';
import type { LoadedConfig } from '../config/index.js';
import { createSubscriptionClient, type SubscriptionClient } from '../entra/index.js';
import { createNotificationMetrics, type Logger, type NotificationMetrics } from '../observe/index.js';
import type { Store } from '../store/index.js';
import { resolveClientState } from './client-state.js';
import { createNotificationHandler, type LifecycleNotice, type NotificationHandler } from './endpoint.js';
import { createHintLimiter, type HintLimiter } from './hint-limiter.js';
import { createSubscriptionKeeper, type MaintenanceRequests, type SubscriptionKeeper } from './subscriptions.js';

/** At most this many cycles a minute come from notifications (the trigger's debounce folds them further). */
export const HINTS_PER_MINUTE = 12;
/** Lifecycle notifications may ask for subscription work at most this often. */
const LIFECYCLE_MAINTENANCE_SPACING_MS = 10_000;
/** A clean stop waits at most this long for Graph to delete the subscriptions. */
const REMOVE_TIMEOUT_MS = 10_000;

export interface NotificationServiceContext {
  /** Asks the worker for a cycle (debounced, single flight); `reason` is logged. */
  requestCycle(reason: string): void;
  /** The worker's metrics registry. */
  registry: Registry;
}

export interface NotificationService {
  /** The path of NOTIFICATION_URL, served on HTTP_PORT. */
  readonly path: string;
  readonly handle: NotificationHandler;
  /** Loads the clientState, then keeps the subscriptions in the background (the HTTP port must be listening). */
  start(context: NotificationServiceContext): Promise<void>;
  /** Stops the upkeep and deletes the subscriptions (bounded wait). */
  stop(): Promise<void>;
}

export interface NotificationServiceOptions {
  config: LoadedConfig;
  store: Store;
  logger: Logger;
  /** Tests may pass their own; by default the Graph client of the configured credential. */
  client?: SubscriptionClient;
  now?: () => Date;
}

/** Paths the worker serves itself: the notification path cannot be one of them. */
export const RESERVED_PATHS = ['/', '/healthz', '/readyz', '/metrics'];

/** A one-line problem with the notification settings for the worker, or undefined when they are usable. */
export function notificationSettingsProblem(config: LoadedConfig): string | undefined {
  const url = config.notifications.url;
  if (!url) return undefined;
  if (!config.worker.httpPort) return 'NOTIFICATION_URL: Graph posts notifications to the worker\'s HTTP port; set HTTP_PORT too (and route NOTIFICATION_URL to it)';
  const path = new URL(url).pathname;
  if (RESERVED_PATHS.includes(path)) return `NOTIFICATION_URL: its path "${path}" is one the worker serves itself; use a path of its own such as /graph/notifications`;
  return undefined;
}

/** Undefined when NOTIFICATION_URL is unset. */
export function createNotificationService(options: NotificationServiceOptions): NotificationService | undefined {
  const { config, store, logger } = options;
  const url = config.notifications.url;
  if (!url) return undefined;
  const path = new URL(url).pathname;
  let clientState: string | undefined;
  let metrics: NotificationMetrics | undefined;
  let keeper: SubscriptionKeeper | undefined;
  let limiter: HintLimiter | undefined;
  let requestCycle: ((reason: string) => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  let lastLifecycleMaintenance = 0;
  const pending: { renew: Set<string>; verify: Set<string> } = { renew: new Set(), verify: new Set() };

  const hint = (reason: string): void => {
    const outcome = limiter?.offer();
    if (!outcome) return;
    metrics?.hint(outcome);
    logger.info({ event: 'notification.hint', reason, outcome });
  };

  /** Runs maintenance after `delayMs` (or after the one running), unless one is already due sooner; then schedules
   *  the next from its answer. */
  let timerDue = Number.POSITIVE_INFINITY;
  const maintainSoon = (delayMs = 0): void => {
    if (stopped || !keeper) return;
    const due = Date.now() + delayMs;
    if (timer && timerDue <= due) return;
    clearTimeout(timer);
    timerDue = due;
    timer = setTimeout(() => {
      timer = undefined;
      timerDue = Number.POSITIVE_INFINITY;
      if (running) return maintainSoon(1_000);
      const requests: MaintenanceRequests = { renew: new Set(pending.renew), verify: new Set(pending.verify) };
      pending.renew.clear();
      pending.verify.clear();
      running = keeper!.maintain(requests).then(
        (next) => {
          running = undefined;
          // Lifecycle requests that came while it ran are served at once.
          maintainSoon(pending.renew.size + pending.verify.size > 0 ? 0 : Math.max(0, next.getTime() - Date.now()));
        },
        (error: unknown) => {
          running = undefined;
          logger.warn({ event: 'subscription.failed', error: error instanceof Error ? error.message : String(error), message: 'tried again in 30 seconds' });
          maintainSoon(30_000);
        },
      );
    }, delayMs);
    timer.unref();
  };

  const onLifecycle = (notice: LifecycleNotice): void => {
    metrics?.lifecycleEvent(notice.event);
    logger.info({ event: 'notification.lifecycle', lifecycleEvent: notice.event, subscriptionId: notice.subscriptionId ?? null });
    if (notice.event === 'missed') return hint('lifecycle: missed');
    if (!notice.subscriptionId) return;
    if (notice.event === 'reauthorizationRequired') pending.renew.add(notice.subscriptionId);
    else if (notice.event === 'subscriptionRemoved') {
      pending.verify.add(notice.subscriptionId);
      // Changes between the removal and the new subscription are read by the delta query (§6).
      hint('lifecycle: subscriptionRemoved');
    } else return;
    const wait = Math.max(0, lastLifecycleMaintenance + LIFECYCLE_MAINTENANCE_SPACING_MS - Date.now());
    lastLifecycleMaintenance = Date.now() + wait;
    maintainSoon(wait);
  };

  const tenantId = config.entra.tenantId && /^[0-9a-f-]{36}$/i.test(config.entra.tenantId) ? config.entra.tenantId : undefined;
  const handle = createNotificationHandler({
    clientState: () => clientState,
    ...(tenantId ? { tenantId } : {}),
    metrics: () => metrics,
    logger,
    onChange: (count) => hint(`${count} change notification${count === 1 ? '' : 's'}`),
    onLifecycle,
  });

  return {
    path,
    handle,
    async start(context) {
      metrics = createNotificationMetrics(context.registry);
      requestCycle = context.requestCycle;
      limiter = createHintLimiter(HINTS_PER_MINUTE, () => requestCycle?.('notification'));
      clientState = await resolveClientState(config, store);
      keeper = createSubscriptionKeeper({
        store, target: config.target, client: options.client ?? createSubscriptionClient(config.entra), notificationUrl: url,
        clientState, lifetimeMinutes: config.notifications.lifetimeMinutes, metrics, logger, ...(options.now ? { now: options.now } : {}),
      });
      logger.info({ event: 'notifications.started', notificationUrl: url, path });
      maintainSoon(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      limiter?.stop();
      await running?.catch(() => undefined);
      if (!keeper) return;
      const removal = keeper.removeAll().then(
        (removed) => {
          if (!removed) logger.info({ event: 'subscription.kept', message: 'another replica holds the subscriptions lock; it keeps the set' });
        },
        (error: unknown) => logger.warn({ event: 'subscription.delete-failed', error: error instanceof Error ? error.message : String(error), message: 'they expire on their own' }),
      );
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([removal, new Promise<void>((resolve) => (timeout = setTimeout(resolve, REMOVE_TIMEOUT_MS)))]);
      clearTimeout(timeout);
    },
  };
}
