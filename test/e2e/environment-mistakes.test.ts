// Mistakes in the environment, as an operator makes them: each ends with one line naming what is wrong and what to
// do, exit 2 (configuration or environment), and no stack trace; a command that only reads or decides (the console
// too) never takes a store that nothing has run against (a typo in DATA_DIR or the database name) for a healthy, empty one.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type Server } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateTenant, simulatorCaPath, startGraphSimulator, type GraphSimulator } from '../../src/sim/graph/index.js';
import { readServerTls } from '../../src/sim/graph/tls-files.js';
import { startNotionSimulator, type NotionSimulator } from '../../src/sim/notion/index.js';
import { runCli, type CliRun } from '../helpers/cli-process.js';
import { simulatorConnectionEnv } from '../helpers/engine-session.js';
import { createTestStoreLocation, storeEnv, usingPostgres, withClient } from '../helpers/store.js';

/** One line on stderr, and nothing of a stack trace or of the catch-all. */
function expectOneLine(run: CliRun, code: number, text: string | RegExp): void {
  expect(run.stderr).not.toMatch(/Unexpected failure|\n\s+at /);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(text);
  expect(run.code).toBe(code);
}

/** The CLI, killed after `ms`: a command that spins forever fails its test instead of hanging it. */
function runCliWithin(ms: number, args: string[], env: Record<string, string>): Promise<CliRun> {
  return runCli(args, env, (child) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.once('exit', () => clearTimeout(timer));
  });
}

describe('a Notion token or URL that does not work', () => {
  let graph: GraphSimulator;
  let notion: NotionSimulator;
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    graph = await startGraphSimulator({ tenant: generateTenant({ seed: 5, users: 10, groups: 2 }) });
    notion = await startNotionSimulator({});
    const created = await createTestStoreLocation();
    drop = created.drop;
    env = { ...simulatorConnectionEnv(graph, notion), LOG_LEVEL: 'silent', NODE_EXTRA_CA_CERTS: simulatorCaPath, ...storeEnv(created.location) };
  });
  afterAll(async () => {
    await Promise.all([graph.close(), notion.close()]);
    await drop();
  });

  it('plan --verify with a refused token: one line naming NOTION_SCIM_TOKEN, exit 2', async () => {
    const plan = await runCli(['plan', '--verify'], { ...env, NOTION_SCIM_TOKEN: 'not-the-token' });
    expectOneLine(plan, 2, /^Notion refused the SCIM token: GET .*\/Users\?.* failed with 401.*: check NOTION_SCIM_TOKEN/);
    expect(plan.stderr).not.toContain('not-the-token');
  });

  it('plan with a NOTION_SCIM_URL whose certificate names another host: one line naming the URL and NODE_EXTRA_CA_CERTS, exit 2', async () => {
    // The simulators' certificate (its CA trusted here) names 127.0.0.1, ::1 and localhost, not 127.0.0.2.
    const misnamed = createHttpsServer(readServerTls(), (_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => misnamed.listen(0, '127.0.0.2', resolve));
    try {
      const url = `https://127.0.0.2:${(misnamed.address() as { port: number }).port}/scim/v2`;
      const plan = await runCli(['plan'], { ...env, NOTION_SCIM_URL: url });
      expectOneLine(plan, 2, /^Notion unreachable: GET https:\/\/127\.0\.0\.2:\d+\/scim\/v2\/Users\?.*\(ERR_TLS_CERT_ALTNAME_INVALID\): the certificate was refused: check the host in NOTION_SCIM_URL; a proxy that re-signs TLS needs its CA in NODE_EXTRA_CA_CERTS\n$/);
    } finally {
      misnamed.close();
    }
  });
});

