// The stop signals of a long-running command (`sync`, `worker`, `console`, the demos) as a request to stop cleanly:
// the handler is told which signal and how many so far, so that a second one can leave at once.

/**
 * SIGTERM (a supervisor, a container runtime, `timeout`), SIGINT (Ctrl-C) and SIGHUP (the terminal or SSH session went
 * away). Unheard, SIGHUP would end the process on the spot: no cycle recorded `interrupted`, no folder removed.
 */
export const stopSignals: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

export function onStopSignal(handler: (signal: NodeJS.Signals, count: number) => void): { dispose(): void } {
  let count = 0;
  const listener = (signal: NodeJS.Signals) => handler(signal, ++count);
  for (const signal of stopSignals) process.on(signal, listener);
  return {
    dispose() {
      for (const signal of stopSignals) process.off(signal, listener);
    },
  };
}
