// SIGTERM and SIGINT as a stop request for a long-running command (`sync`, `worker`): the handler is told which
// signal and how many so far, so that a second one can leave at once.

export function onStopSignal(handler: (signal: NodeJS.Signals, count: number) => void): { dispose(): void } {
  let count = 0;
  const listener = (signal: NodeJS.Signals) => handler(signal, ++count);
  process.on('SIGTERM', listener);
  process.on('SIGINT', listener);
  return {
    dispose() {
      process.off('SIGTERM', listener);
      process.off('SIGINT', listener);
    },
  };
}
