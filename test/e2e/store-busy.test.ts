// The embedded store has one owner process at a time, across PID namespaces: a heartbeat lock, never taken from a
// live owner (even one whose pid equals ours, as pid 1 in two containers), taken over when its heartbeat stopped or
// its owner died on this host, and deleted only by its owner.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { pgliteTemplateDir } from '../helpers/pglite-template.js';

const lockName = 'entra-notion-sync.lock';
const mainUrl = pathToFileURL(resolve('dist/cli/main.js')).href;
const ourBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
const ourPidNamespace = readlinkSync('/proc/self/ns/pid');

/**
 * Runs the CLI after writing a lock file that names the CLI's own pid (as a container's pid 1 would see another
 * container's pid 1): the lock is written by the child itself, just before the CLI starts.
 */
async function cliWithLockOfSamePid(dataDir: string, owner: Record<string, unknown>, args: string[]) {
  const script = `require('node:fs').writeFileSync(process.env.LOCK_PATH, JSON.stringify({ ...JSON.parse(process.env.LOCK_OWNER), pid: process.pid })); import(process.env.MAIN_URL);`;
  const child = spawn(process.execPath, ['-e', script, 'cli', ...args], {
    env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, LOCK_PATH: join(dataDir, lockName), LOCK_OWNER: JSON.stringify(owner), MAIN_URL: mainUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [status] = (await once(child, 'close')) as [number | null];
  return { status, stdout, stderr, pid: child.pid! };
}

describe('the embedded store', () => {
  const root = mkdtempSync(join(tmpdir(), 'ens-busy-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let folders = 0;
  const freshDataDir = () => {
    const dataDir = join(root, `data-${folders++}`);
    cpSync(pgliteTemplateDir(), dataDir, { recursive: true });
    return dataDir;
  };
  const cli = (dataDir: string, ...args: string[]) => spawnSync(process.execPath, ['dist/cli/main.js', ...args], { env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir }, encoding: 'utf8' });

  it('tells a second process clearly that another process owns the data directory', async () => {
    const dataDir = freshDataDir();
    const owner = await openStore({ dataDir });
    try {
      const second = cli(dataDir, 'migrate');
      expect(second.status).toBe(3);
      expect(second.stderr).toMatch(new RegExp(`the embedded store in .* is in use by another entra-notion-sync process \\(pid ${process.pid}, running`));
      expect(second.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await owner.close();
    }
    expect(existsSync(join(dataDir, lockName))).toBe(false);
    const after = cli(dataDir, 'migrate');
    expect(after.stdout).toContain('migrations applied');
    expect(after.status).toBe(0);
  });

  it('refuses a live lock whose pid equals its own but from another PID namespace, and leaves that lock alone', async () => {
    const dataDir = freshDataDir();
    const other = { ownerId: 'other-container-worker', host: 'worker-7f9c', bootId: ourBootId, pidNamespace: 'pid:[4026532999]', command: 'worker', startedAt: new Date().toISOString() };
    const result = await cliWithLockOfSamePid(dataDir, other, ['status']);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(`is in use by the worker (pid ${result.pid} on host worker-7f9c); read-only commands cannot open it beside the worker`);
    expect(result.stderr).toContain('set DATABASE_URL to use Postgres');
    // Still the other owner's lock: never deleted by a process that does not own it.
    expect(JSON.parse(readFileSync(join(dataDir, lockName), 'utf8'))).toMatchObject({ ownerId: 'other-container-worker' });
  });

  it('takes over a lock whose heartbeat stopped, and removes only its own lock on exit', async () => {
    const dataDir = freshDataDir();
    const path = join(dataDir, lockName);
    writeFileSync(path, JSON.stringify({ ownerId: 'crashed-elsewhere', pid: 1, host: 'gone', bootId: 'another-boot', pidNamespace: 'pid:[4026532999]', command: 'worker', startedAt: '2026-01-01T00:00:00Z' }));
    const fresh = cli(dataDir, 'migrate');
    expect(fresh.status).toBe(3);
    const aMinuteAgo = new Date(Date.now() - 60_000);
    utimesSync(path, aMinuteAgo, aMinuteAgo);
    const stale = cli(dataDir, 'migrate');
    expect(stale.stderr).toBe('');
    expect(stale.status).toBe(0);
    expect(existsSync(path)).toBe(false);
  });

  it('takes over at once the lock of a process that died on this host (same PID namespace)', () => {
    const dataDir = freshDataDir();
    const dead = spawnSync(process.execPath, ['-e', '0']);
    writeFileSync(join(dataDir, lockName), JSON.stringify({ ownerId: 'killed', pid: dead.pid, host: 'here', bootId: ourBootId, pidNamespace: ourPidNamespace, command: 'sync', startedAt: new Date().toISOString() }));
    const result = cli(dataDir, 'migrate');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
