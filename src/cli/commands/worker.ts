// `worker`: runs cycles on the schedule until SIGTERM/SIGINT/SIGHUP, then stops within the grace period and exits 0.
import type { Command } from 'commander';
import { ConsoleSetupError, createConsoleRequestListener, createPhaseRecorder } from '../../console/index.js';
import { liftQuarantineOnNewConfiguration, runCycle } from '../../engine/index.js';
import { createEntraSource } from '../../entra/index.js';
import { compileMapping } from '../../mapping/index.js';
import { createNotificationService, notificationSettingsProblem } from '../../notify/index.js';
import { createProgress, teeProgress } from '../../observe/index.js';
import { startWorker } from '../../worker/index.js';
import { CommandError, createCommandLogger, exitCodes, loadCommandConfig, openConfiguredStore, runCommand, warnWhenNothingIsProtected, type GlobalOptions } from '../run-command.js';
import { onStopSignal } from '../stop-signal.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      'run a cycle at start, then on SYNC_SCHEDULE (default every 40 minutes), when a watch poll sees a change in Entra (WATCH_INTERVAL_SECONDS, default 30) '
        + 'or Graph notifies one (NOTIFICATION_URL), and a verify cycle on VERIFY_SCHEDULE (default daily at 02:30), until SIGTERM',
    )
    .action(() =>
      runCommand(async () => {
        const config = loadCommandConfig(program.opts<GlobalOptions>(), ['entra', 'notion']);
        const logger = createCommandLogger(config);
        warnWhenNothingIsProtected(config, logger);
        if (config.console.enabled && !config.worker.httpPort) {
          throw new CommandError('CONSOLE_ENABLED: the worker serves the console on its HTTP port; set HTTP_PORT too, or run `entra-notion-sync console`', exitCodes.config);
        }
        const notificationProblem = notificationSettingsProblem(config);
        if (notificationProblem) throw new CommandError(notificationProblem, exitCodes.config);
        const store = await openConfiguredStore(config);
        // A changed credential or configuration lifts the quarantine it caused before the first tick would defer.
        await liftQuarantineOnNewConfiguration(store, config, logger);
        const phases = createPhaseRecorder();
        const progress = teeProgress(createProgress({ logger, stream: process.stderr }), phases.progress);
        const stopRequested = nextStopSignal();
        let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
        try {
          // The console listens on every interface with the HTTP port: createConsoleRequestListener requires a password then.
          const httpFallback = config.console.enabled
            ? createConsoleRequestListener({ config, store, logger, host: undefined, requestCycle: () => worker?.requestCycle('console', { immediate: true }), phaseInFlight: phases.snapshot })
            : undefined;
          // Graph change notifications when NOTIFICATION_URL is set (src/notify): hints that ask for a cycle.
          const notifications = createNotificationService({ config, store, logger });
          // Watch mode keeps one Graph reader for the worker's life: its token is reused until it expires.
          const watchSource = config.worker.watchIntervalSeconds > 0 ? createEntraSource({ config: config.entra, logger }) : undefined;
          const pollOptions = { scope: config.entra.scope, readsAppRoles: compileMapping(config.mapping).readsAppRoles };
          worker = await startWorker({
            config, store, logger,
            runCycle: (signal, request, observer) => runCycle({ config, store, logger, progress, signal, onOperationDone: observer.onOperationDone }, { mode: request.mode }),
            ...(watchSource ? {
              poll: async () => {
                const result = await watchSource.pollForChanges(store.db, config.target, pollOptions);
                return { changed: result.changed, requests: result.graphRequests };
              },
            } : {}),
            ...(httpFallback ? { httpFallback } : {}),
            ...(notifications ? { notifications } : {}),
          });
        } catch (error) {
          await store.close();
          if (error instanceof ConsoleSetupError) throw new CommandError(`CONSOLE_ENABLED: ${error.message}`, exitCodes.config);
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
