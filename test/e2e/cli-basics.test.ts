import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli-process.js';
import { freePort } from '../helpers/free-port.js';
import { pgliteTemplateDir } from '../helpers/pglite-template.js';

function cli(args: string[], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(ENTRA_|NOTION_|GRAPH_|DATABASE_URL|SYNC_)/.test(k)));
  return spawnSync(process.execPath, ['dist/cli/main.js', ...args], { env: { ...clean, ...env }, encoding: 'utf8' });
}

describe('the command line', () => {
  it('lists every command in --help', () => {
    const result = cli(['--help']);
    expect(result.status).toBe(0);
    for (const command of ['sync', 'plan', 'worker', 'provision', 'status', 'logs', 'approve', 'reset', 'check', 'config', 'migrate', 'demo', 'sim', 'console']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
  });

  it('prints a bad URL and a missing token by field name and exits 2, without a stack trace', () => {
    const result = cli(['sync'], {
      ENTRA_TENANT_ID: '11111111-2222-3333-4444-555555555555',
      ENTRA_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
      ENTRA_CLIENT_SECRET: 'x-secret',
      ENTRA_SERVICE_PRINCIPAL_ID: '11111111-2222-3333-4444-555555555555',
      NOTION_SCIM_URL: 'ftp://notion.example.com/scim',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('NOTION_SCIM_URL (notion.scimUrl): expected an https URL');
    expect(result.stderr).toContain('NOTION_SCIM_TOKEN (notion.token): required');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 on a usage mistake: unknown command or option, a value outside the choices, a bad number', () => {
    for (const args of [['bogus'], ['sync', '--bogus'], ['logs', '--action', 'bogus'], ['logs', '--limit', 'many'], ['status', '--cycles', '0'], ['sim', 'notion', '--port', '70000']]) {
      const result = cli(args);
      expect({ args, status: result.status }).toEqual({ args, status: 2 });
      expect(result.stderr).toMatch(/^error: /);
    }
    expect(cli(['logs', '--action', 'bogus']).stderr).toContain("argument 'bogus' is invalid. Allowed choices are create, update");
    expect(cli(['logs', '--limit', 'many']).stderr).toContain("argument 'many' is invalid. expected a whole number from 1 to 100000");
  });
});

describe('a store that cannot be reached', () => {
  it('names DATABASE_URL and the problem in one line and exits 2: refused port, bad URL', async () => {
    const port = await freePort();
    const refused = cli(['status'], { DATABASE_URL: `postgres://postgres:s3cret-pw@127.0.0.1:${port}/ens` });
    expect(refused.stderr).toBe(`DATABASE_URL (postgres at 127.0.0.1:${port}, database ens): connection refused: is Postgres running and listening on that host and port?\n`);
    expect(refused.status).toBe(2);
    const badUrl = cli(['migrate'], { DATABASE_URL: 'postgres://user:s3cret-pw@host:notaport/db' });
    expect(badUrl.stderr).toBe('DATABASE_URL: not a valid URL: expected postgres://USER@HOST:5432/DATABASE (a password goes after the user name and a colon)\n');
    expect(badUrl.status).toBe(2);
  });

  it.runIf(Boolean(process.env.TEST_DATABASE_URL))('names an unknown database and an unknown user (Postgres)', () => {
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = '/ens_no_such_database';
    const unknownDatabase = cli(['status'], { DATABASE_URL: url.toString() });
    expect(unknownDatabase.stderr).toMatch(/^DATABASE_URL \(postgres at .*, database ens_no_such_database\): database "ens_no_such_database" does not exist: create that database or fix its name in the URL\n$/);
    expect(unknownDatabase.status).toBe(2);
    const user = new URL(process.env.TEST_DATABASE_URL!);
    user.username = 'ens_no_such_user';
    const unknownUser = cli(['status'], { DATABASE_URL: user.toString() });
    expect(unknownUser.stderr).toMatch(/^DATABASE_URL \(.*\): .*"ens_no_such_user".*: fix the user name/);
    expect(unknownUser.status).toBe(2);
  });
});

describe('a port or file the process needs', () => {
  const root = mkdtempSync(join(tmpdir(), 'ens-basics-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('sim: a busy port and a missing TLS file are one line each and exit 2', async () => {
    const busy = createServer();
    await new Promise<void>((done) => busy.listen(0, '127.0.0.1', done));
    const port = (busy.address() as { port: number }).port;
    try {
      for (const simulator of ['notion', 'graph']) {
        const result = await runCli(['sim', simulator, '--port', String(port)], { PATH: process.env.PATH ?? '' });
        expect(result.stderr).toBe(`--port ${port}: the port is already in use on 127.0.0.1; pick another or use --port 0 for any free port\n`);
        expect(result.code).toBe(2);
      }
    } finally {
      busy.close();
    }
    // An installation without the simulator's TLS files (as the runtime image): the built CLI and its modules only.
    const install = join(root, 'install');
    mkdirSync(install);
    cpSync(resolve('dist'), join(install, 'dist'), { recursive: true });
    cpSync(resolve('package.json'), join(install, 'package.json'));
    symlinkSync(resolve('node_modules'), join(install, 'node_modules'));
    const missing = spawnSync(process.execPath, [join(install, 'dist/cli/main.js'), 'sim', 'graph'], { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
    expect(missing.stderr).toMatch(/^Configuration problems:\n {2}- \S+server\.pem: the simulator's TLS file is not installed here .*run demo and sim graph from a source checkout\n/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    expect(missing.status).toBe(2);
  });

  it('worker: a busy HTTP_PORT is one line and exit 2', async () => {
    const busy = createServer();
    await new Promise<void>((done) => busy.listen(0, done));
    const port = (busy.address() as { port: number }).port;
    const dataDir = join(root, 'data');
    cpSync(pgliteTemplateDir(), dataDir, { recursive: true });
    try {
      const result = cli(['worker'], {
        ENTRA_TENANT_ID: '11111111-2222-3333-4444-555555555555',
        ENTRA_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
        ENTRA_CLIENT_SECRET: 'x-secret',
        ENTRA_SERVICE_PRINCIPAL_ID: '11111111-2222-3333-4444-555555555555',
        NOTION_SCIM_TOKEN: 'x-token',
        PROTECTED_USERS: 'owner@example.com',
        DATA_DIR: dataDir,
        HTTP_PORT: String(port),
        LOG_LEVEL: 'warn',
      });
      expect(result.stderr).toBe(`HTTP_PORT ${port}: the port is already in use by another process; pick a free port or stop that process\n`);
      expect(result.status).toBe(2);
    } finally {
      busy.close();
    }
  });
});
