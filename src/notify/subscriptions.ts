// Keeps one Graph subscription per resource (users, groups) for the target across every replica: the store holds
// the set, and a replica changes it only while it holds the subscriptions lock. Renewed at half their lifetime,
// recreated when gone, and deleted on a clean stop (reference graph-notifications §1, §6).
import type { GraphSubscription, SubscriptionClient } from '../entra/index.js';
import type { Logger, NotificationMetrics } from '../observe/index.js';
import { forgetGraphSubscription, readGraphSubscriptions, saveGraphSubscription, type GraphSubscriptionRow, type Store } from '../store/index.js';
import { clientStateHash } from './client-state.js';

export const SUBSCRIBED_RESOURCES = ['users', 'groups'] as const;

/** The longest wait between two looks at the store: another replica may have stopped and deleted the set. */
const MAX_CHECK_INTERVAL_MS = 60_000;
const MIN_CHECK_INTERVAL_MS = 1_000;

export interface KeeperOptions {
  store: Store;
  target: string;
  client: SubscriptionClient;
  notificationUrl: string;
  clientState: string;
  lifetimeMinutes: number;
  metrics: NotificationMetrics;
  logger: Logger;
  now?: () => Date;
}

/** What lifecycle notifications ask of the next maintenance. */
export interface MaintenanceRequests {
  /** Subscription ids to renew now (reauthorizationRequired: a renewal also reauthorizes, §6). */
  renew?: ReadonlySet<string>;
  /** Subscription ids Graph says it removed: checked with a GET before anything is recreated (a hint, too). */
  verify?: ReadonlySet<string>;
}

export interface SubscriptionKeeper {
  /** Creates what is missing, renews what is due, recreates what changed; returns when to look again. */
  maintain(requests?: MaintenanceRequests): Promise<Date>;
  /** Deletes the target's subscriptions in Graph and forgets them; false when the lock could not be had. */
  removeAll(): Promise<boolean>;
  /** Whether `subscriptionId` is one of the target's (the store's view). */
  owns(subscriptionId: string): Promise<boolean>;
}

