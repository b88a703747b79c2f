// How the Entra side reaches Microsoft: the token scope of a national cloud, managed identity through msal-node,
// HTTPS_PROXY / NO_PROXY for the token endpoint and Graph, network failures named by their cause, and a live
// count of every Graph answer.
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEntraSource } from '../../../src/entra/index.js';
import { createGraphReader } from '../../../src/entra/graph-reader.js';
import { createOutboundDispatcher } from '../../../src/entra/outbound-http.js';
import { createLogger, onHttpAnswer, type HttpAnswerStatus } from '../../../src/observe/index.js';
import { generateTenant, startGraphSimulator, type GraphSimulator } from '../../../src/sim/graph/index.js';
import { TARGET, entraConfig, importOptions } from './entra-session.js';
import { openTestStore, type TestStore } from '../../helpers/store.js';

const logger = createLogger({ level: 'silent' });
let sim: GraphSimulator;
const savedEnv = { ...process.env };

beforeAll(async () => {
  // Graph answers on `localhost`, sign-in on `127.0.0.1`: two host names, as in a national cloud.
  sim = await startGraphSimulator({ tenant: generateTenant({ seed: 81, users: 40, groups: 4 }), graphHostName: 'localhost', pageSize: { min: 10, max: 15 } });
});
afterAll(() => sim.close());
afterEach(() => {
  for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'IDENTITY_ENDPOINT', 'IDENTITY_HEADER']) {
    if (savedEnv[name] === undefined) delete process.env[name];
    else process.env[name] = savedEnv[name];
  }
});

const tokenScopes = (): string[] => sim.requests().filter((record) => record.route === '/{tenant}/oauth2/v2.0/token').map((record) => record.scope ?? '');

describe('a Graph host other than graph.microsoft.com', () => {
  it('asks the token endpoint for that host\'s .default scope and reads Graph there', async () => {
    sim.clearRequests();
    expect(sim.graphBaseUrl).toMatch(/^https:\/\/localhost:\d+$/);
    const report = await createEntraSource({ config: entraConfig(sim), logger }).checkAccess();
    expect(report).toMatchObject({ ok: true, token: { acquired: true } });
    expect(tokenScopes()).toEqual([`${sim.graphBaseUrl}/.default`]);
  });
});

describe('managed identity (App Service style endpoint, as on Azure Container Apps)', () => {
  const identityRequests = (): URLSearchParams[] => sim.requests().filter((record) => record.route === '/msi/token')
    .map((record) => new URL(record.path, sim.authorityHost).searchParams);

  it('acquires a Graph token through msal-node for the system-assigned identity and reads Graph with it', async () => {
    process.env.IDENTITY_ENDPOINT = sim.identityEndpoint;
    process.env.IDENTITY_HEADER = sim.identityHeader;
    sim.clearRequests();
    const config = entraConfig(sim, { auth: 'managed-identity', tenantId: undefined, clientId: undefined, clientSecret: undefined });
    const report = await createEntraSource({ config, logger }).checkAccess();
    expect(report).toMatchObject({ ok: true, token: { acquired: true }, servicePrincipal: { found: true, id: sim.servicePrincipalId } });
    const [request, ...more] = identityRequests();
    expect(more).toEqual([]);
    expect(request?.get('resource')).toBe(sim.graphBaseUrl);
    expect(request?.has('client_id')).toBe(false);
    expect(tokenScopes()).toEqual([]);
  });

  it('names the user-assigned identity by its client id', async () => {
    process.env.IDENTITY_ENDPOINT = sim.identityEndpoint;
    process.env.IDENTITY_HEADER = sim.identityHeader;
    sim.clearRequests();
    const config = entraConfig(sim, { auth: 'managed-identity', managedIdentityClientId: sim.managedIdentityClientId, clientSecret: undefined });
    expect(await createEntraSource({ config, logger }).checkAccess()).toMatchObject({ ok: true });
    expect(identityRequests().map((params) => params.get('client_id'))).toEqual([sim.managedIdentityClientId]);

    const unknown = entraConfig(sim, { auth: 'managed-identity', managedIdentityClientId: '00000000-0000-0000-0000-0000000000aa', clientSecret: undefined });
    const refused = await createEntraSource({ config: unknown, logger }).checkAccess();
    expect(refused).toMatchObject({ ok: false, token: { acquired: false, error: expect.stringContaining('No user-assigned identity') } });
  });
});

