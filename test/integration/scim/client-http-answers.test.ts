import { afterEach, describe, expect, it } from 'vitest';
import { onHttpAnswer, type HttpAnswerStatus } from '../../../src/observe/index.js';
import { createScimClient, type ScimClient } from '../../../src/scim/index.js';
import { scimError, startScriptedServer, user, type ScriptedServer } from './scripted-scim-server.js';

let server: ScriptedServer | undefined;
let client: ScimClient | undefined;
let stopListening: (() => void) | undefined;

afterEach(async () => {
  stopListening?.();
  await client?.close();
  await server?.close();
});

describe('live HTTP answer counting', () => {
  it('reports every answer by method and status, and "error" when none arrived', async () => {
    const heard: Array<[string, string, HttpAnswerStatus]> = [];
    stopListening = onHttpAnswer((service, method, status) => heard.push([service, method, status]));
    server = await startScriptedServer((request) => {
      if (request.url.endsWith('/Users/a')) return { status: 200, json: user('a') };
      if (request.url.endsWith('/Users/gone')) return scimError(404, 'no such user');
      if (request.url.endsWith('/Users/reset')) return { reset: true };
      return { status: 204 };
    });
    client = createScimClient({ baseUrl: server.url, token: server.token, requestsPerSecond: 1000, retry: { retries: 1, minDelayMs: 1, maxDelayMs: 2 } });
    await client.getUser('a');
    await client.getUser('gone');
    await expect(client.getUser('reset')).rejects.toMatchObject({ kind: 'transient' });
    await client.deleteUser('x');
    expect(heard).toEqual([
      ['scim', 'GET', 200],
      ['scim', 'GET', 404],
      ['scim', 'GET', 'error'],
      ['scim', 'GET', 'error'],
      ['scim', 'DELETE', 204],
    ]);
  });
});
