// Issue 11, defect 6: servers that echo the request's Authorization header, the SCIM token and the client secret in
// their error bodies and headers. Nothing of it may reach stdout, stderr (sync, status, logs, plan) or any table.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant, simulatorCaPath, startGraphSimulator, type GraphSimulator } from '../../src/sim/graph/index.js';
import { startNotionSimulator, type NotionSimulator } from '../../src/sim/notion/index.js';
import { openStore } from '../../src/store/index.js';
import { runCli, type CliRun } from '../helpers/cli-process.js';
import { simulatorConnectionEnv } from '../helpers/engine-session.js';
import { createTestStoreLocation, storeEnv } from '../helpers/store.js';

/** A loopback server; `answer` writes the whole response. */
async function listen(answer: (req: IncomingMessage, body: string, res: import('node:http').ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => answer(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const close = (server: Server) => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });

let graph: GraphSimulator;
let notion: NotionSimulator;
let notionEcho: { server: Server; url: string };
let graphEcho: { server: Server; url: string };
const graphTokensSeen = new Set<string>();
let echoedWrites = 0;
let env: Record<string, string>;
let location: { databaseUrl: string } | { dataDir: string };
let drop: () => Promise<void>;

beforeAll(async () => {
  graph = await startGraphSimulator({ tenant: generateTenant({ seed: 11, users: 12, groups: 2, directAssignmentShare: 0.5 }) });
  notion = await startNotionSimulator({});
  const secret = graph.clientSecret;
  // Notion's side: reads pass through to the simulator; every write is refused with the request's secrets echoed.
  notionEcho = await listen((req, body, res) => {
    const authorization = req.headers.authorization ?? '';
    if (req.method === 'GET') {
      void fetch(`${notion.url}${(req.url ?? '').replace(/^\/scim\/v2/, '')}`, { headers: { authorization } }).then(async (answer) => {
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/scim+json' });
        res.end(await answer.text());
      });
      return;
    }
    echoedWrites += 1;
    const token = authorization.replace(/^Bearer /, '');
    res.writeHead(400, { 'content-type': 'application/scim+json', 'x-echo-authorization': authorization, 'www-authenticate': `Bearer realm="${token}"` });
    res.end(JSON.stringify({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '400',
      detail: `echo: you sent Authorization: ${authorization}; token ${token}; client_secret=${secret}; ${secret}; body ${body.slice(0, 40)}`,
    }));
  });
  // Graph's side: every directory read is refused with the access token echoed, bare and as a header.
  graphEcho = await listen((req, _body, res) => {
    const authorization = req.headers.authorization ?? '';
    const token = authorization.replace(/^Bearer /, '');
    graphTokensSeen.add(token);
    res.writeHead(401, { 'content-type': 'application/json', 'x-echo-authorization': authorization });
    res.end(JSON.stringify({ error: { code: 'InvalidAuthenticationToken', message: `echo: token ${token} rejected; Authorization: ${authorization}; client secret ${secret}`, innerError: { date: new Date().toISOString() } } }));
  });
  const created = await createTestStoreLocation();
  location = created.location;
  drop = created.drop;
  env = {
    ...simulatorConnectionEnv(graph, notion),
    NOTION_SCIM_URL: `${notionEcho.url}/scim/v2`,
    NOTION_RATE_LIMIT_RPS: '1000',
    NOTION_MAX_CONCURRENCY: '4',
    LOG_LEVEL: 'trace',
    NODE_EXTRA_CA_CERTS: simulatorCaPath,
    ...storeEnv(location),
  };
});

afterAll(async () => {
  await Promise.all([graph.close(), notion.close(), close(notionEcho.server), close(graphEcho.server)]);
  await drop();
});

/** Every secret in play: the SCIM token, the client secret and each Graph access token the echo server saw. */
function secrets(): string[] {
  return [notion.token, graph.clientSecret, ...graphTokensSeen].filter((s) => s.length > 0);
}

function expectClean(what: string, text: string): void {
  for (const secret of secrets()) expect(text.includes(secret), `${what} holds a secret`).toBe(false);
  expect(/eyJ[\w-]{4,}\.eyJ[\w-]{4,}\./.test(text), `${what} holds a JWT`).toBe(false);
}

describe('secrets echoed by Notion and Graph', () => {
  const runs: Record<string, CliRun> = {};

  it('never reach the output of sync, status, logs and plan', async () => {
    runs.sync = await runCli(['sync'], env);
    expect(echoedWrites).toBeGreaterThan(0);
    runs.status = await runCli(['status'], env);
    runs.logs = await runCli(['logs', '--status', 'failure'], env);
    runs.logsJson = await runCli(['logs', '--json'], env);
    // The token's scope follows GRAPH_BASE_URL: the simulator's token endpoint must take the echo server as Graph.
    graph.usePublicGraphBaseUrl(graphEcho.url);
    runs.plan = await runCli(['plan'], { ...env, GRAPH_BASE_URL: graphEcho.url });
    expect(graphTokensSeen.size).toBeGreaterThan(0);
    // The echoes did arrive (the error text is shown), only their secrets are gone.
    expect(runs.logs.stdout + runs.logsJson.stdout).toContain('echo: you sent');
    expect(runs.plan.stdout + runs.plan.stderr).toContain('echo: token');
    for (const [name, run] of Object.entries(runs)) {
      expectClean(`${name} stdout`, run.stdout);
      expectClean(`${name} stderr`, run.stderr);
    }
  });

  it('never reach any table of the store', async () => {
    const store = await openStore(location);
    try {
      const tables = await store.db.execute(sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`);
      const names = (tables as unknown as { rows: Array<{ table_name: string }> }).rows.map((r) => r.table_name);
      expect(names).toContain('links');
      let stored = '';
      for (const name of names) {
        const rows = await store.db.execute(sql.raw(`select row_to_json(t)::text as row from "${name}" t`));
        stored += (rows as unknown as { rows: Array<{ row: string }> }).rows.map((r) => r.row).join('\n');
      }
      expect(stored).toContain('echo: you sent');
      expectClean('the store', stored);
    } finally {
      await store.close();
    }
  });
});
