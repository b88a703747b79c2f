// DATABASE_URL must ask for TLS unless the server is this machine; the URL is read as node-postgres reads it, which
// the last block checks against pg itself.
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, databaseConnectionOf, loadConfig } from '../../../src/config/index.js';

function problemsWith(env: Record<string, string>): string[] {
  try {
    loadConfig({ env, cwd: '/nonexistent' });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

const remote = 'postgres://sync:pw-771@db.example.com:5432/sync';

describe('DATABASE_URL to a server on another host', () => {
  it('is refused without TLS, naming the server but not the password, and what to add', () => {
    expect(problemsWith({ DATABASE_URL: remote })).toEqual([
      'DATABASE_URL (postgres at db.example.com:5432, database sync): no TLS to a server that is not this machine (the directory and the SCIM links would cross the network in clear): add sslmode=verify-full to the URL',
    ]);
  });

  it.each(['sslmode=verify-full', 'sslmode=verify-ca', 'sslmode=require', 'sslmode=no-verify', 'ssl=true', 'ssl=1', 'ssl=no-verify', 'sslrootcert=/etc/ssl/db-ca.pem'])('is accepted with %s', (query) => {
    expect(problemsWith({ DATABASE_URL: `${remote}?${query}` })).toEqual([]);
  });

  it.each([
    ['disable', 'turns TLS off'],
    ['allow', 'tries clear text first'],
    ['prefer', 'falls back to clear text'],
  ])('is refused with sslmode=%s, which %s', (mode, what) => {
    expect(problemsWith({ DATABASE_URL: `${remote}?sslmode=${mode}` })).toEqual([
      `DATABASE_URL (postgres at db.example.com:5432, database sync): sslmode=${mode} ${what}, and the server is not this machine: use sslmode=verify-full`,
    ]);
  });

  it.each(['ssl=0', 'ssl=', 'sslmode=verify-full&sslmode=disable'])('is refused with %s (the last value of a parameter counts)', (query) => {
    expect(problemsWith({ DATABASE_URL: `${remote}?${query}` })).toHaveLength(1);
  });

  it('names the host a host= parameter points at, which node-postgres connects to instead of the URL\'s', () => {
    expect(problemsWith({ DATABASE_URL: 'postgres://sync@localhost/sync?host=db.example.com' })).toEqual([
      expect.stringMatching(/^DATABASE_URL \(postgres at db\.example\.com:5432, database sync\): no TLS/),
    ]);
  });

  it('reads PGSSLMODE and PGHOST when the URL leaves them out, as node-postgres does', () => {
    expect(problemsWith({ DATABASE_URL: remote, PGSSLMODE: 'verify-full' })).toEqual([]);
    expect(problemsWith({ DATABASE_URL: remote, PGSSLMODE: 'prefer' })).toEqual([expect.stringContaining('sslmode=prefer falls back to clear text')]);
    expect(problemsWith({ DATABASE_URL: 'postgres://sync@/sync', PGHOST: 'db.example.com' })).toEqual([expect.stringContaining('postgres at db.example.com:5432')]);
  });

  it('is accepted in clear text with DATABASE_ALLOW_INSECURE_PLAINTEXT=true (TLS done elsewhere: a service mesh)', () => {
    expect(problemsWith({ DATABASE_URL: remote, DATABASE_ALLOW_INSECURE_PLAINTEXT: 'true' })).toEqual([]);
    expect(problemsWith({ DATABASE_URL: `${remote}?sslmode=prefer`, DATABASE_ALLOW_INSECURE_PLAINTEXT: 'true' })).toEqual([]);
    expect(loadConfig({ env: { DATABASE_URL: remote, DATABASE_ALLOW_INSECURE_PLAINTEXT: 'true' }, cwd: '/nonexistent' }).database.allowInsecurePlaintext).toBe(true);
  });
});

describe('DATABASE_URL to this machine', () => {
  it.each([
    'postgres://postgres@127.0.0.1:5432/test',
    'postgres://postgres@127.10.0.1/test',
    'postgres://postgres@localhost/test',
    'postgres://postgres@LOCALHOST/test',
    'postgres://postgres@[::1]:5432/test',
    'postgres://postgres@/test',
    'postgresql://postgres@127.0.0.1/test?sslmode=disable',
  ])('is accepted without TLS: %s', (url) => {
    expect(problemsWith({ DATABASE_URL: url })).toEqual([]);
  });

  it.each([
    'postgres://postgres@db.example.com/test?host=/var/run/postgresql',
    'postgres://postgres@%2Fvar%2Frun%2Fpostgresql/test',
    'postgres://postgres@/test?host=/tmp',
  ])('is accepted without TLS through a Unix socket: %s', (url) => {
    expect(problemsWith({ DATABASE_URL: url })).toEqual([]);
  });

  it('leaves a URL that is not one to the store, which says so when it opens', () => {
    expect(problemsWith({ DATABASE_URL: 'postgres://user:s3cret-pw@host:notaport/db' })).toEqual([]);
  });
});

// The same URLs through pg's own Client (constructed, never connected): the host it would connect to, and whether it
// would start with TLS, must be what the check read.
describe('how the check reads a URL, against node-postgres', () => {
  const saved = { PGHOST: process.env.PGHOST, PGSSLMODE: process.env.PGSSLMODE };
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it.each([
    [remote, {}],
    [`${remote}?sslmode=verify-full`, {}],
    [`${remote}?sslmode=require`, {}],
    [`${remote}?sslmode=prefer`, {}],
    [`${remote}?sslmode=allow`, {}],
    [`${remote}?sslmode=disable`, {}],
    [`${remote}?sslmode=no-verify`, {}],
    [`${remote}?ssl=true`, {}],
    [`${remote}?ssl=1`, {}],
    [`${remote}?ssl=0`, {}],
    [`${remote}?ssl=`, {}],
    [`${remote}?ssl=false`, {}],
    [`${remote}?ssl=no-verify`, {}],
    [`${remote}?ssl=0&sslmode=require`, {}],
    [`${remote}?sslmode=verify-full&sslmode=disable`, {}],
    [`${remote}?sslnegotiation=direct`, {}],
    [remote, { PGSSLMODE: 'require' }],
    [remote, { PGSSLMODE: 'disable' }],
    [`${remote}?sslmode=disable`, { PGSSLMODE: 'require' }],
    ['postgres://sync@localhost/sync?host=db.example.com', {}],
    ['postgres://sync@db.example.com/sync?host=/var/run/postgresql', {}],
    ['postgres://sync@%2Fvar%2Frun%2Fpostgresql/sync', {}],
    ['postgres://sync@[::1]:5433/sync', {}],
    ['postgres://sync@/sync', {}],
    ['postgres://sync@/sync', { PGHOST: 'db.example.com' }],
    ['postgres://sync:p%ss w@db.example.com/sync', {}],
  ] as Array<[string, Record<string, string>]>)('%s %o', (url, env) => {
    for (const name of Object.keys(saved)) delete process.env[name];
    Object.assign(process.env, env);
    const client = new pg.Client({ connectionString: url });
    expect(databaseConnectionOf(url, env)).toMatchObject({ host: client.host, tls: Boolean(client.ssl) });
  });
});
