import { afterEach, describe, expect, it } from 'vitest';
import { createScimClient, type ScimClient } from '../../../src/scim/index.js';
import { listResponse, scimError, startScriptedServer, user, type ScriptedAnswer, type ScriptedServer, type SeenRequest } from './scripted-scim-server.js';
import { failureOf } from './scim-failure.js';

let server: ScriptedServer | undefined;
let client: ScimClient | undefined;

afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

async function clientAnswering(answer: (request: SeenRequest) => ScriptedAnswer, options: { retries?: number; headersMs?: number } = {}): Promise<ScimClient> {
  server = await startScriptedServer(answer);
  client = createScimClient({
    baseUrl: server.url,
    token: server.token,
    requestsPerSecond: 200,
    maxConcurrency: 2,
    retry: { retries: options.retries ?? 2, minDelayMs: 5, maxDelayMs: 20 },
    ...(options.headersMs ? { timeouts: { headersMs: options.headersMs } } : {}),
  });
  return client;
}


describe('SCIM answers that mean something other than failure', () => {
  it('reads a 404 on GET as an absent user and on DELETE as already absent', async () => {
    const scim = await clientAnswering(() => scimError(404, 'User not found'));
    expect(await scim.getUser('gone')).toBeNull();
    expect(await scim.deleteUser('gone')).toBe('already-absent');
    expect(await scim.deleteGroup('gone')).toBe('already-absent');
  });

  it('asks the lower-cased email filter when the userName filter finds nobody', async () => {
    const scim = await clientAnswering((request) => (request.url.includes('email') ? listResponse([user('u1', 'ann@example.com')]) : listResponse([])));
    expect((await scim.findUsersByUserName('Ann@Example.com')).map((u) => u.id)).toEqual(['u1']);
    expect(server!.seen.map((r) => new URL(r.url, 'http://x').searchParams.get('filter'))).toEqual(['userName eq "Ann@Example.com"', 'email eq "ann@example.com"']);
  });

  it('keeps the empty answer of the userName filter when the email filter is refused', async () => {
    const scim = await clientAnswering((request) => (request.url.includes('email') ? scimError(400, 'Invalid filter', 'invalidFilter') : listResponse([])));
    expect(await scim.findUsersByUserName('ann@example.com')).toEqual([]);
  });

  it('reports a find refused under both filters as a bad request', async () => {
    const scim = await clientAnswering(() => scimError(400, 'Invalid filter', 'invalidFilter'));
    await expect(scim.findUsersByUserName('ann@example.com')).rejects.toMatchObject({ kind: 'bad-request', scimType: 'invalidFilter' });
  });

  it('reports a DELETE answered 204 as deleted', async () => {
    const scim = await clientAnswering(() => ({ status: 204 }));
    expect(await scim.deleteUser('u1')).toBe('deleted');
  });
});

