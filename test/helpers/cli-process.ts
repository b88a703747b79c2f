// Test helper: the built CLI (`dist/cli/main.js`) as a child process with a clean environment, its output and exit code.
import { spawn } from 'node:child_process';

/** The caller's environment without any setting of this project, so that only what a test passes applies. */
export const cleanEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^(ENTRA_|NOTION_|GRAPH_|DATABASE_URL|DATA_DIR|SYNC_|LOG_|METRICS_|HTTPS?_PROXY|NO_PROXY|WEBHOOK_)/i.test(k)),
);

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/cli/main.js', ...args], { env: { ...cleanEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