/** A loopback CONNECT proxy that counts the tunnels it opened per target host:port. */
async function startConnectProxy(): Promise<{ url: string; tunnels: Map<string, number>; close(): Promise<void> }> {
  const tunnels = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.once('data', (head: Buffer) => {
      const target = /^CONNECT (\S+) HTTP/.exec(head.toString('latin1'))?.[1];
      if (!target) return client.end('HTTP/1.1 405 Method Not Allowed\r\n\r\n');
      tunnels.set(target, (tunnels.get(target) ?? 0) + 1);
      const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
      const out = connect(port, host === 'localhost' ? '127.0.0.1' : host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        out.pipe(client);
        client.pipe(out);
      });
      sockets.add(out);
      out.on('error', () => client.destroy());
      client.on('error', () => out.destroy());
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('an outbound proxy', () => {
  const simPort = (): string => new URL(sim.authorityHost).port;

  it('carries the token request and the Graph requests when HTTPS_PROXY is set', async () => {
    const proxy = await startConnectProxy();
    try {
      process.env.HTTPS_PROXY = proxy.url;
      process.env.NO_PROXY = '';
      const report = await createEntraSource({ config: entraConfig(sim), logger }).checkAccess();
      expect(report).toMatchObject({ ok: true });
      // Sign-in goes to 127.0.0.1, Graph to localhost: one tunnel (at least) to each.
      expect(proxy.tunnels.get(`127.0.0.1:${simPort()}`)).toBeGreaterThanOrEqual(1);
      expect(proxy.tunnels.get(`localhost:${simPort()}`)).toBeGreaterThanOrEqual(1);
    } finally {
      await proxy.close();
    }
  });

  it('is bypassed for the hosts NO_PROXY names', async () => {
    const proxy = await startConnectProxy();
    try {
      process.env.HTTPS_PROXY = proxy.url;
      process.env.NO_PROXY = 'localhost';
      expect(await createEntraSource({ config: entraConfig(sim), logger }).checkAccess()).toMatchObject({ ok: true });
      expect(proxy.tunnels.get(`127.0.0.1:${simPort()}`)).toBeGreaterThanOrEqual(1);
      expect(proxy.tunnels.has(`localhost:${simPort()}`)).toBe(false);
    } finally {
      await proxy.close();
    }
  });
});

describe('a sign-in endpoint that cannot be reached', () => {
  it('names an unresolvable host (ENOTFOUND) instead of endpoints_resolution_error', async () => {
    const report = await createEntraSource({ config: entraConfig(sim, { authorityHost: 'https://login.entra-notion-sync.invalid' }), logger }).checkAccess();
    expect(report.token).toEqual({ acquired: false, error: expect.stringMatching(/cannot resolve login\.entra-notion-sync\.invalid \(ENOTFOUND\)/) });
    expect(report.token.error).not.toContain('endpoints_resolution_error');
  });

  it('names a refused connection (ECONNREFUSED)', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const report = await createEntraSource({ config: entraConfig(sim, { authorityHost: `https://127.0.0.1:${port}` }), logger }).checkAccess();
    expect(report.token.error).toMatch(new RegExp(`127\\.0\\.0\\.1:${port} refused the connection \\(ECONNREFUSED\\)`));
  });
});

describe('a Graph endpoint that cannot be reached', () => {
  const reader = (graphBaseUrl: string) => createGraphReader({ graphBaseUrl, tokens: { getAccessToken: async () => 'token' }, dispatcher: createOutboundDispatcher() });

  it('names a host that does not resolve', async () => {
    await expect(reader('https://graph.entra-notion-sync.invalid').getObject('/servicePrincipals/x'))
      .rejects.toMatchObject({ kind: 'transient', message: expect.stringMatching(/^Graph request failed: cannot resolve graph\.entra-notion-sync\.invalid \(ENOTFOUND\)/) });
  });

  it('sends a read again when its connection drops before any answer, twice at most, then fails it as transient', async () => {
    let connections = 0;
    const dropper = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    dropper.listen(0, '127.0.0.1');
    await once(dropper, 'listening');
    try {
      const { port } = dropper.address() as { port: number };
      await expect(reader(`https://127.0.0.1:${port}`).getObject('/servicePrincipals/x'))
        .rejects.toMatchObject({ kind: 'transient', message: expect.stringContaining(`Graph request failed: cannot reach 127.0.0.1:${port}`) });
      expect(connections).toBe(3);
    } finally {
      dropper.close();
    }
  });
});

describe('every Graph answer', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore();
  });
  afterAll(() => store.close());

  it('is counted by method and status as it arrives, retried throttling and resets included', async () => {
    const answers: Array<[string, HttpAnswerStatus]> = [];
    const stop = onHttpAnswer((service, method, status) => {
      if (service === 'graph') answers.push([method, status]);
    });
    try {
      sim.clearRequests();
      sim.injectFault({ kind: 'status', status: 429, count: 1, retryAfterSeconds: 1, match: { path: /\/groups\/delta$/ } });
      const source = createEntraSource({ config: entraConfig(sim), logger });
      expect((await source.importIntoMirror(store.store.db, TARGET, importOptions)).complete).toBe(true);
      const graphRecords = sim.requests().filter((record) => record.route.startsWith('/v1.0/'));
      // The import's reads run at once: answers arrive in any order, so they are compared as a collection.
      const byValue = (list: Array<[string, number | string]>) => list.map(([method, status]) => `${method} ${status}`).sort();
      expect(byValue(answers)).toEqual(byValue(graphRecords.map((record) => ['GET', record.status])));
      expect(answers.filter(([, status]) => status === 429)).toHaveLength(1);

      // A read whose connection dropped before any answer is sent again (twice at most): a reused kept-alive socket
      // the other side closed while the process was busy must not make the import incomplete.
      answers.length = 0;
      sim.injectFault({ kind: 'reset', count: 1, match: { path: /appRoleAssignedTo$/ } });
      expect((await source.importIntoMirror(store.store.db, TARGET, importOptions)).complete).toBe(true);
      expect(answers.filter(([, status]) => status === 'error')).toEqual([['GET', 'error']]);

      answers.length = 0;
      sim.injectFault({ kind: 'reset', count: 3, match: { path: /appRoleAssignedTo$/ } });
      const failed = await source.importIntoMirror(store.store.db, TARGET, importOptions);
      expect(failed).toMatchObject({ complete: false, incompleteReason: expect.stringMatching(/^transient/) });
      expect(answers.filter(([, status]) => status !== 200)).toEqual([['GET', 'error'], ['GET', 'error'], ['GET', 'error']]);
    } finally {
      stop();
    }
  });
});
