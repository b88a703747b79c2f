// Graph change notifications, simulated: subscriptions (create with the validation request, get, list, renew,
// reauthorize, delete, expiry), a notification posted on every tenant mutation of a subscribed resource, lifecycle
// notifications on demand, and a switch that drops notifications (docs/reference/graph-notifications.md).
import { randomBytes, randomUUID } from 'node:crypto';
import { isLoopbackHost } from '../../config/index.js';
import { GraphHttpError, notFound } from './http.js';
import type { SimTenant, TenantChange } from './tenant.js';

/** Graph's maximum for users, groups and other directory resources: 41,760 minutes (graph-notifications §1). */
export const MAX_DIRECTORY_LIFETIME_MINUTES = 41_760;
/** Graph answers the validation request within 10 seconds or the create fails (§2). */
const VALIDATION_TIMEOUT_MS = 10_000;
/** Graph's notification client times out after 3 seconds (§4). */
const DELIVERY_TIMEOUT_MS = 3_000;
const LIFECYCLE_EVENTS = ['reauthorizationRequired', 'subscriptionRemoved', 'missed'] as const;
export type LifecycleEvent = (typeof LIFECYCLE_EVENTS)[number];

export interface SimSubscription {
  id: string;
  resource: 'users' | 'groups';
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  clientState: string | null;
  expirationDateTime: string;
  applicationId: string;
  creatorId: string;
  latestSupportedTlsVersion: string;
  notificationContentType: string;
  includeResourceData: boolean;
}

/** One POST the simulator made (or dropped) to a subscriber. */
export interface DeliveryRecord {
  kind: 'validation' | 'change' | 'lifecycle';
  subscriptionId: string | null;
  url: string;
  /** Notifications in the POST. */
  count: number;
  /** The answer's status; 0 when none came (refused, timed out); -1 when dropped by the switch. */
  status: number;
  at: number;
}

export interface SubscriptionServiceOptions {
  tenantId: string;
  appId: string;
  servicePrincipalId: string;
  /** Grant at most this many seconds whatever was asked: a test knob to see renewals happen (Graph itself refuses a
   *  request beyond its maximum instead of shortening it). */
  grantSeconds?: number;
}

interface Stored extends SimSubscription {
  /** reauthorizationRequired was sent and neither a renewal nor /reauthorize followed: delivery pauses. */
  paused: boolean;
}

