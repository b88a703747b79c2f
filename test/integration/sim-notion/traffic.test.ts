// What surrounds each request in the Notion simulator: rate limit, latency, injected faults, the request log.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { notionSimulatorDefaults, type RequestLogEntry } from '../../../src/sim/notion/index.js';
import { openScimSession, type ScimSession } from './scim-session.js';

let session: ScimSession;
beforeAll(async () => {
  session = await openScimSession();
});
afterEach(() => {
  session.simulator.clearFaults();
  session.simulator.clearRequests();
  session.simulator.workspace.clear();
  session.simulator.setOptions(notionSimulatorDefaults);
});
afterAll(() => session.simulator.close());

const auth = () => ({ authorization: `Bearer ${session.simulator.token}` });

describe('rate limit', () => {
  it('answers 429 with an integer Retry-After once the bucket is empty', async () => {
    session.simulator.setOptions({ rateLimit: { requestsPerSecond: 0.4, burst: 2 } });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let n = 0; n < 3; n++) {
      const reply = await session.get('/Users');
      statuses.push(reply.status);
      retryAfter = reply.headers.get('retry-after');
    }
    expect(statuses).toEqual([200, 200, 429]);
    // One token at 0.4 per second takes 2.5 s: rounded up to 3.
    expect(retryAfter).toBe('3');
  });

  it('serves everything when the limit is off', async () => {
    const statuses = await Promise.all(Array.from({ length: 20 }, () => session.get('/Users').then((reply) => reply.status)));
    expect(new Set(statuses)).toEqual(new Set([200]));
  });
});

describe('latency', () => {
  it('holds each answer for the configured delay', async () => {
    // Its own simulator: the delayed request finishes after the test and must not land in another test's log.
    const slow = await openScimSession({ latencyMs: 5_000 });
    try {
      const headers = { authorization: `Bearer ${slow.simulator.token}` };
      await expect(fetch(`${slow.simulator.url}/Users`, { headers, signal: AbortSignal.timeout(100) })).rejects.toThrow();
    } finally {
      await slow.simulator.close();
    }
  });
});

describe('faults', () => {
  it('answers the next N matching requests with an injected status, then recovers', async () => {
    session.simulator.injectFault({ kind: 'status', status: 503, count: 2, match: { method: 'GET', path: /^\/Users$/ } });
    expect((await session.get('/Groups')).status).toBe(200);
    expect((await session.get('/Users')).status).toBe(503);
    expect((await session.get('/Users')).status).toBe(503);
    expect((await session.get('/Users')).status).toBe(200);
  });

  it('fails a share of requests: all at rate 1, none at rate 0', async () => {
    session.simulator.injectFault({ kind: 'status', rate: 1 });
    expect((await session.get('/Users')).status).toBe(500);
    expect((await session.get('/Groups')).status).toBe(500);
    session.simulator.clearFaults();
    session.simulator.injectFault({ kind: 'status', rate: 0 });
    expect((await session.get('/Users')).status).toBe(200);
  });

  it('resets the connection', async () => {
    session.simulator.injectFault({ kind: 'reset' });
    await expect(fetch(`${session.simulator.url}/Users`, { headers: auth() })).rejects.toThrow();
    expect((await session.get('/Users')).status).toBe(200);
  });

  it('leaves a request hanging until the client gives up', async () => {
    session.simulator.injectFault({ kind: 'timeout' });
    await expect(fetch(`${session.simulator.url}/Users`, { headers: auth(), signal: AbortSignal.timeout(200) })).rejects.toThrow();
    expect((await session.get('/Users')).status).toBe(200);
  });

  it('sends a malformed JSON body', async () => {
    session.simulator.injectFault({ kind: 'malformed' });
    const response = await fetch(`${session.simulator.url}/Users`, { headers: auth() });
    expect(response.status).toBe(200);
    await expect(response.json()).rejects.toThrow();
  });

  it('sends an HTML error page', async () => {
    session.simulator.injectFault({ kind: 'html' });
    const response = await fetch(`${session.simulator.url}/Users`, { headers: auth() });
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('does not apply a write that failed before reaching the workspace', async () => {
    session.simulator.injectFault({ kind: 'reset', match: { method: 'POST' } });
    await expect(fetch(`${session.simulator.url}/Users`, { method: 'POST', headers: auth(), body: JSON.stringify({ userName: 'a@example.com' }) })).rejects.toThrow();
    expect(session.simulator.workspace.users()).toEqual([]);
  });

  it('applies a write whose answer is lost afterwards, so a retry meets a 409', async () => {
    session.simulator.injectFault({ kind: 'timeout', when: 'after', match: { method: 'POST' } });
    const body = JSON.stringify({ userName: 'b@example.com' });
    await expect(fetch(`${session.simulator.url}/Users`, { method: 'POST', headers: auth(), body, signal: AbortSignal.timeout(200) })).rejects.toThrow();
    expect(session.simulator.workspace.users().map((user) => user.userName)).toEqual(['b@example.com']);
    expect((await session.post('/Users', { userName: 'b@example.com' })).status).toBe(409);
  });
});

describe('request log', () => {
  it('records each request with its status and body, counts per route, and emits an event', async () => {
    const heard: RequestLogEntry[] = [];
    const listener = (entry: RequestLogEntry) => heard.push(entry);
    session.simulator.events.on('request', listener);
    try {
      const created = await session.post('/Users', { userName: 'log@example.com' });
      await session.patch(`/Users/${String(created.body.id)}`, [{ op: 'replace', path: 'title', value: 'Scribe' }]);
      await session.get('/Users?count=5');
      await session.call('GET', '/Users', undefined, { authorization: 'Bearer nope' });
    } finally {
      session.simulator.events.off('request', listener);
    }
    const log = session.simulator.requests();
    expect(log.map(({ method, path, status }) => `${method} ${path.replace(/[0-9a-f-]{36}/, ':id')} ${status}`)).toEqual([
      'POST /Users 201',
      'PATCH /Users/:id 200',
      'GET /Users 200',
      'GET /Users 401',
    ]);
    expect(log[0]?.body).toEqual({ userName: 'log@example.com' });
    expect(log[2]?.query).toBe('count=5');
    expect(session.simulator.requestCounts()).toEqual({ 'POST /Users': 1, 'PATCH /Users/:id': 1, 'GET /Users': 2 });
    expect(heard).toHaveLength(4);
    session.simulator.clearRequests();
    expect(session.simulator.requests()).toEqual([]);
    expect(session.simulator.requestCounts()).toEqual({});
  });
});
