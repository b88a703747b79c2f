// Throttling, injected faults, the request log, and the /_sim/ control API.
import { afterEach, describe, expect, it } from 'vitest';
import { generateTenant, startGraphSimulator, type GraphSimulator, type RequestRecord } from '../../../src/sim/graph/index.js';
import { accessToken, graphGet, readDeltaRound } from './graph-session.js';

const simulators: GraphSimulator[] = [];
async function simulator(options: Partial<Parameters<typeof startGraphSimulator>[0]> = {}): Promise<GraphSimulator> {
  const sim = await startGraphSimulator({ tenant: generateTenant({ seed: 3, users: 40, groups: 4 }), ...options });
  simulators.push(sim);
  return sim;
}
afterEach(async () => {
  await Promise.all(simulators.splice(0).map((sim) => sim.close()));
});

async function control(sim: GraphSimulator, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${sim.graphBaseUrl}/_sim/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
}

describe('throttling', () => {
  it('answers 429 with Retry-After once the budget of requests per 10 seconds is spent', async () => {
    const sim = await simulator({ throttle: { requestsPer10Seconds: 3 } });
    const token = await accessToken(sim);
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await graphGet(sim, '/v1.0/groups', token)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const throttled = await graphGet(sim, '/v1.0/groups', token);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(throttled.body).toMatchObject({ error: { code: 'TooManyRequests' } });
  });
});

describe('fault injection', () => {
  it('answers the injected status the given number of times on matching paths only', async () => {
    const sim = await simulator();
    const token = await accessToken(sim);
    sim.injectFault({ kind: 'status', status: 503, count: 2, retryAfterSeconds: 4, match: { path: /\/users\/delta$/ } });
    expect((await graphGet(sim, '/v1.0/groups', token)).status).toBe(200);
    const first = await graphGet(sim, '/v1.0/users/delta', token);
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('4');
    expect(first.body).toMatchObject({ error: { code: 'serviceNotAvailable' } });
    expect((await graphGet(sim, '/v1.0/users/delta', token)).status).toBe(503);
    expect((await graphGet(sim, '/v1.0/users/delta', token)).status).toBe(200);
  });

  it('resets the connection when asked to', async () => {
    const sim = await simulator();
    const token = await accessToken(sim);
    sim.injectFault({ kind: 'reset', count: 1 });
    await expect(graphGet(sim, '/v1.0/users', token)).rejects.toThrow();
    expect((await graphGet(sim, '/v1.0/users', token)).status).toBe(200);
  });
});

describe('the request log', () => {
  it('records each request with its route and status, counts them, and emits an event', async () => {
    const sim = await simulator({ pageSize: { min: 10, max: 10 } });
    const token = await accessToken(sim);
    const seen: RequestRecord[] = [];
    sim.events.on('request', (entry: RequestRecord) => seen.push(entry));
    const user = sim.tenant.users()[0]!;
    await readDeltaRound(sim, '/v1.0/users/delta', token);
    await graphGet(sim, `/v1.0/users/${user.id}`, token);
    await graphGet(sim, '/v1.0/users/nobody', token);
    const counts = sim.requestCounts();
    expect(counts['POST /{tenant}/oauth2/v2.0/token']).toBe(1);
    expect(counts['GET /v1.0/users/delta']).toBe(4);
    expect(counts['GET /v1.0/users/{id}']).toBe(2);
    expect(sim.requests().at(-1)).toMatchObject({ method: 'GET', path: '/v1.0/users/nobody', route: '/v1.0/users/{id}', status: 404 });
    expect(seen).toHaveLength(6);
    sim.clearRequests();
    expect(sim.requests()).toEqual([]);
  });
});