describe('a DATABASE_URL or DATA_DIR that leads nowhere usable', () => {
  let notPostgres: Server;
  let port: number;
  beforeAll(async () => {
    // Something that is not Postgres: it accepts the connection and closes it at once.
    notPostgres = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.end();
    });
    await new Promise<void>((resolve) => notPostgres.listen(0, '127.0.0.1', resolve));
    port = (notPostgres.address() as { port: number }).port;
  });
  afterAll(() => void notPostgres.close());

  it('status against a port that is not Postgres: the server closed the connection during start-up, exit 2', async () => {
    const status = await runCli(['status'], { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/test` });
    expectOneLine(status, 2, `DATABASE_URL (postgres at 127.0.0.1:${port}, database test): the server closed the connection during start-up: is that port Postgres? check the port and sslmode`);
  });

  it('migrate with DATA_DIR under a folder that takes no new folders fails at once, naming DATA_DIR, exit 2', async () => {
    const under = await runCliWithin(20_000, ['migrate'], { DATA_DIR: '/proc/x/data' });
    expectOneLine(under, 2, 'DATA_DIR /proc/x/data: cannot create /proc/x (ENOENT): its parent takes no new folders');
    // Node's recursive mkdir spun here at full CPU, forever.
    const beside = await runCliWithin(20_000, ['sync'], { DATA_DIR: '/proc/ro', ...simulatorlessCredentials });
    expectOneLine(beside, 2, 'DATA_DIR /proc/ro: cannot create /proc/ro (ENOENT)');
  });

  it('migrate with DATA_DIR under a file: not a folder, exit 2', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'ens-file-'));
    try {
      const file = join(folder, 'a-file');
      writeFileSync(file, '');
      const run = await runCliWithin(20_000, ['migrate'], { DATA_DIR: join(file, 'data') });
      expectOneLine(run, 2, `DATA_DIR ${join(file, 'data')}: not a folder (ENOTDIR)`);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

// Another host's Postgres, played by a listener on this machine's own network address (not loopback) that keeps the
// first packet of each connection: a StartupMessage carries the user and database in clear, an SSLRequest asks for TLS
// (answered "N", as a Postgres without TLS answers it).
describe('a DATABASE_URL to another host without TLS', () => {
  const address = Object.values(networkInterfaces()).flat().find((a) => a?.family === 'IPv4' && !a.internal)?.address;
  const firstPackets: Buffer[] = [];
  const sslRequest = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
  let listener: Server;
  let port: number;
  beforeAll(async () => {
    if (!address) throw new Error('this machine has no IPv4 address but loopback: the test needs one to stand for another host');
    listener = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', (packet) => {
        firstPackets.push(packet);
        if (packet.equals(sslRequest)) socket.end('N');
        else socket.destroy();
      });
    });
    await new Promise<void>((resolve) => listener.listen(0, address, resolve));
    port = (listener.address() as { port: number }).port;
  });
  beforeEach(() => void firstPackets.splice(0));
  afterAll(() => void listener.close());

  const remedy = 'add sslmode=verify-full to the URL';

  it('is refused before anything is sent: one problem naming DATABASE_URL without its password, exit 2', async () => {
    const run = await runCli(['migrate'], { DATABASE_URL: `postgres://sync:pw-771@${address}:${port}/sync` });
    expect(run.stderr).toBe(`Configuration problems:\n  - DATABASE_URL (postgres at ${address}:${port}, database sync): no TLS to a server that is not this machine (the directory and the SCIM links would cross the network in clear): ${remedy}\n`);
    expect(run.code).toBe(2);
    expect(firstPackets).toEqual([]);
  });

  it('is refused with sslmode=prefer, which falls back to clear text, and sslmode=disable', async () => {
    for (const mode of ['prefer', 'disable']) {
      const run = await runCli(['migrate'], { DATABASE_URL: `postgres://sync:pw-771@${address}:${port}/sync?sslmode=${mode}` });
      expect(run.stderr).toContain(`DATABASE_URL (postgres at ${address}:${port}, database sync): sslmode=${mode}`);
      expect(run.code).toBe(2);
    }
    expect(firstPackets).toEqual([]);
  });

  it('with sslmode=verify-full asks for TLS before anything else, and a server without it is told to enable it', async () => {
    const run = await runCli(['migrate'], { DATABASE_URL: `postgres://sync:pw-771@${address}:${port}/sync?sslmode=verify-full` });
    expect(firstPackets).toEqual([sslRequest]);
    // Not "remove sslmode": the URL would then be refused.
    expectOneLine(run, 2, `DATABASE_URL (postgres at ${address}:${port}, database sync): The server does not support SSL connections: enable TLS on the server (one on another host needs it)`);
  });
});