export class SubscriptionService {
  private readonly stored = new Map<string, Stored>();
  private readonly log: DeliveryRecord[] = [];
  private readonly queue = new Map<string, Array<{ subscription: Stored; body: Record<string, unknown> }>>();
  private flushScheduled = false;
  private dropping = false;
  private readonly unsubscribe: () => void;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly tenant: SimTenant, private readonly options: SubscriptionServiceOptions) {
    this.unsubscribe = tenant.onChange((change) => this.notify(change));
    // Graph deletes a subscription that was not renewed in time (§1).
    this.sweeper = setInterval(() => this.sweepExpired(), 250);
    this.sweeper.unref();
  }

  /** POST /subscriptions: checks the body, validates the notification URL(s), then stores the subscription. */
  async create(body: Record<string, unknown>): Promise<SimSubscription> {
    const resource = typeof body.resource === 'string' ? body.resource.replace(/^\/+/, '') : '';
    if (resource !== 'users' && resource !== 'groups') throw badRequest(`Resource '${String(body.resource)}' is not supported by the simulator (users, groups).`);
    const changeType = text(body, 'changeType');
    const kinds = changeType.split(',').map((s) => s.trim());
    if (kinds.some((kind) => kind !== 'updated' && kind !== 'deleted')) {
      // Users and groups support `updated` and `deleted` only (§1).
      throw badRequest(`ChangeType '${changeType}' is not supported for resource '${resource}'; use updated and/or deleted.`);
    }
    const notificationUrl = checkedUrl(text(body, 'notificationUrl'), 'notificationUrl');
    const lifecycleNotificationUrl = body.lifecycleNotificationUrl === undefined || body.lifecycleNotificationUrl === null
      ? null : checkedUrl(text(body, 'lifecycleNotificationUrl'), 'lifecycleNotificationUrl');
    const clientState = body.clientState === undefined || body.clientState === null ? null : text(body, 'clientState');
    if (clientState !== null && clientState.length > 128) throw badRequest('clientState must be at most 128 characters.');
    const expiration = this.grantedExpiry(text(body, 'expirationDateTime'));
    await this.validate(notificationUrl);
    if (lifecycleNotificationUrl && lifecycleNotificationUrl !== notificationUrl) await this.validate(lifecycleNotificationUrl);
    const subscription: Stored = {
      id: randomUUID(), resource, changeType, notificationUrl, lifecycleNotificationUrl, clientState,
      expirationDateTime: expiration.toISOString(), applicationId: this.options.appId, creatorId: this.options.servicePrincipalId,
      latestSupportedTlsVersion: 'v1_2', notificationContentType: 'application/json', includeResourceData: false, paused: false,
    };
    this.stored.set(subscription.id, subscription);
    return view(subscription);
  }

  get(id: string): SimSubscription {
    return view(this.find(id));
  }

  list(): SimSubscription[] {
    return [...this.stored.values()].map(view);
  }

  /** PATCH /subscriptions/{id}: a new expirationDateTime renews it, and reauthorizes it (§6). */
  update(id: string, body: Record<string, unknown>): SimSubscription {
    const subscription = this.find(id);
    subscription.expirationDateTime = this.grantedExpiry(text(body, 'expirationDateTime')).toISOString();
    subscription.paused = false;
    return view(subscription);
  }

  /** POST /subscriptions/{id}/reauthorize: resumes delivery without a new expiry. */
  reauthorize(id: string): void {
    this.find(id).paused = false;
  }

  delete(id: string): void {
    if (!this.stored.delete(id)) throw notFound(id);
  }

  /** Sends a lifecycle notification to the subscription's lifecycleNotificationUrl, with its effect in Graph:
   *  `subscriptionRemoved` removes it, `reauthorizationRequired` pauses delivery until a renewal (§6). */
  async sendLifecycle(id: string, event: string): Promise<DeliveryRecord> {
    if (!(LIFECYCLE_EVENTS as readonly string[]).includes(event)) throw badRequest(`lifecycleEvent must be one of ${LIFECYCLE_EVENTS.join(', ')}.`);
    const subscription = this.find(id);
    if (!subscription.lifecycleNotificationUrl) throw badRequest('The subscription has no lifecycleNotificationUrl: Graph sends it no lifecycle notifications.');
    if (event === 'subscriptionRemoved') this.stored.delete(id);
    if (event === 'reauthorizationRequired') subscription.paused = true;
    return this.post('lifecycle', subscription.lifecycleNotificationUrl, subscription.id, [{
      subscriptionId: subscription.id, subscriptionExpirationDateTime: subscription.expirationDateTime,
      tenantId: this.options.tenantId, clientState: subscription.clientState, lifecycleEvent: event,
    }]);
  }

  /** While on, change notifications are dropped (recorded with status -1): the schedule and watch must still converge. */
  dropNotifications(drop: boolean): void {
    this.dropping = drop;
  }

  deliveries(): DeliveryRecord[] {
    return this.log.map((entry) => ({ ...entry }));
  }

  close(): void {
    this.unsubscribe();
    clearInterval(this.sweeper);
  }

  // ---- internals ----

  private find(id: string): Stored {
    const subscription = this.stored.get(id);
    if (!subscription) throw notFound(id);
    return subscription;
  }

  private grantedExpiry(value: string): Date {
    const asked = new Date(value);
    const now = Date.now();
    if (Number.isNaN(asked.getTime())) throw badRequest(`expirationDateTime '${value}' is not a date.`);
    if (asked.getTime() <= now) throw badRequest('Subscription expiration must be in the future.');
    if (asked.getTime() > now + MAX_DIRECTORY_LIFETIME_MINUTES * 60_000) {
      throw badRequest(`Subscription expiration can only be ${MAX_DIRECTORY_LIFETIME_MINUTES} minutes in the future.`);
    }
    const grant = this.options.grantSeconds;
    return grant === undefined ? asked : new Date(Math.min(asked.getTime(), now + grant * 1000));
  }

  /** The validation request: POST {url}?validationToken=…, expecting 200, text/plain and the token within 10 s (§2). */
  private async validate(url: string): Promise<void> {
    const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()} ${randomBytes(6).toString('hex')}`;
    const target = `${url}${url.includes('?') ? '&' : '?'}validationToken=${encodeURIComponent(token)}`;
    const record: DeliveryRecord = { kind: 'validation', subscriptionId: null, url, count: 0, status: 0, at: Date.now() };
    this.log.push(record);
    try {
      const response = await fetch(target, { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, signal: AbortSignal.timeout(VALIDATION_TIMEOUT_MS) });
      record.status = response.status;
      const body = await response.text();
      const plain = (response.headers.get('content-type') ?? '').startsWith('text/plain');
      if (response.status === 200 && plain && body === token) return;
    } catch {
      throw badRequest('Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.');
    }
    throw badRequest('Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.');
  }

  private sweepExpired(): void {
    const now = Date.now();
    for (const [id, subscription] of this.stored) if (new Date(subscription.expirationDateTime).getTime() <= now) this.stored.delete(id);
  }

  /** Queues a change notification for every live subscription on the resource and change type; sent in batches. */
  private notify(change: TenantChange): void {
    for (const subscription of this.stored.values()) {
      if (subscription.resource !== change.resource || subscription.paused) continue;
      if (!subscription.changeType.split(',').map((s) => s.trim()).includes(change.changeType)) continue;
      if (new Date(subscription.expirationDateTime).getTime() <= Date.now()) continue;
      const type = change.resource === 'users' ? 'User' : 'Group';
      const path = `${type}s/${change.id}`;
      const body = {
        id: randomUUID(), subscriptionId: subscription.id, subscriptionExpirationDateTime: subscription.expirationDateTime,
        clientState: subscription.clientState, changeType: change.changeType, resource: path, tenantId: this.options.tenantId,
        resourceData: { '@odata.type': `#Microsoft.Graph.${type}`, '@odata.id': path, id: change.id, organizationId: this.options.tenantId },
      };
      const batch = this.queue.get(subscription.notificationUrl) ?? [];
      batch.push({ subscription, body });
      this.queue.set(subscription.notificationUrl, batch);
    }
    if (this.queue.size > 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      // Mutations of one tick go out together, as Graph batches notifications in one POST.
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const batches = [...this.queue.entries()];
    this.queue.clear();
    for (const [url, items] of batches) {
      for (let start = 0; start < items.length; start += 100) {
        const chunk = items.slice(start, start + 100);
        const subscriptionId = chunk[0]?.subscription.id ?? null;
        if (this.dropping) {
          this.log.push({ kind: 'change', subscriptionId, url, count: chunk.length, status: -1, at: Date.now() });
          continue;
        }
        void this.post('change', url, subscriptionId, chunk.map((item) => item.body));
      }
    }
  }

  private async post(kind: 'change' | 'lifecycle', url: string, subscriptionId: string | null, value: unknown[]): Promise<DeliveryRecord> {
    const record: DeliveryRecord = { kind, subscriptionId, url, count: value.length, status: 0, at: Date.now() };
    this.log.push(record);
    try {
      const response = await fetch(url, {
        method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ value }), signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      record.status = response.status;
      await response.body?.cancel();
    } catch {
      // Refused or timed out: recorded with status 0 (Graph would retry for up to 4 hours; the simulator does not).
    }
    return { ...record };
  }
}

function view(subscription: Stored): SimSubscription {
  const { paused: _paused, ...rest } = subscription;
  return { ...rest };
}

function badRequest(message: string): GraphHttpError {
  return new GraphHttpError(400, 'InvalidRequest', message);
}

function text(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '') throw badRequest(`'${name}' must be a non-empty string.`);
  return value;
}

/** https, or http on loopback (the simulator's tests; Graph itself requires https, §1). */
function checkedUrl(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badRequest(`${name} must be an absolute URL.`);
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) return value;
  throw badRequest(`${name} must use the HTTPS protocol.`);
}
