// HTTPS_PROXY / HTTP_PROXY and NO_PROXY for Notion (the SCIM client) and the alert webhook: through the proxy's
// CONNECT tunnels, or straight to a host NO_PROXY names. (The targets are loopback http, hence HTTP_PROXY here.)
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postWebhookMessage } from '../../../src/observe/index.js';
import { createScimClient, type ScimClient } from '../../../src/scim/index.js';
import { startConnectProxy, type ConnectProxy } from '../../helpers/connect-proxy.js';
import { startScriptedServer, user, type ScriptedServer } from './scripted-scim-server.js';

const proxyVariables = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'];
let saved: Record<string, string | undefined> = {};
let proxy: ConnectProxy;
let scim: ScriptedServer;
let client: ScimClient | undefined;
let hook: Server;
let hookUrl: string;
const alerts: string[] = [];

function useProxy(noProxy: string): void {
  process.env.HTTP_PROXY = proxy.url;
  process.env.HTTPS_PROXY = proxy.url;
  process.env.NO_PROXY = noProxy;
}

beforeEach(async () => {
  saved = Object.fromEntries(proxyVariables.map((name) => [name, process.env[name]]));
  for (const name of proxyVariables) delete process.env[name];
  proxy = await startConnectProxy();
  scim = await startScriptedServer((request) => ({ status: 200, json: user(request.url.split('/').pop() ?? 'x') }));
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      alerts.push(body);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/services/T0/B0/secret`;
  alerts.length = 0;
});

afterEach(async () => {
  await client?.close();
  client = undefined;
  for (const name of proxyVariables) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  hook.closeAllConnections();
  await Promise.all([scim.close(), proxy.close(), new Promise<void>((resolve) => hook.close(() => resolve()))]);
});

const hostOf = (url: string) => new URL(url).host;

describe('an outbound proxy', () => {
  it('carries the SCIM requests and the webhook alert when one is set', async () => {
    useProxy('');
    client = createScimClient({ baseUrl: scim.url, token: scim.token, requestsPerSecond: 1000 });
    expect((await client.getUser('a'))?.id).toBe('a');
    expect((await client.getUser('b'))?.id).toBe('b');
    await postWebhookMessage(hookUrl, 'provisioning is quarantined');
    expect(scim.seen).toHaveLength(2);
    expect(alerts).toEqual(['{"text":"provisioning is quarantined"}']);
    // Keep-alive: both SCIM requests may share one tunnel; the webhook opens its own.
    expect(new Set(proxy.tunnels)).toEqual(new Set([hostOf(scim.url), hostOf(hookUrl)]));
  });

  it('is bypassed for the hosts NO_PROXY names', async () => {
    useProxy(`localhost,127.0.0.1`);
    client = createScimClient({ baseUrl: scim.url, token: scim.token, requestsPerSecond: 1000 });
    expect((await client.getUser('a'))?.id).toBe('a');
    await postWebhookMessage(hookUrl, 'direct');
    expect(alerts).toEqual(['{"text":"direct"}']);
    expect(proxy.tunnels).toEqual([]);
  });
});