/** Enough configuration for `sync` to reach the store (which fails first); nothing listens at these URLs. */
const simulatorlessCredentials = {
  ENTRA_TENANT_ID: '00000000-0000-0000-0000-000000000001', ENTRA_CLIENT_ID: '00000000-0000-0000-0000-000000000002', ENTRA_CLIENT_SECRET: 'secret',
  ENTRA_SERVICE_PRINCIPAL_ID: '00000000-0000-0000-0000-000000000003', NOTION_SCIM_TOKEN: 'token',
};

describe('commands that only read or decide, on a store that nothing has run against', () => {
  let location: { databaseUrl: string } | { dataDir: string };
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ location, drop } = await createTestStoreLocation({ migrated: false }));
  });
  afterAll(() => drop());

  // `console` serves until stopped: were it to take the store, the time limit ends it and the test fails.
  it.each([['status'], ['logs'], ['approve'], ['reset', 'all'], ['console', '--port', '0']])('%s refuses it with exit 2 and creates nothing', async (...args: string[]) => {
    const run = await runCliWithin(20_000, args, storeEnv(location));
    const where = 'dataDir' in location ? `DATA_DIR=${location.dataDir}` : 'DATABASE_URL (postgres at ';
    expectOneLine(run, 2, `no store at ${where}`);
    expect(run.stderr).toContain('nothing has run against it yet; check');
    expect(run.stdout).toBe('');
    if ('dataDir' in location) expect(existsSync(location.dataDir)).toBe(false);
    else {
      const schemas = await withClient(location.databaseUrl, (c) => c.query("select 1 from pg_namespace where nspname = 'drizzle'"));
      expect(schemas.rowCount).toBe(0);
    }
  });

  it('migrate creates it, and then status reads it', async () => {
    expect((await runCli(['migrate'], storeEnv(location))).code).toBe(0);
    const status = await runCli(['status'], storeEnv(location));
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('Last successful cycle: none yet');
  });
});

// A role without CREATE on the database: what an SRE gives the commands after an owner ran `migrate`.
describe.runIf(usingPostgres)('a role without CREATE on the database (Postgres only)', () => {
  const role = `ens_reader_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function databaseFor(migrated: boolean): Promise<{ ownerUrl: string; roleUrl: string }> {
    const { location, drop } = await createTestStoreLocation({ migrated });
    cleanups.push(drop);
    const ownerUrl = (location as { databaseUrl: string }).databaseUrl;
    const name = new URL(ownerUrl).pathname.slice(1);
    await withClient(ownerUrl, async (c) => {
      await c.query(`revoke create on database ${name} from public`);
      await c.query(`revoke create on schema public from public`);
      await c.query(`grant usage on schema public to ${role}`);
      await c.query(`grant select, insert, update, delete on all tables in schema public to ${role}`);
      if (migrated) await c.query(`grant usage on schema drizzle to ${role}; grant select on all tables in schema drizzle to ${role}`);
    });
    const roleUrl = new URL(ownerUrl);
    roleUrl.username = role;
    return { ownerUrl, roleUrl: roleUrl.toString() };
  }

  beforeAll(async () => {
    await withClient(adminUrl, (c) => c.query(`create role ${role} login`));
    cleanups.push(() => withClient(adminUrl, (c) => c.query(`drop owned by ${role}; drop role if exists ${role}`)).catch(() => undefined));
  });

  it('runs status on a store that is current: opening it sends no DDL', async () => {
    const { roleUrl } = await databaseFor(true);
    const status = await runCli(['status'], { DATABASE_URL: roleUrl });
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('Last successful cycle: none yet');
  });

  it('cannot migrate a new database: one line naming SQLSTATE 42501 and `migrate` as an owner, exit 2', async () => {
    const { roleUrl } = await databaseFor(false);
    const migrate = await runCli(['migrate'], { DATABASE_URL: roleUrl });
    expectOneLine(migrate, 2, /^DATABASE_URL \(postgres at .*\): permission denied .*\(SQLSTATE 42501\): run `migrate` once as a role that owns the database/);
  });
});
