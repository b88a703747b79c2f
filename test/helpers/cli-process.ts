// Test helper: the built CLI (`dist/cli/main.js`) as a child process with a clean environment, its output, exit code
// and signal (spawn, not spawnSync: simulators in the test process must keep answering while it runs).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/** The caller's environment without any setting of this project, so that only what a test passes applies. */
export const cleanEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^(ENTRA_|NOTION_|GRAPH_|DATABASE_URL|DATA_DIR|SYNC_|DELETION_|PROTECTED_|CONSOLE_|LOG_|METRICS_|HTTPS?_PROXY|NO_PROXY|WEBHOOK_|CHAOS_|GUEST_USERS|TEST_DATABASE_URL)/i.test(k)),
);

export interface CliRun {
  /** The exit code; null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; `onSpawn` sees the child (to signal it mid-run). Resolves when it has exited. */
export async function runCli(args: string[], env: Record<string, string>, onSpawn?: (child: ChildProcess) => void): Promise<CliRun> {
  const child = spawn(process.execPath, ['dist/cli/main.js', ...args], { env: { ...cleanEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  onSpawn?.(child);
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  return { code, signal, stdout, stderr };
}
