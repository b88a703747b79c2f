// The Notion simulator run as a process: its start-up line, stop signal, and the HTTP control API under /_sim/.
import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNotionSimulatorProcess, type NotionSimulator } from '../../../src/sim/notion/index.js';

let simulator: NotionSimulator;
let startLine: Record<string, string>;
const signals = new EventEmitter();

beforeAll(async () => {
  simulator = await runNotionSimulatorProcess({ token: 'control-test-token' }, { write: (line) => (startLine = JSON.parse(line) as Record<string, string>), signals });
});
afterAll(() => simulator.close());

async function control(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${simulator.controlUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

async function scim(path: string): Promise<Response> {
  return fetch(`${startLine.url}${path}`, { headers: { authorization: `Bearer ${startLine.token}` } });
}

describe('process entry point', () => {
  it('prints its SCIM URL and token as one JSON line', () => {
    expect(startLine).toEqual({ simulator: 'notion', url: simulator.url, token: 'control-test-token', controlUrl: simulator.controlUrl });
    expect(startLine.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/scim\/v2$/);
  });

  it('stops serving on SIGTERM', async () => {
    const own = new EventEmitter();
    const other = await runNotionSimulatorProcess({}, { write: () => undefined, signals: own });
    expect((await fetch(`${other.url}/ServiceProviderConfig`)).status).toBe(200);
    own.emit('SIGTERM');
    await expect.poll(() => fetch(`${other.url}/ServiceProviderConfig`).then(() => 'up', () => 'down')).toBe('down');
  });
});

describe('control API', () => {
  it('adds users and groups that the SCIM API then serves, and shows the whole state', async () => {
    const added = await control('POST', '/users', [{ userName: 'ann@example.com', name: { formatted: 'Ann' } }, { userName: 'ben@example.com' }]);
    expect(added.status).toBe(201);
    const [ann] = added.body as Array<{ id: string }>;
    const group = await control('POST', '/groups', { displayName: 'Crew', members: [ann?.id] });
    expect(group.status).toBe(201);
    const listed = (await (await scim('/Users')).json()) as { totalResults: number };
    expect(listed.totalResults).toBe(2);
    const state = (await control('GET', '/state')).body as { users: unknown[]; groups: Array<{ displayName: string; members: string[] }> };
    expect(state.users).toHaveLength(2);
    expect(state.groups).toEqual([expect.objectContaining({ displayName: 'Crew', members: [ann?.id] })]);
  });

  it('edits and removes users and group members directly, as drift made in Notion', async () => {
    const user = (await control('POST', '/users', { userName: 'cy@example.com' })).body as { id: string };
    const group = (await control('POST', '/groups', { displayName: 'Drift' })).body as { id: string };
    expect((await control('PUT', `/groups/${group.id}/members/${user.id}`)).status).toBe(204);
    expect((await control('PATCH', `/users/${user.id}`, { title: 'Changed by hand' })).status).toBe(200);
    expect(((await (await scim(`/Users/${user.id}`)).json()) as { title: string }).title).toBe('Changed by hand');
    expect((await control('DELETE', `/groups/${group.id}/members/${user.id}`)).status).toBe(204);
    expect(simulator.workspace.groupMembers(group.id)).toEqual([]);
    expect((await control('DELETE', `/users/${user.id}`)).status).toBe(204);
    expect((await scim(`/Users/${user.id}`)).status).toBe(404);
    expect((await control('PATCH', `/groups/${group.id}`, { displayName: 'Renamed' })).status).toBe(200);
    expect((await control('DELETE', `/groups/${group.id}`)).status).toBe(204);
  });

  it('changes options at run time', async () => {
    const changed = await control('PATCH', '/options', { pageSizeCap: 1, removedUserLookup: 'inactive' });
    expect(changed.body).toMatchObject({ pageSizeCap: 1, removedUserLookup: 'inactive' });
    expect(((await (await scim('/Users')).json()) as { itemsPerPage: number }).itemsPerPage).toBe(1);
    await control('PATCH', '/options', { pageSizeCap: 100, removedUserLookup: 'not-found' });
  });

  it('injects, lists and clears faults with a path pattern', async () => {
    expect((await control('POST', '/faults', { kind: 'status', status: 504, count: 3, match: { method: 'GET', path: '^/Groups' } })).status).toBe(201);
    expect((await control('GET', '/faults')).body).toEqual([{ kind: 'status', status: 504, count: 3, match: { method: 'GET', path: expect.stringContaining('Groups') } }]);
    expect((await scim('/Users')).status).toBe(200);
    expect((await scim('/Groups')).status).toBe(504);
    expect((await control('DELETE', '/faults')).status).toBe(204);
    expect((await scim('/Groups')).status).toBe(200);
  });

  it('shows and clears the request log with counts', async () => {
    await control('DELETE', '/requests');
    await scim('/Users');
    await scim('/Users');
    const log = (await control('GET', '/requests')).body as { requests: Array<{ path: string }>; counts: Record<string, number> };
    expect(log.counts).toEqual({ 'GET /Users': 2 });
    expect(log.requests.map((entry) => entry.path)).toEqual(['/Users', '/Users']);
  });

  it('answers 400 with the reason to an invalid body, and 404 to an unknown route', async () => {
    const invalid = await control('POST', '/users', { name: {} });
    expect(invalid.status).toBe(400);
    expect(JSON.stringify(invalid.body)).toContain('userName');
    expect((await control('GET', '/nothing')).status).toBe(404);
  });

  it('empties the workspace', async () => {
    expect((await control('DELETE', '/state')).status).toBe(204);
    expect((await control('GET', '/state')).body).toEqual({ users: [], groups: [] });
  });
});
