// Graph change notifications, in process: the worker (with a recording cycle runner) against the Graph simulator over
// loopback HTTP and a real store: subscriptions, the validation handshake, hints, refusals, renewal, lifecycle
// notifications, replicas and the clean stop.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationService } from '../../../src/notify/index.js';
import { DEFAULT_PERMISSIONS, generateTenant, startGraphSimulator, type GraphSimulator } from '../../../src/sim/graph/index.js';
import { readGraphSubscriptions } from '../../../src/store/index.js';
import type { CycleOutcome, CycleRequest } from '../../../src/worker/index.js';
import { freePort } from '../../helpers/free-port.js';
import { openTestStore, type TestStore } from '../../helpers/store.js';
import { captureLog, manualTicks, startWorker, workerConfig, type RunningWorker } from '../worker/worker-fixture.js';

const outcome: CycleOutcome = { cycleId: 'c', status: 'succeeded', durationMs: 1, counts: {}, scim: { requests: 0, throttled: 0, retries: 0 }, graph: { requests: 0, throttled: 0 } };

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Graph change notifications in the worker', () => {
  let testStore: TestStore;
  beforeAll(async () => {
    testStore = await openTestStore();
  });
  afterAll(() => testStore.close());
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  let targets = 0;

  async function simulator(grantSeconds?: number): Promise<GraphSimulator> {
    const graph = await startGraphSimulator({
      tenant: generateTenant({ seed: 5, users: 12, groups: 3 }),
      grantedPermissions: [...DEFAULT_PERMISSIONS, 'Group.Read.All'],
      ...(grantSeconds === undefined ? {} : { subscriptionGrantSeconds: grantSeconds }),
    });
    cleanups.push(() => graph.close());
    return graph;
  }

  async function startNotifyingWorker(graph: GraphSimulator, options: { target?: string; url?: string; env?: Record<string, string> } = {}) {
    const port = await freePort();
    const url = options.url ?? `http://127.0.0.1:${port}/graph/notifications`;
    const config = workerConfig({
      SYNC_TARGET: options.target ?? `notify-${++targets}`,
      ENTRA_TENANT_ID: graph.tenantId, ENTRA_CLIENT_ID: graph.clientId, ENTRA_CLIENT_SECRET: graph.clientSecret,
      ENTRA_SERVICE_PRINCIPAL_ID: graph.servicePrincipalId, ENTRA_AUTHORITY_HOST: graph.authorityHost, GRAPH_BASE_URL: graph.graphBaseUrl,
      HTTP_PORT: String(port), NOTIFICATION_URL: url, CYCLE_DEBOUNCE_SECONDS: '0',
      ...options.env,
    });
    const log = captureLog();
    const requests: CycleRequest[] = [];
    const notifications = createNotificationService({ config, store: testStore.store, logger: log.logger })!;
    const worker: RunningWorker = await startWorker({
      config, store: testStore.store, logger: log.logger, ticks: manualTicks().ticks, notifications,
      runCycle: async (_signal, request) => {
        requests.push(request);
        return outcome;
      },
    });
    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      await worker.stop();
    };
    cleanups.push(stop);
    await worker.firstTick;
    return { config, log, worker, requests, port, url, stop, endpoint: `http://127.0.0.1:${port}${new URL(url).pathname}` };
  }

  const metricsOf = async (port: number) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();

  it('subscribes to users and groups once the endpoint answered the validation request, and keeps them in the store', async () => {
    const graph = await simulator();
    const { config, port, url } = await startNotifyingWorker(graph);
    const subscriptions = await until('two subscriptions', () => graph.subscriptions.list().length === 2 && graph.subscriptions.list());
    expect(subscriptions.map((s) => s.resource).sort()).toEqual(['groups', 'users']);
    expect(subscriptions.every((s) => s.changeType === 'updated,deleted' && s.notificationUrl === url && s.lifecycleNotificationUrl === url)).toBe(true);
    expect(graph.subscriptions.deliveries().filter((d) => d.kind === 'validation').map((d) => d.status)).toEqual([200, 200]);
    const rows = await until('two rows', async () => {
      const found = await readGraphSubscriptions(testStore.store.db, config.target);
      return found.length === 2 && found;
    });
    expect(rows.map((r) => r.subscriptionId).sort()).toEqual(subscriptions.map((s) => s.id).sort());
    // The store keeps a hash of the secret, never the secret itself.
    expect(JSON.stringify(rows)).not.toContain(subscriptions[0]!.clientState!);
    expect(await metricsOf(port)).toMatch(/^entra_notion_sync_subscription_expiry_timestamp_seconds\{resource="users",target="[^"]+"\} [1-9][\d.]*$/m);
  });

  it('asks for a cycle when a subscribed change is notified, and no more than one for a burst', async () => {
    const graph = await simulator();
    const { requests, port } = await startNotifyingWorker(graph);
    await until('two subscriptions', () => graph.subscriptions.list().length === 2);
    const before = requests.length;
    const [user] = graph.tenant.users();
    graph.tenant.disableUser(user!.id);
    await until('a cycle for the notification', () => requests.length > before && requests.at(-1)!.reasons.includes('notification'));
    expect(graph.subscriptions.deliveries().filter((d) => d.kind === 'change').map((d) => d.status)).toEqual([202]);
    expect(await metricsOf(port)).toMatch(/^entra_notion_sync_notifications_received_total\{kind="change",target="[^"]+"\} 1$/m);
  });

  it('refuses a notification whose clientState is wrong with 403 and asks for nothing', async () => {
    const graph = await simulator();
    const { requests, endpoint, port } = await startNotifyingWorker(graph);
    const [subscription] = await until('a subscription', () => graph.subscriptions.list().length === 2 && graph.subscriptions.list());
    const before = requests.length;
    const forged = { value: [{ subscriptionId: subscription!.id, clientState: 'not-the-secret-at-all', changeType: 'deleted', resource: 'Users/x', tenantId: graph.tenantId }] };
    const answer = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(forged) });
    expect(answer.status).toBe(403);
    // The answer names the problem, never the secret.
    expect(await answer.text()).not.toContain(subscription!.clientState!);
    const another = await fetch(endpoint, { method: 'POST', body: JSON.stringify({ value: [{ ...forged.value[0], clientState: subscription!.clientState, tenantId: '11111111-1111-1111-1111-111111111111' }] }) });
    expect(another.status).toBe(403);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(requests.length).toBe(before);
    const metrics = await metricsOf(port);
    expect(metrics).toMatch(/^entra_notion_sync_notifications_rejected_total\{reason="client-state",target="[^"]+"\} 1$/m);
    expect(metrics).toMatch(/^entra_notion_sync_notifications_rejected_total\{reason="tenant",target="[^"]+"\} 1$/m);
  });

  it('answers the validation handshake with the token as plain text, and refuses other methods, malformed and oversized bodies', async () => {
    const graph = await simulator();
    const { endpoint } = await startNotifyingWorker(graph);
    const token = 'Validation: Testing client application reachability <b>&amp;</b> 1+1';
    const validation = await fetch(`${endpoint}?validationToken=${encodeURIComponent(token)}`, { method: 'POST' });
    expect(validation.status).toBe(200);
    expect(validation.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await validation.text()).toBe(token);
    expect((await fetch(endpoint)).status).toBe(405);
    expect((await fetch(endpoint, { method: 'POST', body: '{"value": "nope"}' })).status).toBe(400);
    expect((await fetch(endpoint, { method: 'POST', body: 'x'.repeat(300 * 1024) })).status).toBe(413);
  });

  it('renews each subscription before it expires', async () => {
    // Granted 10 seconds: renewed at half of it (shorter grants can expire on a loaded machine).
    const graph = await simulator(10);
    const { config } = await startNotifyingWorker(graph);
    const [first] = await until('a subscription', () => graph.subscriptions.list().length === 2 && graph.subscriptions.list());
    const firstExpiry = new Date(first!.expirationDateTime).getTime();
    await until('a renewal', () => graph.requestCounts()['PATCH /v1.0/subscriptions/{id}']! >= 2, 20_000);
    const renewed = graph.subscriptions.get(first!.id);
    expect(new Date(renewed.expirationDateTime).getTime()).toBeGreaterThan(firstExpiry);
    // Never expired in between: the same two subscriptions all along.
    expect(graph.requestCounts()['POST /v1.0/subscriptions']).toBe(2);
    const rows = await readGraphSubscriptions(testStore.store.db, config.target);
    expect(rows.map((r) => r.subscriptionId)).toContain(first!.id);
  });

  it('recreates a removed subscription, renews on reauthorizationRequired, and reads the delta on missed', async () => {
    const graph = await simulator();
    const { requests, log } = await startNotifyingWorker(graph);
    const subscriptions = await until('two subscriptions', () => graph.subscriptions.list().length === 2 && graph.subscriptions.list());
    const users = subscriptions.find((s) => s.resource === 'users')!;
    const groups = subscriptions.find((s) => s.resource === 'groups')!;

    await graph.subscriptions.sendLifecycle(users.id, 'subscriptionRemoved');
    const recreated = await until('a new users subscription', () => graph.subscriptions.list().find((s) => s.resource === 'users' && s.id !== users.id));
    expect(recreated.resource).toBe('users');
    expect(requests.some((r) => r.reasons.includes('notification'))).toBe(true);

    const patches = graph.requestCounts()['PATCH /v1.0/subscriptions/{id}'] ?? 0;
    await graph.subscriptions.sendLifecycle(groups.id, 'reauthorizationRequired');
    await until('a renewal', () => (graph.requestCounts()['PATCH /v1.0/subscriptions/{id}'] ?? 0) > patches, 15_000);

    const before = requests.length;
    await graph.subscriptions.sendLifecycle(groups.id, 'missed');
    await until('a cycle for missed', () => requests.length > before);
    expect(log.lines.filter((l) => l.event === 'notification.lifecycle').map((l) => l.lifecycleEvent)).toEqual(['subscriptionRemoved', 'reauthorizationRequired', 'missed']);
  });

  it('keeps one set of subscriptions for two replicas of the same target, and deletes it on a clean stop', async () => {
    const graph = await simulator();
    const first = await startNotifyingWorker(graph, { target: 'replicated' });
    await until('two subscriptions', () => graph.subscriptions.list().length === 2);
    // The second replica is reached through the same public URL (the load balancer's).
    const second = await startNotifyingWorker(graph, { target: 'replicated', url: first.url });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(graph.subscriptions.list()).toHaveLength(2);
    expect(graph.requestCounts()['POST /v1.0/subscriptions']).toBe(2);

    await second.stop();
    expect(graph.subscriptions.list()).toHaveLength(0);
    expect(await readGraphSubscriptions(testStore.store.db, 'replicated')).toEqual([]);
    await first.stop();
    expect(second.log.lines.filter((l) => l.event === 'subscription.deleted')).toHaveLength(2);
  });
});
