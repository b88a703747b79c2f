// A target that has never answered this process: a host name that does not resolve and a certificate that is refused
// are mistakes to fix, tried once; a refused connection is tried once more. Once the target has answered, a network
// failure is a blip and gets every retry. Retries as configured by default (five), with short delays.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readServerTls } from '../../../src/sim/graph/tls-files.js';
import { createScimClient, type ScimClient } from '../../../src/scim/index.js';
import { freePort } from '../../helpers/free-port.js';
import { startScriptedServer, user, type ScriptedServer } from './scripted-scim-server.js';
import { failureOf } from './scim-failure.js';

let client: ScimClient | undefined;
let server: ScriptedServer | undefined;
let tlsServer: Server | undefined;

afterEach(async () => {
  await client?.close();
  await server?.close();
  await new Promise((resolve) => (tlsServer ? tlsServer.close(resolve) : resolve(undefined)));
  client = server = tlsServer = undefined;
});

function clientOf(baseUrl: string): ScimClient {
  client = createScimClient({ baseUrl, token: 't0ken', requestsPerSecond: 1000, retry: { minDelayMs: 5, maxDelayMs: 10 } });
  return client;
}

describe('a target that has never answered', () => {
  it('tries a refused connection twice, not six times', async () => {
    const scim = clientOf(`http://127.0.0.1:${await freePort()}/scim/v2`);
    const error = await failureOf(scim.getUser('u1'));
    expect(error).toMatchObject({ kind: 'transient', message: expect.stringContaining('(ECONNREFUSED)') });
    expect(scim.stats()).toMatchObject({ requests: 2, retries: 1 });
  });

  it('tries a host name that does not resolve once', async () => {
    const scim = clientOf('https://scim.entra-notion-sync.invalid/scim/v2');
    const error = await failureOf(scim.getUser('u1'));
    expect(error).toMatchObject({ kind: 'transient', message: expect.stringContaining('(ENOTFOUND)') });
    expect(scim.stats()).toMatchObject({ requests: 1, retries: 0 });
  });

  it('connects once to a server whose certificate does not name it', async () => {
    // The simulator's certificate names 127.0.0.1, ::1 and localhost, and its CA is trusted here: 127.0.0.2 is not named.
    let connections = 0;
    tlsServer = createServer(readServerTls(), (_req, res) => res.end('{}'));
    tlsServer.on('connection', () => (connections += 1));
    await new Promise<void>((resolve) => tlsServer!.listen(0, '127.0.0.2', resolve));
    const scim = clientOf(`https://127.0.0.2:${(tlsServer.address() as AddressInfo).port}/scim/v2`);
    const error = await failureOf(scim.getUser('u1'));
    expect(error.message).toContain('(ERR_TLS_CERT_ALTNAME_INVALID)');
    expect(connections).toBe(1);
    expect(scim.stats()).toMatchObject({ requests: 1, retries: 0 });
    // The handshake failed before the request was written: a create there is known not done, not of unknown outcome.
    expect(await failureOf(scim.createUser({ userName: 'a@example.com' }))).toMatchObject({ kind: 'transient' });
  });
});

describe('a target that has answered', () => {
  it('retries a refused connection as a blip, every retry', async () => {
    server = await startScriptedServer(() => ({ status: 200, json: user('u1') }));
    const scim = clientOf(server.url);
    expect(await scim.getUser('u1')).toMatchObject({ id: 'u1' });
    await server.close();
    server = undefined;
    const error = await failureOf(scim.getUser('u1'));
    expect(error.message).toContain('(ECONNREFUSED)');
    expect(scim.stats()).toMatchObject({ requests: 7, retries: 5 });
  });

  it('remembers that it answered for a client made later in the process (the next cycle)', async () => {
    server = await startScriptedServer(() => ({ status: 200, json: user('u1') }));
    const url = server.url;
    await clientOf(url).getUser('u1');
    await client!.close();
    await server.close();
    server = undefined;
    const next = clientOf(url);
    await failureOf(next.getUser('u1'));
    expect(next.stats()).toMatchObject({ requests: 6, retries: 5 });
  });
});