describe('the /_sim/ control API', () => {
  it('hires, renames, disables and deletes users, visible in the next delta round', async () => {
    const sim = await simulator();
    const token = await accessToken(sim);
    const { deltaLink } = await readDeltaRound(sim, '/v1.0/users/delta?$select=displayName,accountEnabled', token);
    const hired = (await (await control(sim, 'POST', 'users', { displayName: 'Hired Over HTTP' })).json()) as { id: string };
    const [renamed, disabled, deleted] = sim.tenant.users();
    expect((await control(sim, 'PATCH', `users/${renamed!.id}`, { displayName: 'Renamed Over HTTP' })).status).toBe(204);
    expect((await control(sim, 'POST', `users/${disabled!.id}/disable`)).status).toBe(204);
    expect((await control(sim, 'DELETE', `users/${deleted!.id}`)).status).toBe(204);
    expect((await control(sim, 'POST', 'users/nobody/enable')).status).toBe(404);
    const { pages } = await readDeltaRound(sim, deltaLink, token);
    expect(pages.flat()).toEqual(expect.arrayContaining([
      { id: hired.id, displayName: 'Hired Over HTTP', accountEnabled: expect.any(Boolean) },
      { id: renamed!.id, displayName: 'Renamed Over HTTP', accountEnabled: renamed!.accountEnabled },
      { id: disabled!.id, displayName: disabled!.displayName, accountEnabled: false },
      { id: deleted!.id, '@removed': { reason: 'deleted' } },
    ]));
  });

  it('manages groups, members and assignments', async () => {
    const sim = await simulator();
    const group = (await (await control(sim, 'POST', 'groups', { displayName: 'Made Over HTTP' })).json()) as { id: string };
    const user = sim.tenant.users()[0]!;
    expect((await control(sim, 'POST', `groups/${group.id}/members`, { memberId: user.id })).status).toBe(204);
    expect(await (await control(sim, 'GET', `groups/${group.id}/members`)).json()).toEqual({ value: [user.id] });
    expect((await control(sim, 'POST', 'assignments', { principalId: group.id })).status).toBe(204);
    expect(sim.tenant.assignments().some((a) => a.principalId === group.id && a.principalType === 'Group')).toBe(true);
    expect((await control(sim, 'DELETE', `groups/${group.id}/members/${user.id}`)).status).toBe(204);
    expect((await control(sim, 'PATCH', `groups/${group.id}`, { displayName: 'Renamed' })).status).toBe(204);
    expect((await control(sim, 'DELETE', `assignments/${group.id}`)).status).toBe(204);
    expect((await control(sim, 'DELETE', `groups/${group.id}`)).status).toBe(204);
    expect(sim.tenant.groups().some((g) => g.id === group.id)).toBe(false);
  });

  it('injects faults, expires delta tokens and serves the request log', async () => {
    const sim = await simulator();
    const token = await accessToken(sim);
    const { deltaLink } = await readDeltaRound(sim, '/v1.0/users/delta', token);
    await control(sim, 'POST', 'expire-delta-tokens', { answer: 'syncStateNotFound' });
    expect((await graphGet(sim, deltaLink, token)).status).toBe(400);
    await control(sim, 'POST', 'faults', { kind: 'status', status: 429, count: 1, retryAfterSeconds: 2, pathPattern: '^/v1\\.0/groups$' });
    expect((await graphGet(sim, '/v1.0/groups', token)).status).toBe(429);
    const log = (await (await control(sim, 'GET', 'requests')).json()) as { value: RequestRecord[]; counts: Record<string, number> };
    expect(log.counts['GET /v1.0/groups']).toBe(1);
    expect(log.value.at(-1)).toMatchObject({ status: 429 });
    await control(sim, 'DELETE', 'requests');
    expect(sim.requests()).toEqual([]);
  });
});

describe('closing', () => {
  it('stops listening on close', async () => {
    const sim = await simulator();
    await sim.close();
    simulators.splice(simulators.indexOf(sim), 1);
    await expect(fetch(`${sim.graphBaseUrl}/v1.0/users`)).rejects.toThrow();
  });
});
