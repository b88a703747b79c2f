// Runs this command once more in a child process with extra environment (Node reads some settings, such as
// NODE_EXTRA_CA_CERTS, only at start). Supervisors, `timeout` and container runtimes signal only the pid they
// started: each stop signal is passed on to the child, and this process leaves with the child's outcome.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { constants } from 'node:os';
import { exitCodes } from './run-command.js';
import { stopSignals } from './stop-signal.js';

/**
 * The exit code for a child that a signal ended: a stop signal (SIGTERM, SIGINT, SIGHUP) is "interrupted" (the
 * README's exit-code table), any other the shell's convention, 128 + the signal's number.
 */
export function exitCodeOfSignal(signal: NodeJS.Signals): number {
  if (stopSignals.includes(signal)) return exitCodes.interrupted;
  return 128 + constants.signals[signal];
}

/** Runs `process.argv` again with `env` added; resolves with the child's exit code once it has exited. */
export async function reExecuteWith(env: Record<string, string>): Promise<number> {
  const child = spawn(process.execPath, process.argv.slice(1), { stdio: 'inherit', env: { ...process.env, ...env } });
  // Listening also keeps this process alive until the child has gone: it must not leave the child behind.
  const forward = (signal: NodeJS.Signals) => void child.kill(signal);
  for (const signal of stopSignals) process.on(signal, forward);
  try {
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    return code ?? (signal ? exitCodeOfSignal(signal) : exitCodes.failure);
  } finally {
    for (const signal of stopSignals) process.off(signal, forward);
  }
}
