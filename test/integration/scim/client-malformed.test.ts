// Malformed answers scripted with undici's MockAgent. The brief asked for nock, but nock intercepts node:http and
// global fetch only, not undici's own Pool that the client uses; MockAgent is undici's interceptor for exactly that
// dispatcher, so the client runs its real request path (limiter, retries, parsing) against these answers.
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createScimClient, type ScimClient } from '../../../src/scim/index.js';
import { failureOf } from './scim-failure.js';
import { listAll } from '../../helpers/listing.js';

const origin = 'https://api.notion.com';
const html502 = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>';
const json = { 'content-type': 'application/scim+json' };

let agent: MockAgent;
let client: ScimClient;

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  client = createScimClient({ baseUrl: `${origin}/scim/v2`, token: 'mock-token', requestsPerSecond: 500, dispatcher: agent, retry: { retries: 2, minDelayMs: 5, maxDelayMs: 10 } });
});

afterEach(async () => {
  await client.close();
  await agent.close();
});


describe('malformed answers', () => {
  it('retries an HTML 502 page from a proxy and returns the user once Notion answers', async () => {
    const notion = agent.get(origin);
    notion.intercept({ path: '/scim/v2/Users/u1', method: 'GET' }).reply(502, html502, { headers: { 'content-type': 'text/html' } });
    notion.intercept({ path: '/scim/v2/Users/u1', method: 'GET' }).reply(200, { id: 'u1', userName: 'a@example.com' }, { headers: json });
    expect(await client.getUser('u1')).toEqual({ id: 'u1', userName: 'a@example.com' });
    expect(client.stats()).toMatchObject({ requests: 2, retries: 1 });
  });

  it('reports an HTML 502 page that persists as transient, with the status and the page title in the detail', async () => {
    agent.get(origin).intercept({ path: '/scim/v2/Users/u1', method: 'GET' }).reply(502, html502, { headers: { 'content-type': 'text/html' } }).times(3);
    const error = await failureOf(client.getUser('u1'));
    expect(error).toMatchObject({ kind: 'transient', status: 502 });
    expect(error.message).toContain('502 Bad Gateway');
  });

  it('reports an HTML page answered 200 as an unexpected response', async () => {
    agent.get(origin).intercept({ path: '/scim/v2/Groups/g1', method: 'GET' }).reply(200, '<html>Sign in</html>', { headers: { 'content-type': 'text/html' } });
    expect(await failureOf(client.getGroup('g1'))).toMatchObject({ kind: 'unexpected-response', status: 200, request: { method: 'GET', url: `${origin}/scim/v2/Groups/g1` } });
  });

  it('reports truncated JSON as an unexpected response', async () => {
    agent.get(origin).intercept({ path: '/scim/v2/Users/u1', method: 'GET' }).reply(200, '{"id":"u1","userName":"a@exa', { headers: json });
    expect(await failureOf(client.getUser('u1'))).toMatchObject({ kind: 'unexpected-response', status: 200, detail: '{"id":"u1","userName":"a@exa' });
  });

  it('reports a user answered without id as an unexpected response', async () => {
    agent.get(origin).intercept({ path: '/scim/v2/Users/u1', method: 'GET' }).reply(200, { userName: 'a@example.com' }, { headers: json });
    const error = await failureOf(client.getUser('u1'));
    expect(error.kind).toBe('unexpected-response');
    expect(error.message).toMatch(/without id/);
  });

  it('reports a listing page holding a user without id as an unexpected response', async () => {
    agent
      .get(origin)
      .intercept({ path: '/scim/v2/Users?startIndex=1&count=100', method: 'GET' })
      .reply(200, { totalResults: 2, itemsPerPage: 2, Resources: [{ id: 'u1', userName: 'a@x' }, { userName: 'b@x' }] }, { headers: json });
    expect((await failureOf(listAll(client.walkUsers))).kind).toBe('unexpected-response');
  });

  it('reports a create answered 201 without id as outcome-unknown, so the engine looks the user up first', async () => {
    agent.get(origin).intercept({ path: '/scim/v2/Users', method: 'POST' }).reply(201, { userName: 'a@example.com' }, { headers: json });
    const error = await failureOf(client.createUser({ userName: 'a@example.com' }));
    expect(error).toMatchObject({ kind: 'outcome-unknown', status: 201, request: { method: 'POST' } });
  });
});
