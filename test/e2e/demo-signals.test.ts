// `demo` and `console --demo` re-execute themselves to trust the simulator's CA. A supervisor, `timeout` or a
// container runtime signals only the pid it started: a stop signal to that pid (SIGTERM, or SIGHUP when the terminal
// goes) must stop the re-executed child too, and the child must remove its temporary folder as it goes.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../helpers/cli-process.js';
import { freePort } from '../helpers/free-port.js';

/** The pids whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        // stat: "pid (comm) state ppid …"; comm may hold spaces, so read after its closing parenthesis.
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

const alive = (pid: number): boolean => existsSync(`/proc/${pid}`) && !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

/** Resolves once `child`'s stdout has shown `pattern`, with the match. */
function printed(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  let seen = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) resolve(match);
    });
    child.once('exit', () => reject(new Error(`exited before printing ${String(pattern)}:\n${seen}`)));
  });
}

/** The run's outcome, or a failure when it has not exited within `ms` of the signal. */
function exitedWithin(run: Promise<CliRun>, ms: number, signal: NodeJS.Signals): Promise<CliRun> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`still running ${ms} ms after ${signal}`)), ms)));
  return Promise.race([run, late]).finally(() => clearTimeout(timer));
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
}

describe('stopping the demos with a stop signal to the pid that was started', () => {
  const reExecuted: number[] = [];
  const temporaryFolders: string[] = [];
  // A child left behind by a failing run must not outlive the test, nor its folder.
  afterEach(() => {
    for (const pid of reExecuted.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
    for (const folder of temporaryFolders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  /** `signal` to the started pid, which has re-executed itself once: its outcome, and the child it had. */
  async function stop(parent: ChildProcess, run: Promise<CliRun>, signal: NodeJS.Signals): Promise<{ result: CliRun; children: number[] }> {
    const children = childrenOf(parent.pid!);
    expect(children).toHaveLength(1);
    reExecuted.push(...children);
    parent.kill(signal);
    const result = await exitedWithin(run, 20_000, signal);
    expect(result.stderr).toBe('');
    return { result, children };
  }

  it.each<NodeJS.Signals>(['SIGTERM', 'SIGHUP'])('console --demo, %s: the console stops answering, no child remains, its folder is removed, exit 0', async (signal) => {
    // The demo's folder goes under TMPDIR: one of the test's own, to see it come and go.
    const ownTmp = mkdtempSync(join(tmpdir(), 'ens-demo-signals-'));
    temporaryFolders.push(ownTmp);
    const port = await freePort();
    let started!: Promise<RegExpMatchArray>;
    let parent!: ChildProcess;
    const run: Promise<CliRun> = runCli(['console', '--demo', '--port', String(port)], { NODE_EXTRA_CA_CERTS: '', TMPDIR: ownTmp }, (child) => {
      parent = child;
      started = printed(child, /Console: http:\/\/127\.0\.0\.1:\d+/);
    });
    await started;
    expect(await answers(`http://127.0.0.1:${port}/healthz`)).toBe(true);
    expect(readdirSync(ownTmp)).toEqual([expect.stringMatching(/^entra-notion-sync-console-demo-/)]);
    const { result, children } = await stop(parent, run, signal);
    expect(result.code).toBe(0);
    expect(children.filter(alive)).toEqual([]);
    expect(await answers(`http://127.0.0.1:${port}/healthz`)).toBe(false);
    expect(readdirSync(ownTmp)).toEqual([]);
  });

  it.each<NodeJS.Signals>(['SIGTERM', 'SIGHUP'])('demo, mid-run, %s: no child remains, its temporary store is removed, exit 7 (interrupted)', async (signal) => {
    let storeShown!: Promise<RegExpMatchArray>;
    let parent!: ChildProcess;
    const run = runCli(['demo', '--users', '5000', '--groups', '20'], { NODE_EXTRA_CA_CERTS: '' }, (child) => {
      parent = child;
      storeShown = printed(child, /Store: (\S+)\n/);
    });
    const [, storeDir] = await storeShown;
    expect(existsSync(storeDir!)).toBe(true);
    const { result, children } = await stop(parent, run, signal);
    expect(result.code).toBe(7);
    expect(result.stdout).toContain('Interrupted: no verdict.');
    expect(result.stdout).not.toContain('Verdict:');
    expect(children.filter(alive)).toEqual([]);
    expect(existsSync(storeDir!)).toBe(false);
  });
});
