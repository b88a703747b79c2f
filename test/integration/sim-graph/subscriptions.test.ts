// The Graph simulator's change notifications over loopback HTTP: the validation request decides whether a
// subscription is created, permissions and limits are Graph's, every mutation is posted to its subscribers, and the
// control API sends lifecycle notifications and drops notifications.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PERMISSIONS, generateTenant, startGraphSimulator, type GraphSimulator } from '../../../src/sim/graph/index.js';
import { accessToken } from './graph-session.js';

interface Received {
  query: URLSearchParams;
  body: string;
}

/** A subscriber on loopback: echoes validation tokens (unless told not to) and records every POST. */
async function subscriber(options: { echo?: boolean } = {}): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
      received.push({ query, body: Buffer.concat(chunks).toString('utf8') });
      const token = query.get('validationToken');
      if (token !== null) {
        response.writeHead(200, { 'content-type': 'text/plain' }).end(options.echo === false ? 'something else' : token);
        return;
      }
      response.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, server };
}

describe('the Graph simulator: change notifications', () => {
  const cleanups: Array<() => Promise<unknown> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(permissions = [...DEFAULT_PERMISSIONS, 'Group.Read.All'], echo = true) {
    const graph: GraphSimulator = await startGraphSimulator({ tenant: generateTenant({ seed: 3, users: 8, groups: 2 }), grantedPermissions: permissions });
    const hook = await subscriber({ echo });
    cleanups.push(() => graph.close(), () => new Promise((resolve) => hook.server.close(resolve)));
    const token = await accessToken(graph);
    const call = async (method: string, path: string, body?: unknown) => {
      const answer = await fetch(`${graph.graphBaseUrl}/v1.0${path}`, {
        method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: answer.status, body: answer.status === 204 ? {} : ((await answer.json()) as Record<string, unknown>) };
    };
    const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
    const subscribe = (resource: string, extra: Record<string, unknown> = {}) =>
      call('POST', '/subscriptions', { changeType: 'updated,deleted', resource, notificationUrl: hook.url, lifecycleNotificationUrl: hook.url, clientState: 'secret-of-the-test', expirationDateTime: inAnHour(), ...extra });
    return { graph, hook, call, subscribe };
  }

  it('creates a subscription only after the endpoint echoed the validation token', async () => {
    const { hook, subscribe } = await setUp();
    const created = await subscribe('users');
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ resource: 'users', changeType: 'updated,deleted', clientState: 'secret-of-the-test' });
    expect(hook.received[0]!.query.get('validationToken')).toMatch(/^Validation: /);

    const refused = await setUp(undefined, false);
    const answer = await refused.subscribe('users');
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toContain('Subscription validation request failed');
    expect(refused.graph.subscriptions.list()).toEqual([]);
  });

  it('refuses what Graph refuses: groups without Group.Read.All, created changes, too long a lifetime, plain http off loopback', async () => {
    const narrow = await setUp(DEFAULT_PERMISSIONS);
    expect((await narrow.subscribe('groups')).status).toBe(403);
    expect((await narrow.subscribe('users')).status).toBe(201);
    const { subscribe } = await setUp();
    expect((await subscribe('users', { changeType: 'created' })).status).toBe(400);
    expect((await subscribe('users', { expirationDateTime: new Date(Date.now() + 41_761 * 60_000).toISOString() })).status).toBe(400);
    expect((await subscribe('users', { notificationUrl: 'http://hooks.example.com/x' })).status).toBe(400);
    expect((await subscribe('users', { clientState: 'x'.repeat(129) })).status).toBe(400);
  });

  it('posts a notification with the clientState for each mutation of a subscribed resource, renews, and deletes', async () => {
    const { graph, hook, call, subscribe } = await setUp();
    const created = await subscribe('groups');
    const id = created.body.id as string;
    const [group] = graph.tenant.groups();
    const user = graph.tenant.users().find((u) => !graph.tenant.membersOf(group!.id).includes(u.id));
    graph.tenant.addMember(group!.id, user!.id);
    graph.tenant.disableUser(user!.id); // users are not subscribed: no notification
    await expect.poll(() => hook.received.filter((r) => r.body !== '').length).toBe(1);
    const notification = JSON.parse(hook.received.at(-1)!.body) as { value: Array<Record<string, unknown>> };
    expect(notification.value).toEqual([expect.objectContaining({ subscriptionId: id, clientState: 'secret-of-the-test', changeType: 'updated', resource: `Groups/${group!.id}`, tenantId: graph.tenantId })]);

    const later = new Date(Date.now() + 7_200_000).toISOString();
    expect((await call('PATCH', `/subscriptions/${id}`, { expirationDateTime: later })).body).toMatchObject({ id, expirationDateTime: later });
    expect((await call('DELETE', `/subscriptions/${id}`)).status).toBe(204);
    expect((await call('GET', `/subscriptions/${id}`)).status).toBe(404);
  });

  it('sends lifecycle notifications and drops notifications through the control API', async () => {
    const { graph, hook, subscribe } = await setUp();
    const id = (await subscribe('users')).body.id as string;
    const control = `${graph.graphBaseUrl}/_sim`;
    const sent = await fetch(`${control}/subscriptions/${id}/lifecycle`, { method: 'POST', body: JSON.stringify({ lifecycleEvent: 'subscriptionRemoved' }) });
    expect(sent.status).toBe(200);
    expect(JSON.parse(hook.received.at(-1)!.body)).toEqual({ value: [expect.objectContaining({ subscriptionId: id, lifecycleEvent: 'subscriptionRemoved', clientState: 'secret-of-the-test' })] });
    expect(graph.subscriptions.list()).toEqual([]);

    await subscribe('users');
    expect((await fetch(`${control}/notifications`, { method: 'POST', body: JSON.stringify({ drop: true }) })).status).toBe(204);
    const posts = hook.received.length;
    graph.tenant.disableUser(graph.tenant.users()[0]!.id);
    await expect.poll(async () => ((await (await fetch(`${control}/deliveries`)).json()) as { value: Array<{ kind: string; status: number }> }).value.at(-1)).toMatchObject({ kind: 'change', status: -1 });
    expect(hook.received.length).toBe(posts);
  });

  it('lets an unrenewed subscription expire', async () => {
    const { graph, subscribe } = await setUp();
    await subscribe('users', { expirationDateTime: new Date(Date.now() + 1_500).toISOString() });
    expect(graph.subscriptions.list()).toHaveLength(1);
    await expect.poll(() => graph.subscriptions.list().length, { timeout: 5_000 }).toBe(0);
  });
});