export function createSubscriptionKeeper(options: KeeperOptions): SubscriptionKeeper {
  const { store, target, client, metrics, logger } = options;
  const now = options.now ?? (() => new Date());
  const hash = clientStateHash(options.clientState);
  const lockName = `subscriptions:${target}`;
  const lifetimeMs = options.lifetimeMinutes * 60_000;

  /** Renew at half the lifetime Graph granted (the expiry minus the last create or renewal). */
  const renewAt = (row: GraphSubscriptionRow): number => row.updatedAt.getTime() + (row.expiresAt.getTime() - row.updatedAt.getTime()) / 2;
  const nextCheck = (rows: GraphSubscriptionRow[]): Date => {
    const at = now().getTime();
    const due = Math.min(at + MAX_CHECK_INTERVAL_MS, ...rows.map(renewAt));
    return new Date(Math.max(at + MIN_CHECK_INTERVAL_MS, due));
  };
  const needsWork = (rows: GraphSubscriptionRow[], requests: MaintenanceRequests): boolean =>
    SUBSCRIBED_RESOURCES.some((resource) => {
      const row = rows.find((r) => r.resource === resource);
      return !row || row.notificationUrl !== options.notificationUrl || row.clientStateHash !== hash || renewAt(row) <= now().getTime()
        || requests.renew?.has(row.subscriptionId) === true || requests.verify?.has(row.subscriptionId) === true;
    });

  async function save(resource: string, subscription: GraphSubscription): Promise<void> {
    await saveGraphSubscription(store.db, {
      target, resource, subscriptionId: subscription.id, expiresAt: subscription.expirationDateTime,
      notificationUrl: options.notificationUrl, clientStateHash: hash,
    });
    metrics.subscriptionExpiry(resource, subscription.expirationDateTime);
  }

  async function forget(row: GraphSubscriptionRow, why: string): Promise<void> {
    await forgetGraphSubscription(store.db, target, row.resource, row.subscriptionId);
    metrics.subscriptionOperation('forget', 'success');
    metrics.subscriptionExpiry(row.resource, undefined);
    logger.info({ event: 'subscription.forgotten', resource: row.resource, subscriptionId: row.subscriptionId, reason: why });
  }

  /** One resource, under the lock. Failures are logged and left for the next maintenance. */
  async function keep(resource: (typeof SUBSCRIBED_RESOURCES)[number], found: GraphSubscriptionRow | undefined, requests: MaintenanceRequests): Promise<void> {
    let row = found;
    if (row && (row.notificationUrl !== options.notificationUrl || row.clientStateHash !== hash)) {
      // NOTIFICATION_URL or the secret changed: the old subscription would post elsewhere or with the old secret.
      await removeInGraph(row);
      await forget(row, 'the notification URL or the clientState changed');
      row = undefined;
    }
    if (row && row.expiresAt.getTime() <= now().getTime()) {
      await forget(row, 'expired');
      row = undefined;
    }
    if (row && requests.verify?.has(row.subscriptionId)) {
      // subscriptionRemoved is only a hint too: Graph is asked whether the subscription is really gone.
      if (!(await client.find(row.subscriptionId))) {
        await forget(row, 'Graph removed it (subscriptionRemoved)');
        row = undefined;
      }
    }
    if (row && (renewAt(row) <= now().getTime() || requests.renew?.has(row.subscriptionId))) {
      try {
        const renewed = await client.renew(row.subscriptionId, expiry());
        metrics.subscriptionOperation('renew', 'success');
        await save(resource, renewed);
        logger.info({ event: 'subscription.renewed', resource, subscriptionId: renewed.id, expiresAt: renewed.expirationDateTime.toISOString() });
        return;
      } catch (error) {
        metrics.subscriptionOperation('renew', 'failure');
        if (!isNotFound(error)) throw error;
        await forget(row, 'Graph no longer has it');
        row = undefined;
      }
    }
    if (row) {
      metrics.subscriptionExpiry(resource, row.expiresAt);
      return;
    }
    try {
      const created = await client.create({ resource, notificationUrl: options.notificationUrl, clientState: options.clientState, expirationDateTime: expiry() });
      metrics.subscriptionOperation('create', 'success');
      await save(resource, created);
      logger.info({ event: 'subscription.created', resource, subscriptionId: created.id, expiresAt: created.expirationDateTime.toISOString() });
    } catch (error) {
      metrics.subscriptionOperation('create', 'failure');
      throw error;
    }
  }

  const expiry = (): Date => new Date(now().getTime() + lifetimeMs);

  async function removeInGraph(row: GraphSubscriptionRow): Promise<void> {
    try {
      await client.remove(row.subscriptionId);
      metrics.subscriptionOperation('delete', 'success');
    } catch (error) {
      metrics.subscriptionOperation('delete', 'failure');
      logger.warn({ event: 'subscription.delete-failed', resource: row.resource, subscriptionId: row.subscriptionId, error: errorText(error), message: 'Graph deletes it when it expires' });
    }
  }

  return {
    async maintain(requests = {}) {
      const seen = await readGraphSubscriptions(store.db, target);
      if (!needsWork(seen, requests)) {
        for (const row of seen) metrics.subscriptionExpiry(row.resource, row.expiresAt);
        return nextCheck(seen);
      }
      const lock = await store.tryLockTarget(lockName);
      // Another replica is keeping the set right now; look again soon.
      if (!lock) return new Date(now().getTime() + 5_000);
      try {
        const rows = await readGraphSubscriptions(store.db, target);
        for (const resource of SUBSCRIBED_RESOURCES) {
          try {
            await keep(resource, rows.find((r) => r.resource === resource), requests);
          } catch (error) {
            logger.warn({ event: 'subscription.failed', resource, error: errorText(error), message: 'tried again at the next check; the schedule (and watch mode) still catch every change' });
          }
        }
        const after = await readGraphSubscriptions(store.db, target);
        // A resource without a subscription (a failed create) is tried again within a minute.
        return after.length < SUBSCRIBED_RESOURCES.length ? new Date(Math.min(nextCheck(after).getTime(), now().getTime() + 30_000)) : nextCheck(after);
      } finally {
        await lock.release();
      }
    },
    async removeAll() {
      const lock = await store.tryLockTarget(lockName);
      if (!lock) return false;
      try {
        for (const row of await readGraphSubscriptions(store.db, target)) {
          await removeInGraph(row);
          await forgetGraphSubscription(store.db, target, row.resource, row.subscriptionId);
          metrics.subscriptionExpiry(row.resource, undefined);
          logger.info({ event: 'subscription.deleted', resource: row.resource, subscriptionId: row.subscriptionId });
        }
        return true;
      } finally {
        await lock.release();
      }
    },
    async owns(subscriptionId) {
      return (await readGraphSubscriptions(store.db, target)).some((row) => row.subscriptionId === subscriptionId);
    },
  };
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { kind?: unknown }).kind === 'not-found';
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
