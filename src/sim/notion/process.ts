// Runs the simulator as its own process (`entra-notion-sync sim notion`): one JSON line on stdout, stop on SIGTERM or SIGINT.
import type { NotionSimulatorOptions } from './options.js';
import { startNotionSimulator, type NotionSimulator } from './server.js';

export interface SimulatorProcessIo {
  /** Where the start-up line goes; default stdout. */
  write?: (line: string) => void;
  /** Where stop signals come from; default the current process. */
  signals?: Pick<NodeJS.EventEmitter, 'once' | 'off'>;
}

/** Starts the simulator, prints `{"simulator":"notion","url":…,"token":…,"controlUrl":…}` and closes it on the first stop signal. */
export async function runNotionSimulatorProcess(options: NotionSimulatorOptions = {}, io: SimulatorProcessIo = {}): Promise<NotionSimulator> {
  const simulator = await startNotionSimulator(options);
  const write = io.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const signals = io.signals ?? process;
  write(JSON.stringify({ simulator: 'notion', url: simulator.url, token: simulator.token, controlUrl: simulator.controlUrl }));
  const stop = () => {
    signals.off('SIGTERM', stop);
    signals.off('SIGINT', stop);
    void simulator.close();
  };
  signals.once('SIGTERM', stop);
  signals.once('SIGINT', stop);
  return simulator;
}
