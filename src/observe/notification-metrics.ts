// Metrics of Graph change notifications (src/notify), registered on the worker's registry: notifications received
// and refused, hints, lifecycle events, subscription operations and each subscription's expiry.
import { Counter, Gauge, type Registry } from 'prom-client';

const prefix = 'entra_notion_sync_';

export type NotificationKind = 'change' | 'lifecycle' | 'validation';
/** Why a notification request was refused (a wrong clientState, a body that is not a notification collection, …). */
export type NotificationRejection = 'client-state' | 'tenant' | 'malformed' | 'too-large' | 'method';
/** What became of a valid notification's hint: a cycle requested, deferred by the rate limit, or folded into one already deferred. */
export type HintOutcome = 'requested' | 'deferred' | 'coalesced';
export type SubscriptionOperation = 'create' | 'renew' | 'delete' | 'forget';

export interface NotificationMetrics {
  received(kind: NotificationKind, count?: number): void;
  rejected(reason: NotificationRejection, count?: number): void;
  hint(outcome: HintOutcome): void;
  lifecycleEvent(event: string): void;
  subscriptionOperation(operation: SubscriptionOperation, outcome: 'success' | 'failure'): void;
  /** The subscription's expiry, or none (0) while the resource has no subscription. */
  subscriptionExpiry(resource: string, expiresAt: Date | undefined): void;
}

export function createNotificationMetrics(registry: Registry): NotificationMetrics {
  const registers = [registry];
  const received = new Counter({ name: `${prefix}notifications_received_total`, help: 'Graph notification requests accepted, by kind (change, lifecycle, validation)', labelNames: ['kind'], registers });
  const rejected = new Counter({ name: `${prefix}notifications_rejected_total`, help: 'Notifications refused, by reason (client-state, tenant, malformed, too-large, method)', labelNames: ['reason'], registers });
  const hints = new Counter({ name: `${prefix}notification_hints_total`, help: 'Cycles asked for by valid notifications, by outcome (requested, deferred by the rate limit, coalesced into a deferred one)', labelNames: ['outcome'], registers });
  const lifecycle = new Counter({ name: `${prefix}notification_lifecycle_events_total`, help: 'Lifecycle notifications by event (reauthorizationRequired, subscriptionRemoved, missed)', labelNames: ['event'], registers });
  const operations = new Counter({ name: `${prefix}subscription_operations_total`, help: 'Graph subscription requests by operation (create, renew, delete, forget) and outcome', labelNames: ['operation', 'outcome'], registers });
  const expiry = new Gauge({ name: `${prefix}subscription_expiry_timestamp_seconds`, help: 'Unix time the Graph subscription on each resource expires (0: none)', labelNames: ['resource'], registers });
  return {
    received: (kind, count = 1) => received.inc({ kind }, count),
    rejected: (reason, count = 1) => rejected.inc({ reason }, count),
    hint: (outcome) => hints.inc({ outcome }),
    lifecycleEvent: (event) => lifecycle.inc({ event }),
    subscriptionOperation: (operation, outcome) => operations.inc({ operation, outcome }),
    subscriptionExpiry: (resource, expiresAt) => expiry.set({ resource }, expiresAt ? expiresAt.getTime() / 1000 : 0),
  };
}
