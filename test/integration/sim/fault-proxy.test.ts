// The chaos suite's fault proxy in front of the Notion simulator (http) and the Graph simulator (https): each
// fault kind does what it says, the server's state shows whether it acted, links are rewritten to the proxy.
import { afterEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy, type ForwardedEvent } from '../../../src/sim/fault-proxy.js';
import { generateTenant, startGraphSimulator, type GraphSimulator } from '../../../src/sim/graph/index.js';
import { startNotionSimulator, type NotionSimulator } from '../../../src/sim/notion/index.js';

let notion: NotionSimulator;
let proxy: FaultProxy;
let graph: GraphSimulator | undefined;

afterEach(async () => {
  await proxy?.close();
  await notion?.close();
  await graph?.close();
  graph = undefined;
});

async function setUp(rules: Parameters<typeof startFaultProxy>[0]['rules'] = [], echo: string[] = []) {
  notion = await startNotionSimulator({});
  proxy = await startFaultProxy({ target: new URL(notion.url).origin, seed: 3, rules, echo });
  const base = `${proxy.url}/scim/v2`;
  const create = (userName: string) => fetch(`${base}/Users`, {
    method: 'POST', headers: { authorization: `Bearer ${notion.token}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName }),
  });
  return { base, create };
}

describe('fault proxy', () => {
  it('passes answers through untouched without rules, with Location pointed at the proxy', async () => {
    const { create } = await setUp();
    const answer = await create('ada@example.com');
    expect(answer.status).toBe(201);
    expect(((await answer.json()) as { userName: string }).userName).toBe('ada@example.com');
    expect(notion.workspace.accountByUserName('ada@example.com')).toBeDefined();
    expect(proxy.injected()).toEqual([]);
  });

  it('answers a made-up status or a 429 with Retry-After without forwarding, echoing what it is told to', async () => {
    const { create } = await setUp([
      { kind: 'throttle', retryAfterSeconds: 7, count: 1 },
      { kind: 'status', status: 503, count: 1 },
    ], ['s3cret']);
    const throttled = await create('a@example.com');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('7');
    const failed = await create('b@example.com');
    expect(failed.status).toBe(503);
    expect(failed.headers.get('x-echo')).toBe('s3cret');
    expect(await failed.text()).toContain('s3cret');
    expect(notion.workspace.users()).toEqual([]);
    expect(proxy.injectedCounts()).toEqual({ throttle: 1, status: 1 });
  });

  it('resets before the server acted, or after it acted', async () => {
    const { create } = await setUp([
      { kind: 'reset-before', count: 1 },
      { kind: 'reset-after', count: 1 },
    ]);
    await expect(create('before@example.com')).rejects.toThrow();
    expect(notion.workspace.accountByUserName('before@example.com')).toBeUndefined();
    await expect(create('after@example.com')).rejects.toThrow();
    expect(notion.workspace.accountByUserName('after@example.com')?.inWorkspace).toBe(true);
  });

  it('rewrites answers, draws rate-based faults from its seed, and holds an answer while a listener asks', async () => {
    const { base, create } = await setUp([{ kind: 'rewrite', match: { method: 'GET' }, rewrite: (a) => ({ ...a, status: 200, body: '{"value": null}' }) }]);
    await create('x@example.com');
    const listed = await fetch(`${base}/Users`, { headers: { authorization: `Bearer ${notion.token}` } });
    expect(await listed.json()).toEqual({ value: null });

    let released = false;
    proxy.events.once('forwarded', (event: ForwardedEvent) => {
      const held = event.hold();
      setTimeout(() => {
        released = true;
        held.release();
      }, 50);
    });
    const answer = await create('held@example.com');
    expect(released).toBe(true);
    expect(answer.status).toBe(201);

    const draw = async (seed: number) => {
      const other = await startFaultProxy({ target: new URL(notion.url).origin, seed, rules: [{ kind: 'status', rate: 0.5 }] });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i += 1) statuses.push((await fetch(`${other.url}/scim/v2/ServiceProviderConfig`)).status);
      await other.close();
      return statuses;
    };
    const first = await draw(9);
    expect(await draw(9)).toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 503]));
  });

  it('serves TLS in front of the Graph simulator and points its nextLinks at itself', async () => {
    notion = await startNotionSimulator({});
    graph = await startGraphSimulator({ tenant: generateTenant({ seed: 2, users: 30, groups: 2 }), pageSize: { min: 5, max: 5 } });
    proxy = await startFaultProxy({ target: graph.authorityHost, tls: true });
    const token = await fetch(`${proxy.url}/${graph.tenantId}/oauth2/v2.0/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: graph.clientId, client_secret: graph.clientSecret, scope: 'https://graph.microsoft.com/.default' }),
    });
    const { access_token: accessToken } = (await token.json()) as { access_token: string };
    const page = (await (await fetch(`${proxy.url}/v1.0/users/delta`, { headers: { authorization: `Bearer ${accessToken}` } })).json()) as Record<string, unknown>;
    expect(String(page['@odata.nextLink'])).toMatch(new RegExp(`^${proxy.url}/v1.0/users/delta`));
    expect(proxy.authorizations()).toEqual([`Bearer ${accessToken}`]);
  });
});
