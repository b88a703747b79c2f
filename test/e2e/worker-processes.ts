// Test helper: `entra-notion-sync worker` as a child process (the built CLI), its JSON log lines, and its exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { openStore, type CycleRow, listRecentCycles } from '../../src/store/index.js';
import type { EngineSession } from '../helpers/engine-session.js';
import { storeEnv, type TestStore } from '../helpers/store.js';

export type LogLine = Record<string, unknown> & { event?: string };

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly lines: LogLine[];
  stderr(): string;
  /** Resolves with the first log line (already seen or to come) that matches. */
  waitForLine(matches: (line: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
}

/** A worker's environment against a session's simulators and a test store: JSON info logs, 20 s to stop; then `settings`. */
export function workerEnv(session: EngineSession, location: TestStore['location'], settings: Record<string, string>): Record<string, string> {
  return {
    ...session.env,
    ...storeEnv(location),
    NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '',
    SHUTDOWN_GRACE_SECONDS: '20',
    LOG_LEVEL: 'info',
    ...settings,
  };
}

export function spawnWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['dist/cli/main.js', 'worker'], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: LogLine[] = [];
  const waiters: Array<{ matches: (line: LogLine) => boolean; resolve: (line: LogLine) => void }> = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      return;
    }
    lines.push(line);
    for (const waiter of waiters.filter((w) => w.matches(line))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    waitForLine(matches, what, timeoutMs = 45_000) {
      const seen = lines.find(matches);
      if (seen) return Promise.resolve(seen);
      return new Promise<LogLine>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the worker did not log ${what} in ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
        const waiter = {
          matches,
          resolve: (line: LogLine) => {
            clearTimeout(timer);
            resolve(line);
          },
        };
        waiters.push(waiter);
        void exited.then(() => {
          if (!waiters.includes(waiter)) return;
          clearTimeout(timer);
          reject(new Error(`the worker exited before logging ${what}; stderr: ${stderr}`));
        });
      });
    },
  };
}

export const finishedCycle = (status?: string) => (line: LogLine) => line.event === 'cycle.finished' && (status === undefined || line.status === status);


/** The cycles table as another process sees it (open only while no worker owns an embedded store). */
export async function readCycles(location: { databaseUrl: string } | { dataDir: string }, target: string): Promise<CycleRow[]> {
  const store = await openStore(location);
  try {
    return await listRecentCycles(store.db, target, 1000);
  } finally {
    await store.close();
  }
}
