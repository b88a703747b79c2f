// `worker`: runs cycles on the schedule until SIGTERM/SIGINT, then stops within the grace period and exits 0.
import type { Command } from 'commander';
import { runCycle } from '../../engine/index.js';
import { createProgress } from '../../observe/index.js';
import { startWorker } from '../../worker/index.js';
import { CommandError, createCommandLogger, exitCodes, loadCommandConfig, openConfiguredStore, runCommand, warnWhenNothingIsProtected, type GlobalOptions } from '../run-command.js';
import { onStopSignal } from '../stop-signal.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run a cycle at start and then on SYNC_SCHEDULE (default every 40 minutes) until SIGTERM')
    .action(() =>
      runCommand(async () => {
        const config = loadCommandConfig(program.opts<GlobalOptions>(), ['entra', 'notion']);
        const logger = createCommandLogger(config);
        warnWhenNothingIsProtected(config, logger);
        const store = await openConfiguredStore(config);
        // MERGE (issue 12, h2): call `await liftQuarantineOnNewConfiguration(store, config, logger)` here, before the
        // first cycle, so that a changed credential or configuration lifts the quarantine it caused.
        const progress = createProgress({ logger, stream: process.stderr });
        const stopRequested = nextStopSignal();
        let worker;
        try {
          worker = await startWorker({ config, store, logger, runCycle: (signal) => runCycle({ config, store, logger, progress, signal }) });
        } catch (error) {
          await store.close();
          if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new CommandError(`HTTP_PORT ${config.worker.httpPort}: the port is already in use by another process; pick a free port or stop that process`, exitCodes.config);
          throw error;
        }
        const signal = await stopRequested;
        logger.info({ event: 'worker.signal', signal });
        const finished = await worker.stop();
        if (!finished) {
          // The cycle still holds the store; the next start marks it interrupted and converges.
          process.exit(exitCodes.ok);
        }
        await store.close().catch(() => undefined);
        return exitCodes.ok;
      }),
    );
}

function nextStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stopping = onStopSignal((signal) => {
      stopping.dispose();
      resolve(signal);
    });
  });
}
