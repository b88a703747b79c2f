// A private Postgres cluster for the chaos suite, in a temporary directory on a free port, so a scenario may restart
// it without touching the shared server on 5432 that other test runs use. Needs root (runuser -u postgres) and a
// PostgreSQL server installation under /usr/lib/postgresql.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/free-port.js';

export interface PrivatePostgres {
  /** Admin URL (trust auth) of the private cluster's `postgres` database. */
  url: string;
  /** pg_ctl restart -m fast: every connection is terminated (57P01), the server is back when it returns. */
  restart(): void;
  stop(): void;
}

function serverBinaries(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) throw new Error('the Postgres-restart scenario needs a PostgreSQL server installation under /usr/lib/postgresql (initdb, pg_ctl)');
  return join(root, versions[0] as string, 'bin');
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = serverBinaries();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'ens-chaos-pg-'));
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  chownSync(dir, uid, gid);
  const dataDir = join(dir, 'data');
  const asPostgres = (command: string, args: string[]) => execFileSync('runuser', ['-u', 'postgres', '--', join(bin, command), ...args], { stdio: 'pipe' });
  asPostgres('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const ctl = (action: string, extra: string[] = []) => asPostgres('pg_ctl', [action, '-D', dataDir, '-w', '-l', join(dir, 'log'), '-o', serverOptions, ...extra]);
  ctl('start');
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: () => void ctl('restart', ['-m', 'fast']),
    stop: () => {
      try {
        ctl('stop', ['-m', 'immediate']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