describe('typed SCIM errors', () => {
  it('reports a refused token as auth, with the request and no token anywhere', async () => {
    const scim = await clientAnswering(() => scimError(401, 'Unauthorized'));
    const error = await failureOf(scim.getUser('u1'));
    expect(error).toMatchObject({ kind: 'auth', status: 401, detail: 'Unauthorized', request: { method: 'GET', url: `${server!.url}/Users/u1` } });
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain(server!.token);
    expect(server!.seen).toHaveLength(1);
  });

  it('sends the token as a bearer header', async () => {
    const scim = await clientAnswering(() => ({ status: 200, json: user('u1') }));
    await scim.getUser('u1');
    expect(server!.seen[0]!.headers.authorization).toBe(`Bearer ${server!.token}`);
  });

  it('reports a 403 from the connection check with a message about the token', async () => {
    const scim = await clientAnswering(() => scimError(403, 'Forbidden'));
    const check = await scim.checkConnection();
    expect(check).toMatchObject({ ok: false, kind: 'auth' });
    expect(check.ok === false && check.message).toMatch(/refused the SCIM token \(403\)/);
  });

  it('reports a 409 on create as a conflict and does not retry it', async () => {
    const scim = await clientAnswering(() => scimError(409, 'User already exists', 'uniqueness'));
    const error = await failureOf(scim.createUser({ userName: 'a@example.com' }));
    expect(error).toMatchObject({ kind: 'conflict', status: 409, scimType: 'uniqueness', request: { method: 'POST' } });
    expect(server!.seen).toHaveLength(1);
  });

  it('reports Notion’s 500 on a userName change as a conflict, sent once', async () => {
    const scim = await clientAnswering(() => scimError(500, 'Internal error'));
    const error = await failureOf(scim.patchUser('u1', [{ op: 'replace', path: 'userName', value: 'taken@example.com' }]));
    expect(error.kind).toBe('conflict');
    expect(server!.seen).toHaveLength(1);
  });

  it('retries a 500 on a PATCH that does not touch userName, and succeeds', async () => {
    let calls = 0;
    const scim = await clientAnswering(() => (++calls === 1 ? scimError(500, 'boom') : { status: 204 }));
    await scim.patchUser('u1', [{ op: 'replace', path: 'title', value: 'Engineer' }]);
    expect(server!.seen.map((r) => r.method)).toEqual(['PATCH', 'PATCH']);
    expect(scim.stats()).toMatchObject({ requests: 2, retries: 1 });
  });

  it('reports a 400 as a bad request with its scimType', async () => {
    const scim = await clientAnswering(() => scimError(400, 'Bad value', 'invalidValue'));
    expect(await failureOf(scim.patchGroup('g1', [{ op: 'replace', path: 'displayName', value: '' }]))).toMatchObject({
      kind: 'bad-request',
      scimType: 'invalidValue',
    });
  });

  it('retries a GET whose connection was reset, and returns the user', async () => {
    let calls = 0;
    const scim = await clientAnswering(() => (++calls === 1 ? { reset: true } : { status: 200, json: user('u1') }));
    expect(await scim.getUser('u1')).toMatchObject({ id: 'u1', userName: 'u1@example.com' });
  });

  it('reports a create whose connection was reset after sending as outcome-unknown, without retrying it', async () => {
    const scim = await clientAnswering(() => ({ reset: true }));
    const error = await failureOf(scim.createUser({ userName: 'a@example.com' }));
    expect(error).toMatchObject({ kind: 'outcome-unknown', request: { method: 'POST', url: `${server!.url}/Users` } });
    expect(server!.seen).toHaveLength(1);
  });

  it('reports a create answered 500 as outcome-unknown, without retrying it', async () => {
    const scim = await clientAnswering(() => scimError(500, 'Internal error'));
    expect((await failureOf(scim.createGroup({ displayName: 'Designers' }))).kind).toBe('outcome-unknown');
    expect(server!.seen).toHaveLength(1);
  });

  it('reports a create that timed out waiting for the answer as outcome-unknown', async () => {
    const scim = await clientAnswering(() => ({ hang: true }), { headersMs: 200 });
    expect((await failureOf(scim.createUser({ userName: 'a@example.com' }))).kind).toBe('outcome-unknown');
    expect(server!.seen).toHaveLength(1);
  });

  it('retries a GET that timed out and reports it as transient once retries run out', async () => {
    const scim = await clientAnswering(() => ({ hang: true }), { headersMs: 200, retries: 1 });
    expect(await failureOf(scim.getGroup('g1'))).toMatchObject({ kind: 'transient', request: { method: 'GET' } });
    expect(server!.seen).toHaveLength(2);
  });

  it('retries a create refused before it reached a server, and reports it as transient', async () => {
    const closed = await startScriptedServer(() => ({ status: 204 }));
    const url = closed.url;
    await closed.close();
    client = createScimClient({ baseUrl: url, token: 't0ken', requestsPerSecond: 200, retry: { retries: 1, minDelayMs: 5, maxDelayMs: 10 } });
    const error = await failureOf(client.createUser({ userName: 'a@example.com' }));
    expect(error.kind).toBe('transient');
    expect(client.stats().requests).toBe(2);
  });
});

describe('shutting down', () => {
  it('sends nothing queued after the abort signal fires, and reports a queued create as not done', async () => {
    server = await startScriptedServer(() => ({ status: 200, json: user('u1') }));
    const shutdown = new AbortController();
    // Five per second: the create waits its turn in the limiter for 200 ms, during which the signal fires.
    client = createScimClient({ baseUrl: server.url, token: server.token, requestsPerSecond: 5, signal: shutdown.signal });
    const read = client.getUser('u1');
    const create = failureOf(client.createUser({ userName: 'a@example.com' }));
    await read;
    shutdown.abort();
    expect((await create).kind).toBe('transient');
    expect(server.seen.map((r) => r.method)).toEqual(['GET']);
  });
});

describe('the base URL', () => {
  it('refuses plain http to a host that is not this machine, naming the URL', () => {
    expect(() => createScimClient({ baseUrl: 'http://scim.example.com/scim/v2', token: 't' })).toThrow(/http:\/\/scim\.example\.com\/scim\/v2.*https/);
  });

  it('accepts plain http to localhost and ::1', async () => {
    for (const baseUrl of ['http://localhost:1/scim/v2', 'http://[::1]:1/scim/v2', 'https://api.notion.com/scim/v2']) {
      await createScimClient({ baseUrl, token: 't' }).close();
    }
  });
});
