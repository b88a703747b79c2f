// Test helper: the built CLI as a child process (not spawnSync: simulators in the test process must keep answering).
import { spawn } from 'node:child_process';
import { once } from 'node:events';

/** The built CLI as a child process; resolves when it exits. */
export async function runCli(args: string[], env: Record<string, string>, onSpawn?: (child: ReturnType<typeof spawn>) => void) {
  const child = spawn(process.execPath, ['dist/cli/main.js', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  onSpawn?.(child);
  const [status, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  return { status, signal, stdout, stderr };
}
